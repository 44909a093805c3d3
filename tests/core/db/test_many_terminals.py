"""Many terminals, one PostgreSQL (issue 13 item 7): 200 terminals' connections on one real server.

Each simulated terminal is made as the app makes one: ``ServiceContext.connect(Settings)`` (the
engine from ``db_pool_size`` / ``db_pool_overflow``, defaults 2 + 2), a ``ChangeFeed`` listening
for other terminals' changes as the app's watcher does (core/tui/kit/changes.py), and a real
search of people (audited, so a write too); every other one also sits on the reception queue, whose
screen holds a listener of its own. The 200 run in threads of one process, 16 at a time, on a
server of this module's own started with max_connections = 520: pg_stat_activity must show
no more backends than the README's formula, and exactly what the 200 pools and listeners say they
hold. Then the server is filled to max_connections and the 201st terminal, and a real
``duty-tui`` command, get the message saying what to change — not a traceback. A role at its
CONNECTION LIMIT (on the shared test server) gets the same advice.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from builders import seed_office
from conftest import PG_SERVER_OPTIONS, find_pg_ctl, running_postgres
from sqlalchemy.engine import make_url

from duty_tui.core.config.settings import Settings, load_settings
from duty_tui.core.db.engine import LIVE_SCREENS, engine_from_settings, make_engine, ping, session_scope
from duty_tui.core.db.migrate import upgrade
from duty_tui.core.domain.errors import DatabaseUnavailable, EnvironmentProblem
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.changes import KINDS, ChangeFeed, notify
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.services.search import search_people

TERMINALS = 200
MAX_CONNECTIONS = 520
"""Room for 200 terminals as measured (one pooled connection and one listener each, and 100 of them on the
reception queue with its own listener), the test's own, and spare."""


@pytest.fixture(scope="module")
def office(postgres_server):  # postgres_server: the usual skip (or DUTY_REQUIRE_POSTGRES failure) and mark
    """A migrated, seeded office database on a server of this module's own: (server, URL)."""
    options = PG_SERVER_OPTIONS.replace("max_connections=200", f"max_connections={MAX_CONNECTIONS}")
    assert options != PG_SERVER_OPTIONS
    pg_ctl = find_pg_ctl()
    assert pg_ctl is not None
    with running_postgres(pg_ctl, options=options) as server:
        server.create_database("office")
        url = server.url("office")
        engine = make_engine(url)
        try:
            upgrade(engine)
            seed_office(engine)
        finally:
            engine.dispose()
        yield server, url


class Terminal:
    """One desk terminal's database side: its engine (via its context) and its change listener."""

    def __init__(self, settings: Settings, number: int) -> None:
        base = ServiceContext.connect(settings, terminal=f"desk-{number:03d}")
        self.ctx = base.as_actor(find_actor(base, "reception"))
        self.feed = ChangeFeed(self.ctx.engine, KINDS)
        # Every other desk sits on the reception queue, a screen that listens for itself (LiveRefresh).
        self.feeds = [self.feed] + ([ChangeFeed(self.ctx.engine, {"callers"})] if number % 2 == 0 else [])
        self.found = search_people(self.ctx, "Smith")

    def close(self) -> None:
        for feed in self.feeds:
            feed.close()
        self.ctx.engine.dispose()


def client_backends(admin: psycopg.Connection, dbname: str) -> int:
    """Sessions on ``dbname`` other than ``admin``'s own, as the server counts them."""
    return admin.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend' "
        "AND pid <> pg_backend_pid()", (dbname,)).fetchone()[0]


def fill_the_server(server) -> list[psycopg.Connection]:
    """Open plain connections until PostgreSQL refuses one (max_connections reached); return them to hold."""
    held: list[psycopg.Connection] = []
    for _ in range(MAX_CONNECTIONS):
        try:
            held.append(psycopg.connect(host=server.host, port=server.port, user=server.user, dbname="postgres"))
        except psycopg.OperationalError as exc:
            assert "too many clients" in str(exc)
            return held
    raise AssertionError(f"PostgreSQL took {MAX_CONNECTIONS} more connections; max_connections was not applied")


def test_200_terminals_fit_the_readme_formula_and_the_201st_is_told_what_to_change(office):
    server, url = office
    settings = Settings(db_url=url)  # the defaults a terminal runs with
    # README: pool + overflow + the app's listener + one per open live screen (allow 2)
    each = settings.db_pool_size + settings.db_pool_overflow + 1 + LIVE_SCREENS
    assert (settings.db_pool_size, settings.db_pool_overflow, each) == (2, 2, 7)
    admin = psycopg.connect(host=server.host, port=server.port, user=server.user, dbname="postgres",
                            autocommit=True)
    terminals: list[Terminal] = []
    try:
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=16) as pool:
            terminals = list(pool.map(lambda n: Terminal(settings, n), range(TERMINALS)))
        took = time.monotonic() - started

        assert len(terminals) == TERMINALS
        assert all(t.found.total >= 2 and {h.ref for h in t.found.hits} >= {"P0000001", "P0000002"}
                   for t in terminals)
        backends = client_backends(admin, "office")
        pooled = sum(t.ctx.engine.pool.checkedin() for t in terminals)
        assert all(t.ctx.engine.pool.checkedout() == 0 for t in terminals)
        assert all(t.ctx.engine.pool.checkedin() <= settings.db_pool_size for t in terminals)
        listeners = sum(len(t.feeds) for t in terminals)
        assert listeners == TERMINALS + TERMINALS // 2
        assert backends == pooled + listeners  # what the pools hold, and the listeners: nothing else
        assert backends <= TERMINALS * each
        print(f"\n{TERMINALS} terminals up in {took:.1f} s; {backends} backends "
              f"({pooled} pooled + {listeners} listening; the formula allows {TERMINALS * each})")

        # The listeners are live: a save on one terminal is heard on others.
        with session_scope(terminals[0].ctx.engine, write=True) as session:
            notify(session, "person:P0000001")
        for t in (terminals[1], terminals[TERMINALS // 2], terminals[-1]):
            heard: set[str] = set()
            deadline = time.monotonic() + 10
            while "person:P0000001" not in heard and time.monotonic() < deadline:
                heard |= t.feed.wait(1.0)
            assert "person:P0000001" in heard

        held = fill_the_server(server)
        try:
            with pytest.raises(DatabaseUnavailable) as refused:
                Terminal(settings, TERMINALS)
            message = str(refused.value)
            for needed in ("too many clients", "max_connections", f"at least {each} x terminals",
                           "db_pool_size 2 + db_pool_overflow 2, 1 that listens", "DUTY_DB_POOL_SIZE",
                           "DUTY_DB_POOL_OVERFLOW"):
                assert needed in message, message

            # A command run as a real process: exit 3, the same advice, no traceback.
            env = {k: v for k, v in os.environ.items() if not k.startswith("DUTY_")} | {"DUTY_DB_URL": url}
            command = subprocess.run([sys.executable, "-m", "duty_tui", "person", "find", "Smith"],
                                     capture_output=True, text=True, env=env, timeout=60, check=False)
            assert command.returncode == 3, command.stderr
            assert "max_connections" in command.stderr and "DUTY_DB_POOL_SIZE" in command.stderr
            assert "Traceback" not in command.stderr
        finally:
            for connection in held:
                connection.close()
    finally:
        for t in terminals:
            t.close()
        admin.close()


def test_a_role_at_its_connection_limit_gets_the_same_advice(pg_url):
    role = f"desk_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False),
                            autocommit=True)
    admin.execute(f"CREATE ROLE {role} LOGIN CONNECTION LIMIT 1")  # superusers are exempt
    engine = engine_from_settings(Settings(db_url=str(make_url(pg_url).set(username=role))))
    try:
        with engine.connect():  # the role's one connection
            with pytest.raises(DatabaseUnavailable) as refused:
                ping(engine)  # a second connection from the same pool
        message = str(refused.value)
        assert f'too many connections for role "{role}"' in message
        assert "CONNECTION LIMIT of the role" in message and "DUTY_DB_POOL_OVERFLOW" in message
    finally:
        engine.dispose()
        admin.execute(f"DROP ROLE {role}")
        admin.close()


def test_a_terminal_whose_own_pool_stays_busy_is_told_which_settings_to_raise(pg_url):
    engine = make_engine(pg_url, create=False, pool_size=1, max_overflow=0, pool_timeout=0.2)
    try:
        with engine.connect():  # the one connection, busy
            with pytest.raises(DatabaseUnavailable) as waited, session_scope(engine):
                pass
            with pytest.raises(DatabaseUnavailable):
                ping(engine)
        message = str(waited.value)
        assert "all 1 of this terminal's connections (db_pool_size 1 + db_pool_overflow 0)" in message
        assert "stayed busy for 0.2 s" in message and "DUTY_DB_POOL_OVERFLOW" in message
        with session_scope(engine) as session:  # free again: it works
            assert session.connection().exec_driver_sql("SELECT 1").scalar() == 1
    finally:
        engine.dispose()


def test_the_pool_settings_reach_the_engine_and_are_bounded(tmp_path, monkeypatch):
    url = "postgresql+psycopg://duty@dbhost/duty"  # the pool is built without connecting
    monkeypatch.delenv("DUTY_DB_POOL_SIZE", raising=False)
    monkeypatch.delenv("DUTY_DB_POOL_OVERFLOW", raising=False)
    default = engine_from_settings(Settings(db_url=url))
    assert (default.pool.size(), default.pool._max_overflow) == (2, 2)
    config = tmp_path / "duty.toml"
    config.write_text("[duty]\ndb_pool_size = 3\ndb_pool_overflow = 0\n")
    engine = engine_from_settings(load_settings(config, db_url=url))
    assert (engine.pool.size(), engine.pool._max_overflow) == (3, 0)
    monkeypatch.setenv("DUTY_DB_POOL_SIZE", "1")
    engine = engine_from_settings(load_settings(config, db_url=url))
    assert (engine.pool.size(), engine.pool._max_overflow) == (1, 0)
    with pytest.raises(EnvironmentProblem, match=r"db_pool_size \(environment DUTY_DB_POOL_SIZE\)"):
        monkeypatch.setenv("DUTY_DB_POOL_SIZE", "0")
        load_settings(config, db_url=url)
    monkeypatch.delenv("DUTY_DB_POOL_SIZE")
    with pytest.raises(EnvironmentProblem, match=r"db_pool_overflow \(command line\)"):
        load_settings(config, db_url=url, db_pool_overflow=51)
