"""Drafts: forms in progress kept so that nothing half-typed is lost.

A screen with unsaved typing is written here every few seconds, and when the
terminal hangs up or the app is told to stop. At the owner's next sign-in the app
offers the drafts back. Only the owner may list, reopen or discard a draft.

If the database cannot be reached when a draft is written, it goes to a spool
file in the user's own data folder (mode 0600) and moves into the database at the
next successful sign-in of that member of staff.

Auditing: creating, reopening and discarding a draft are audited; the every-few-
seconds rewrites of the same draft are not (they are the user's own scratch copy of
a form, not a change to any record), which keeps the audit chain about acts.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete
from sqlmodel import col, select

from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models_drafts import Draft
from duty_tui.core.domain.errors import DatabaseUnavailable, InputError
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext

DRAFT_MAX_AGE_DAYS = 14
"""A draft not touched for this long is removed (it is personal data nobody is using)."""

MAX_PAYLOAD_CHARS = 400_000
"""A draft larger than this is refused (a runaway paste); the form itself keeps its text."""


@dataclass(frozen=True)
class DraftIn:
    """A form's state as the screen reports it."""

    key: str
    kind: str
    title: str
    screen: str
    args: dict[str, Any]
    values: dict[str, Any]
    person_ref: str | None = None


@dataclass(frozen=True)
class DraftView(DraftIn):
    """A draft offered back: the form's state, and when and where it was last kept."""

    updated_at: datetime = field(kw_only=True)
    terminal: str | None = field(default=None, kw_only=True)


def _encode(draft: DraftIn) -> tuple[str, str]:
    args = json.dumps(draft.args, ensure_ascii=False, sort_keys=True, default=str)
    payload = json.dumps(draft.values, ensure_ascii=False, sort_keys=True, default=str)
    if len(payload) > MAX_PAYLOAD_CHARS:
        raise InputError(f"this form holds more than {MAX_PAYLOAD_CHARS:,} characters; it is kept on screen "
                         "but too large to keep as a draft — shorten the pasted text")
    return args, payload


def save_draft(ctx: ServiceContext, draft: DraftIn) -> bool:
    """Create or replace the signed-in user's draft with this key. True when it was new."""
    actor = ctx.actor
    if actor is None or actor.id is None:
        return False
    args, payload = _encode(draft)
    now = ctx.now()
    with session_scope(ctx.engine, write=True) as session:
        row = session.exec(select(Draft).where(Draft.staff_id == actor.id, Draft.draft_key == draft.key)).first()
        created = row is None
        if row is None:
            row = Draft(staff_id=actor.id, draft_key=draft.key[:64], kind=draft.kind[:32], title=draft.title[:200],
                        screen=draft.screen[:200], args=args, payload=payload, person_ref=draft.person_ref,
                        created_at=now, updated_at=now, terminal=ctx.terminal[:128])
            audit.record(session, ctx, "draft.kept", "draft", draft.key[:64],
                         {"kind": draft.kind, "person": draft.person_ref})
        else:
            row.title, row.args, row.payload = draft.title[:200], args, payload
            row.person_ref, row.updated_at, row.terminal = draft.person_ref, now, ctx.terminal[:128]
        session.add(row)
    return created


def list_drafts(ctx: ServiceContext) -> list[DraftView]:
    """The signed-in user's drafts, newest first (old ones are removed on the way)."""
    actor = ctx.actor
    if actor is None or actor.id is None:
        return []
    cutoff = ctx.now() - timedelta(days=DRAFT_MAX_AGE_DAYS)
    with session_scope(ctx.engine, write=True) as session:
        session.exec(delete(Draft).where(col(Draft.staff_id) == actor.id, col(Draft.updated_at) < cutoff))
        rows = session.exec(select(Draft).where(Draft.staff_id == actor.id)
                            .order_by(col(Draft.updated_at).desc())).all()
        return [DraftView(r.draft_key, r.kind, r.title, r.screen, json.loads(r.args), json.loads(r.payload),
                          r.person_ref, updated_at=r.updated_at, terminal=r.terminal) for r in rows]


def delete_draft(ctx: ServiceContext, key: str, *, reason: str = "saved") -> bool:
    """Remove the signed-in user's draft (the form was saved, or the user discarded it)."""
    actor = ctx.actor
    if actor is None or actor.id is None:
        return False
    _unspool(ctx, [key])
    with session_scope(ctx.engine, write=True) as session:
        row = session.exec(select(Draft).where(Draft.staff_id == actor.id, Draft.draft_key == key)).first()
        if row is None:
            return False
        session.delete(row)
        if reason != "saved":
            audit.record(session, ctx, f"draft.{reason}", "draft", key, {"kind": row.kind, "person": row.person_ref})
    return True


def reopened(ctx: ServiceContext, key: str) -> None:
    """Audit that the owner reopened a draft (it stays until the form is saved or discarded)."""
    if ctx.actor is None:
        return
    with session_scope(ctx.engine, write=True) as session:
        audit.record(session, ctx, "draft.reopened", "draft", key)


# --- the spool: drafts written while the database could not be reached ------------------------------


def spool_dir() -> Path:
    """The user's own folder for drafts that could not reach the database."""
    override = os.environ.get("DUTY_DRAFT_SPOOL")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir("duty-tui")) / "drafts"


def _spool_file(ctx: ServiceContext) -> Path:
    """One file per member of staff per database: a draft kept for one database never turns up in another."""
    import hashlib

    assert ctx.actor is not None
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in ctx.actor.username)[:64] or "_"
    database = hashlib.sha256(ctx.engine.url.render_as_string(hide_password=True).encode()).hexdigest()[:12]
    return spool_dir() / f"{safe}-{database}.json"


def _read_spool(path: Path) -> dict[str, dict[str, Any]]:
    if not path.exists():
        return {}
    try:
        return {d["key"]: d for d in json.loads(path.read_text(encoding="utf-8"))}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _write_spool(path: Path, held: dict[str, dict[str, Any]]) -> None:
    if not held:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        os.chmod(path.parent, 0o700)
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(list(held.values()), handle, ensure_ascii=False, default=str)
    os.replace(temporary, path)


def spool(ctx: ServiceContext, drafts: list[DraftIn]) -> Path:
    """Write drafts to the local spool file (replacing those with the same keys)."""
    path = _spool_file(ctx)
    held = _read_spool(path)
    for draft in drafts:
        held[draft.key] = {"key": draft.key, "kind": draft.kind, "title": draft.title, "screen": draft.screen,
                           "args": draft.args, "values": draft.values, "person_ref": draft.person_ref}
    _write_spool(path, held)
    return path


def _unspool(ctx: ServiceContext, keys: list[str]) -> None:
    """These drafts reached the database, or their forms were saved or discarded: the spooled copies go."""
    if ctx.actor is None:
        return
    path = _spool_file(ctx)
    held = _read_spool(path)
    if any(key in held for key in keys):
        _write_spool(path, {k: v for k, v in held.items() if k not in keys})


def adopt_spooled(ctx: ServiceContext) -> int:
    """Move the signed-in user's drafts spooled for this database into it; returns how many."""
    if ctx.actor is None:
        return 0
    path = _spool_file(ctx)
    held = _read_spool(path)
    for item in held.values():
        save_draft(ctx, DraftIn(item["key"], item["kind"], item["title"], item["screen"], item.get("args") or {},
                                item.get("values") or {}, item.get("person_ref")))
    path.unlink(missing_ok=True)
    return len(held)


def keep(ctx: ServiceContext, drafts: list[DraftIn]) -> str:
    """Save drafts to the database, or to the spool if it cannot be reached. Says where they went."""
    try:
        for draft in drafts:
            save_draft(ctx, draft)
    except DatabaseUnavailable:
        if ctx.actor is None:
            return "nowhere (nobody is signed in)"
        return str(spool(ctx, drafts))
    _unspool(ctx, [draft.key for draft in drafts])
    return "database"
