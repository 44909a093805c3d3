""""Who has looked at this person" (services/audit_views.py) on SQLite and PostgreSQL.

Team leaders (audit.view) see every event about a person and the records that carry them,
newest first, with who, from which terminal, and what in words; reception may not look;
looking is itself audited.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from builders import NOW, seed_office

from duty_tui.areas.frontdesk.services.routing import case_detail
from duty_tui.areas.payments.services.accounts import show_account
from duty_tui.core.config.settings import Settings
from duty_tui.core.domain.errors import InputError, NotFound, PermissionDenied
from duty_tui.core.services.audit import verify_chain
from duty_tui.core.services.audit_views import describe_action, person_access_log
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext, default_terminal
from duty_tui.core.services.people import get_person
from duty_tui.core.services.search import find_people


class Clock:
    """A minute passes at each reading, so the log's order is the order things were done."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self):
        self.now += timedelta(minutes=1)
        return self.now


@pytest.fixture
def office(engine):
    seed_office(engine)
    clock = Clock()
    base = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="pilot", clock=clock)

    def at(username: str, terminal: str) -> ServiceContext:
        ctx = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal=terminal, clock=clock)
        return ctx.as_actor(find_actor(base, username))

    return at


def test_leader_sees_who_looked_at_the_person_and_their_records(office, engine):
    reception = office("reception", "ssh:10.0.0.7/rec")
    find_people(reception, "smith")
    get_person(reception, "P0000001")            # searched, then opened
    get_person(reception, "P0000002")            # someone else: not in P0000001's log
    income = office("income", "desk-9")
    show_account(income, "RNT000001")            # their tenancy's rent account
    case_detail(income, "C0000002")              # their arrears case
    show_account(income, "RNT000002")            # the other John Smith's account: not in the log
    leader = office("leader", "office-2")
    with pytest.raises(PermissionDenied):
        person_access_log(reception, "P0000001")  # reception may not look (and nothing is audited)

    log = person_access_log(leader, "p0000001 ")

    assert log.person_ref == "P0000001" and log.person_name == "John Smith" and not log.more
    first, *rest = log.entries
    assert (first.username, first.action, first.terminal) == ("leader", "audit.person_access", "office-2")
    assert [e.record for e in rest] == ["case C0000002", "account RNT000001", "person P0000001"]
    assert [e.at for e in log.entries] == sorted((e.at for e in log.entries), reverse=True)
    case, account, view = rest
    assert (case.username, case.display_name, case.terminal) == ("income", "Ian Income", "desk-9")
    assert account.what == "viewed an account" and account.role == "Income officer"
    assert view.username == "reception" and view.terminal == "ssh:10.0.0.7/rec"
    assert view.role == "Reception / phone duty"
    assert view.what == "searched 'smith' and opened the record"
    assert verify_chain(engine).ok


def test_looking_at_the_log_is_itself_in_the_log(office):
    leader = office("leader", "office-2")
    person_access_log(leader, "P0000003")
    admin = office("admin", "office-1")

    log = person_access_log(admin, "P0000003")

    assert [(e.username, e.what) for e in log.entries] == [
        ("admin", "looked at who has viewed this record"), ("leader", "looked at who has viewed this record")]


def test_a_view_without_a_search_just_before_is_a_plain_view(office):
    reception = office("reception", "desk-3")
    find_people(reception, "khan")
    find_people(reception, "smith")
    show_account(reception, "RNT000003")  # something else in between
    get_person(reception, "P0000001")

    log = person_access_log(office("leader", "office-2"), "P0000001")
    assert log.entries[1].what == "viewed the record"


def test_limit_leaves_older_events_out_and_says_so(office):
    reception = office("reception", "desk-3")
    for _ in range(3):
        get_person(reception, "P0000004")
    leader = office("leader", "office-2")

    log = person_access_log(leader, "P0000004", limit=2)
    assert len(log.entries) == 2 and log.more
    with pytest.raises(InputError):
        person_access_log(leader, "P0000004", limit=0)
    with pytest.raises(NotFound):
        person_access_log(leader, "P9999999")


def test_unknown_actions_are_still_shown_in_words():
    assert describe_action({}, "housing.stage_moved") == "housing: stage moved"
    assert describe_action({"person.view": "viewed the record"}, "person.view") == "viewed the record"


def test_an_ssh_session_is_named_by_its_client_address(monkeypatch):
    """Events record ctx.terminal; an SSH client is named, but only as *claimed* unless sshd started us.

    (A session that really came through sshd is named ssh:<client>/<os user>:
    tests/core/trust/test_signin_ssh.py.) Here no sshd is an ancestor, so the variable is a claim.
    """
    from duty_tui.core.services import context

    monkeypatch.setattr(context, "_proc_status", lambda pid: None)  # as if run outside any SSH session
    monkeypatch.setenv("SSH_CLIENT", "203.0.113.9 50422 22")
    assert default_terminal().endswith(" (claimed ssh:203.0.113.9)")
    assert not default_terminal().startswith("ssh:")
    monkeypatch.delenv("SSH_CLIENT")
    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    assert not default_terminal().startswith("ssh:") and "claimed" not in default_terminal()
