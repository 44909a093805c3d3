"""Hostile strings are stored EXACTLY through the services, on SQLite and PostgreSQL (issue 6 item 7).

Markup, escape sequences, C0/C1 controls, right-to-left overrides, zalgo, zero-width characters and
SQL metacharacters are data: they go in and come out unchanged. NUL and lone surrogates cannot be
stored by either database; the rule (duty_tui/core/domain/validators.py ``clean_text``) is to refuse them
with a clear message — the tests below check the services and the CLI refuse them.
"""

from __future__ import annotations

import json
import uuid

import pytest
from builders import NOW, seed_office
from sqlmodel import select

from duty_tui.areas.payments.domain.rules import SplitLine
from duty_tui.core.cli import run
from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Contact, LedgerEntry, Person
from duty_tui.core.domain.errors import InputError
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext

ESC_NAME = "\x1b[2J[bold red]Eve[/]"
HOSTILE = [
    ESC_NAME,
    "[link=http://x]click[/link] [@click=app.quit]q[/]",
    "\u202eevE\u202c \u2066iso\u2069",
    "Z\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308\u0309\u030a\u030b\u030c",
    "zero\u200bwidth\u200d\ufeff",
    "'; DROP TABLE person;-- \" \\ %s %(x)s {0}",
    "ctl \x01\x07\x08\x7f \x9b31m \x1b]0;title\x07",
    "Nguyễn Thị Minh Khai, Ø'Brien-Łukasz, محمد, 李小龍, 🏠👨‍👩‍👧",
]
NOTE = "\n".join(HOSTILE) + "\n" + "y" * 2000


def ctx_as(engine, username: str) -> ServiceContext:
    base = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="hostile", clock=lambda: NOW)
    return base.as_actor(find_actor(base, username))


def test_hostile_strings_round_trip_exactly_through_the_services(engine, db_url, capsys):
    from duty_tui.areas.frontdesk.services.callers import add_arrival, callers_board
    from duty_tui.areas.frontdesk.services.contact_draft import ContactDraft, NewPerson, ThirdParty
    from duty_tui.areas.frontdesk.services.contacts import log_contact
    from duty_tui.areas.payments.services.taking import PaymentRequest, take_payment

    seed_office(engine)
    ctx = ctx_as(engine, "reception")
    # A contact whose notes carry every nasty, for a new person named with them, called in by a third party.
    saved = log_contact(ctx, ContactDraft(
        channel="phone", reasons=("general.other",), outcome="resolved", notes=NOTE,
        new_person=NewPerson(ESC_NAME, HOSTILE[2]), third_party=ThirdParty(HOSTILE[5], organisation=HOSTILE[1])))
    with session_scope(engine) as s:
        contact = s.get(Contact, saved.contact_id)
        person = s.get(Person, contact.person_id)
        assert contact.notes == NOTE
        assert (person.forename, person.surname) == (ESC_NAME, HOSTILE[2])
        assert (contact.third_party_name, contact.third_party_org) == (HOSTILE[5], HOSTILE[1])
        assert s.exec(select(Person)).all()  # the person table survived its would-be dropping
        ref = person.ref
    # The arrivals board.
    for name in HOSTILE:
        add_arrival(ctx, name=name[:120])
    names = {v.name for v in callers_board(ctx).waiting}
    assert {h[:120].strip() for h in HOSTILE} <= names
    # A payment's payer and reference.
    receipt = take_payment(ctx, PaymentRequest(uuid.uuid4().hex, "cash", (SplitLine("RNT000001", 1000),),
                                               till_code="TILL1", paid_by=HOSTILE[0], reference=HOSTILE[6][:60]))
    assert (receipt.paid_by, receipt.reference) == (HOSTILE[0], HOSTILE[6][:60])
    # The batch face gives the name back exactly, as JSON.
    code = run(["--db", db_url, "person", "find", ref, "--json", "--as", "reception"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out)[0]["name"].startswith(ESC_NAME)
    with session_scope(engine) as s:
        assert s.exec(select(LedgerEntry).where(LedgerEntry.amount_pence == -1000)).first() is not None


@pytest.mark.parametrize("bad", ["before\x00after", "x\udcffy"], ids=["nul", "surrogate"])
def test_hostile_unstorable_notes_are_refused_with_a_message_on_both_databases(engine, bad):
    from duty_tui.areas.frontdesk.services.contact_draft import ContactDraft
    from duty_tui.areas.frontdesk.services.contacts import log_contact

    seed_office(engine)
    with pytest.raises(InputError, match="notes"):
        log_contact(ctx_as(engine, "reception"), ContactDraft(
            channel="phone", reasons=("general.other",), outcome="resolved", person_ref="P0000001", notes=bad))


@pytest.mark.parametrize("bad", ["Sm\x00ith", "Sm\udcffith"], ids=["nul", "surrogate"])
def test_hostile_unstorable_search_is_refused_with_exit_2(engine, db_url, capsys, bad):
    seed_office(engine)
    code = run(["--db", db_url, "person", "find", bad, "--as", "reception"])
    _, err = capsys.readouterr()
    assert code == 2 and "unexpected error" not in err
