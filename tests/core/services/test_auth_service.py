"""Signing in (services/auth.py) on SQLite and PostgreSQL.

A refusal is committed and audited even though AuthError is raised; an unknown
username is refused exactly like a wrong password; repeated failures slow down.
The OS account is the real uid's name, never the environment's, and signs in only
through an explicit link (issue 10, item 3); every way a session ends is recorded.
"""

from __future__ import annotations

import json
import os
import pwd
import re
from datetime import timedelta

import pytest
from builders import NOW, PASSWORD, seed_office
from sqlalchemy import update
from sqlmodel import select

from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import AuditEvent, StaffUser
from duty_tui.core.domain.errors import AuthError
from duty_tui.core.services import auth
from duty_tui.core.services.audit import verify_chain
from duty_tui.core.services.auth import FREE_ATTEMPTS, MAX_DELAY_SECONDS, retry_delay, sign_in, sign_in_os_user
from duty_tui.core.services.context import ServiceContext, os_identity

WRONG = "wrong username or password"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start=NOW) -> None:
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ctx(engine, clock) -> ServiceContext:
    """Nobody signed in yet, on a seeded office, with a hand-moved clock."""
    seed_office(engine)
    return ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="desk-1", clock=clock)


def events(engine) -> list[AuditEvent]:
    with session_scope(engine) as session:
        return list(session.exec(select(AuditEvent).order_by(AuditEvent.id)).all())


def user_row(engine, username: str) -> StaffUser:
    with session_scope(engine) as session:
        return session.exec(select(StaffUser).where(StaffUser.username == username)).one()


def fail(ctx: ServiceContext, username: str = "leader", password: str = "not it") -> AuthError:
    with pytest.raises(AuthError) as caught:
        sign_in(ctx, username, password)
    return caught.value


def test_right_password_signs_in_and_is_audited(ctx, engine):
    actor = sign_in(ctx, "leader", PASSWORD)

    assert actor.username == "leader"
    assert actor.role == "team_leader"
    assert actor.team_code == "income"
    assert "alert.view_restricted" in actor.permissions
    [event] = events(engine)
    assert event.action == "login"
    assert event.actor == "leader" and event.actor_id == actor.id
    assert event.entity == "staff_user" and event.entity_id == str(actor.id)
    assert event.terminal == "desk-1"
    assert verify_chain(engine).ok


def test_username_is_trimmed(ctx):
    assert sign_in(ctx, "  leader ", PASSWORD).username == "leader"


def test_blank_username_asks_for_one_and_records_nothing(ctx, engine):
    error = fail(ctx, "   ", PASSWORD)
    assert "enter your username" in error.message
    assert events(engine) == []


def test_wrong_password_is_refused_counted_and_audited(ctx, engine):
    error = fail(ctx, "leader", "Correct Horse")  # Caps Lock

    assert WRONG in error.message
    assert error.exit_code == 2
    # The refusal was committed although sign_in raised: a fresh session sees it.
    user = user_row(engine, "leader")
    assert user.failed_logins == 1
    assert user.last_failed_at is not None
    [event] = events(engine)
    assert event.action == "login.failed"
    assert event.entity_id == str(user.id)
    assert event.actor == "leader" and event.actor_id is None
    assert json.loads(event.detail) == {"username": "leader"}
    assert "Correct Horse" not in (event.detail or "")  # never the password tried
    assert verify_chain(engine).ok


def test_each_wrong_password_counts(ctx, engine, clock):
    for expected in (1, 2, 3):
        fail(ctx)
        assert user_row(engine, "leader").failed_logins == expected
    assert [e.action for e in events(engine)] == ["login.failed"] * 3


def test_unknown_user_gets_the_same_message_as_a_wrong_password(ctx, engine):
    unknown = fail(ctx, "nobody", PASSWORD)
    wrong = fail(ctx, "leader", "nope")

    assert unknown.message == wrong.message  # no user enumeration
    first = events(engine)[0]
    assert first.action == "login.failed"
    assert first.entity_id is None
    assert first.actor == "nobody"
    assert json.loads(first.detail) == {"username": "nobody"}


def test_unknown_user_costs_a_password_check_like_a_known_one(ctx, monkeypatch):
    """Answering an unknown username without hashing would tell an attacker, by timing, who exists."""
    calls: list[str] = []
    real = auth.verify_password

    def spy(stored_hash, password):
        calls.append(password)
        return real(stored_hash, password)

    monkeypatch.setattr(auth, "verify_password", spy)
    fail(ctx, "nobody", "guess")
    assert calls == ["guess"]


def seconds_in(message: str) -> int:
    match = re.search(r"too many wrong passwords; wait (\d+) seconds?", message)
    assert match, message
    return int(match.group(1))


def test_after_three_failures_the_next_attempt_must_wait(ctx, engine, clock):
    for _ in range(FREE_ATTEMPTS):
        fail(ctx)
        clock.advance(0.5)
    # retry_delay(3) == 2 s from the third failure; 0.5 s of it has passed.
    error = fail(ctx, "leader", PASSWORD)  # even the right password is refused while throttled
    assert seconds_in(error.message) == 2
    assert error.exit_code == 2
    assert user_row(engine, "leader").failed_logins == FREE_ATTEMPTS  # waiting is not another failure
    assert events(engine)[-1].action == "login.throttled"
    assert verify_chain(engine).ok


def test_throttle_message_counts_whole_seconds_left(ctx, clock):
    for _ in range(FREE_ATTEMPTS):
        fail(ctx)
    # At the very moment of the third failure the whole 2 s delay is ahead: "wait 2", not 3.
    assert seconds_in(fail(ctx).message) == retry_delay(FREE_ATTEMPTS)
    clock.advance(1)
    assert seconds_in(fail(ctx).message) == 1
    clock.advance(0.9)
    assert seconds_in(fail(ctx).message) == 1


def test_after_the_delay_the_right_password_works_and_resets_the_count(ctx, engine, clock):
    for _ in range(FREE_ATTEMPTS):
        fail(ctx)
    clock.advance(retry_delay(FREE_ATTEMPTS))

    actor = sign_in(ctx, "leader", PASSWORD)

    assert actor.username == "leader"
    user = user_row(engine, "leader")
    assert user.failed_logins == 0
    assert user.last_failed_at is None
    assert events(engine)[-1].action == "login"
    # With the count reset, the next wrong password is not throttled.
    assert WRONG in fail(ctx).message


def test_delay_grows_with_each_failure_after_the_free_ones(ctx, engine, clock):
    for _ in range(FREE_ATTEMPTS):
        fail(ctx)
    for failures in (FREE_ATTEMPTS, FREE_ATTEMPTS + 1, FREE_ATTEMPTS + 2):
        delay = retry_delay(failures)
        assert seconds_in(fail(ctx).message) == delay
        clock.advance(delay)
        assert WRONG in fail(ctx).message  # allowed to try again, and wrong again
        assert user_row(engine, "leader").failed_logins == failures + 1


def test_throttle_is_per_user(ctx, clock):
    for _ in range(FREE_ATTEMPTS):
        fail(ctx, "leader")
    assert sign_in(ctx, "reception", PASSWORD).username == "reception"


def test_disabled_user_is_refused_even_with_the_right_password(ctx, engine):
    with session_scope(engine, write=True) as session:
        session.exec(update(StaffUser).where(StaffUser.username == "income").values(active=False))

    error = fail(ctx, "income", PASSWORD)

    assert "disabled" in error.message
    assert events(engine)[-1].action == "login.failed"


def test_os_user_signs_in(ctx, engine):
    actor = sign_in_os_user(ctx, "os-leader")

    assert actor.username == "leader"
    event = events(engine)[-1]
    assert event.action == "login" and event.actor == "leader"
    assert json.loads(event.detail) == {"method": "os"}


def test_unknown_os_user_is_refused_and_audited(ctx, engine):
    with pytest.raises(AuthError) as caught:
        sign_in_os_user(ctx, "mallory")

    assert "mallory" in caught.value.message
    event = events(engine)[-1]
    assert event.action == "login.failed"
    assert event.entity_id is None and event.actor == "mallory"
    assert json.loads(event.detail) == {"os_user": "mallory"}
    assert verify_chain(engine).ok


def test_disabled_os_user_is_refused(ctx, engine):
    with session_scope(engine, write=True) as session:
        session.exec(update(StaffUser).where(StaffUser.username == "leader").values(active=False))
    with pytest.raises(AuthError):
        sign_in_os_user(ctx, "os-leader")
    assert events(engine)[-1].action == "login.failed"


@pytest.mark.parametrize(
    ("failures", "seconds"),
    [(0, 0), (1, 0), (2, 0), (3, 2), (4, 4), (5, 8), (6, 16), (7, 32), (8, MAX_DELAY_SECONDS),
     (9, MAX_DELAY_SECONDS), (1000, MAX_DELAY_SECONDS)],
)
def test_retry_delay(failures, seconds):
    assert retry_delay(failures) == seconds


# --- the OS account: the real uid, an explicit link, never the environment ---------------------------


def test_os_identity_is_the_real_uid_not_the_environment(monkeypatch):
    nobody = pwd.getpwnam("nobody")
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(name, "admin")
    monkeypatch.setattr(os, "getuid", lambda: nobody.pw_uid)
    assert os_identity() == "nobody"
    monkeypatch.setattr(os, "getuid", lambda: 4_242_424)  # a uid with no account: named, and linkable by no one
    assert os_identity() == "uid:4242424"


def test_logname_admin_does_not_sign_in_as_the_administrator(ctx, engine, monkeypatch):
    """`LOGNAME=admin USER=admin duty-tui --auth os`: neither an os_user of "admin" nor the username counts."""
    with session_scope(engine, write=True) as session:
        session.exec(update(StaffUser).where(StaffUser.username == "admin").values(os_user="admin"))
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(name, "admin")

    with pytest.raises(AuthError) as caught:
        sign_in_os_user(ctx)

    assert "not linked" in caught.value.message and "staff set" in caught.value.message
    event = events(engine)[-1]
    assert event.action == "login.failed" and json.loads(event.detail) == {"os_user": os_identity()}


def test_a_staff_user_who_only_shares_the_os_name_is_not_signed_in(ctx, engine):
    """The old fall-back: an unlinked OS user whose name is a staff username was signed in as them."""
    with session_scope(engine, write=True) as session:
        session.add(StaffUser(username=os_identity(), display_name="Same Name", role="admin", os_user=None))

    with pytest.raises(AuthError):
        sign_in_os_user(ctx)
    with pytest.raises(AuthError):
        sign_in_os_user(ctx, "leader")  # a staff username, not an OS link
    assert [e.action for e in events(engine)] == ["login.failed", "login.failed"]


def test_the_linked_account_signs_in_by_its_uid(ctx, engine, monkeypatch):
    """The same check where the test cannot create a second account: the uid, monkeypatched."""
    nobody = pwd.getpwnam("nobody")
    with session_scope(engine, write=True) as session:
        session.exec(update(StaffUser).where(StaffUser.username == "income").values(os_user="nobody"))
    monkeypatch.setattr(os, "getuid", lambda: nobody.pw_uid)
    monkeypatch.setenv("LOGNAME", "os-admin")

    assert sign_in_os_user(ctx).username == "income"


@pytest.mark.parametrize("how", sorted(auth.SESSION_ENDS))
def test_the_end_of_a_session_says_how_it_ended(ctx, engine, how):
    leader = ctx.as_actor(sign_in(ctx, "leader", PASSWORD))
    auth.sign_out(leader, how, locked=how == "quit")

    event = events(engine)[-1]
    assert (event.action, event.actor) == ("logout", "leader")
    assert json.loads(event.detail) == {"how": how, **({"locked": True} if how == "quit" else {})}
    with pytest.raises(ValueError):
        auth.sign_out(leader, "vanished")
