"""Shared helpers for the payments tests: a context acting as a seeded user, and quick posts.

The Pilot helpers (build_app, settle, sign_in, type_text, ...) are in tests/pilot.py."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from builders import NOW

from duty_tui.areas.payments.domain.rules import SplitLine
from duty_tui.areas.payments.services.taking import PaymentRequest, take_payment
from duty_tui.core.config.settings import Settings
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext


def ctx_for(engine, username: str | None = "reception", *, now: datetime = NOW) -> ServiceContext:
    """A service context on ``engine`` acting as ``username`` at a fixed time."""
    ctx = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="test-terminal", clock=lambda: now)
    return ctx.as_actor(find_actor(ctx, username)) if username else ctx


def at(ctx: ServiceContext, moment: datetime) -> ServiceContext:
    """The same context at another moment."""
    from dataclasses import replace

    return replace(ctx, clock=lambda: moment)


def cash(ctx, account_ref: str, pence: int, *, till: str = "TILL1", key: str | None = None):
    """Take a cash payment at the counter."""
    return take_payment(ctx, PaymentRequest(key or uuid.uuid4().hex, "cash", (SplitLine(account_ref, pence),),
                                            till_code=till))


def utc(*args) -> datetime:
    """An aware UTC datetime."""
    return datetime(*args, tzinfo=UTC)

