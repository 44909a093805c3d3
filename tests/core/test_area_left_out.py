"""A build without an area works (issue 12, docs/ARCHITECTURE.md): the payments area left out.

``duty_tui.core.registry.use`` chooses the areas, as a council's build that leaves one out would. Without
payments: the migrations make no payment tables, the app at 80x24 has no F5 and its palette no payments
screens, `duty-tui --help` has no ``account``/``payments`` groups, and the demo runs every other area's step.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from builders import PASSWORD, TEST_HASHER
from pilot import SIZE, build_app, screen_text, settle, sign_in
from sqlalchemy import inspect
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from duty_tui.areas import AREAS
from duty_tui.core import registry
from duty_tui.core.cli import run
from duty_tui.core.db.engine import make_engine, session_scope
from duty_tui.core.db.migrate import upgrade
from duty_tui.core.db.preflight import version_folders
from duty_tui.core.tui.app import DutyApp
from duty_tui.core.tui.screens.home import HomeScreen

# The app's class was made with every area (imported above, as in a full run): leaving payments out
# afterwards must still take its F5 away (DutyApp.check_action).
assert any("open_area('payment')" in str(b.action) for b in DutyApp.BINDINGS)  # type: ignore[union-attr]

PAYMENTS = next(each for each in AREAS if each.name == "payments")
OTHERS = [each for each in AREAS if each is not PAYMENTS]

HELP_WITHOUT_PAYMENTS = (
    "import sys\n"
    "from duty_tui.areas import AREAS\n"
    "from duty_tui.core import registry\n"
    "registry.use([each for each in AREAS if each.name != 'payments'])  # before the command line is built\n"
    "from duty_tui.core.cli import run\n"
    "sys.exit(run(['--help']))\n"
)


@pytest.fixture
def without_payments() -> Iterator[None]:
    registry.use(OTHERS)
    try:
        yield
    finally:
        registry.use(None)


@pytest.fixture
def engine_without_payments(without_payments, tmp_path) -> Iterator:
    """A SQLite database migrated by this build (the fixtures' template has every area's revisions)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'no-payments.db'}")
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()


def seed_desk(engine) -> None:
    """An office, a team and its receptionist. (tests/builders.py's seed_office cannot be used: it writes
    ledger rows through the core's LedgerEntry model, whose till_code and reason columns the payments
    branch adds.)"""
    from duty_tui.core.db.models import Office, StaffUser, Team

    with session_scope(engine, write=True) as session:
        office = Office(code="MAIN", name="Test Office", jurisdiction="england")
        session.add(office)
        session.flush()
        team = Team(code="reception", name="Reception", office_id=office.id)
        session.add(team)
        session.flush()
        session.add(StaffUser(username="reception", display_name="Rita Reception", role="reception", team_id=team.id,
                              office_id=office.id, password_hash=TEST_HASHER.hash(PASSWORD)))


def group_names(help_text: str) -> set[str]:
    """The commands and groups `duty-tui --help` lists (Typer's plain "Commands:" block)."""
    names, listing = set(), False
    for line in help_text.splitlines():
        if line.strip().startswith("Commands"):
            listing = True
        elif listing and line.startswith("  ") and line.strip():
            names.add(line.split()[0])
    return names


def test_the_migrations_without_payments_make_no_payment_tables(engine_without_payments):
    assert all("payments" not in str(folder) for folder in version_folders())
    tables = set(inspect(engine_without_payments).get_table_names())
    assert {"person", "contact", "homeless_case", "draft"} <= tables  # the other areas' and the core's
    assert not {"payment", "payment_import", "cashup", "refund_request", "arrangement", "dd_mandate"} & tables


def test_help_without_payments_lists_no_payments_groups(capsys):
    assert run(["--help"]) == 0  # this process's command line: every area
    everything = group_names(capsys.readouterr().out)
    assert {"account", "payments", "arrangements", "gdpr", "triage", "queue", "db"} <= everything

    done = subprocess.run([sys.executable, "-c", HELP_WITHOUT_PAYMENTS], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    listed = group_names(done.stdout)
    assert listed == everything - {"account", "payments", "arrangements", "dd"}


def test_the_demo_runs_every_other_areas_step(without_payments, tmp_path, capsys):
    code = run(["--db", f"sqlite:///{tmp_path / 'demo.db'}", "demo", "--size", "small", "--no-tui"])
    err = capsys.readouterr().err
    assert code == 0, err
    steps = {line.split(":")[0].strip() for line in err.splitlines() if line.startswith("  ") and ":" in line}
    assert {each.name for each in OTHERS if each.demo} <= steps
    assert "payments" not in steps
    assert "demo office (small, seed 0) created" in err


async def test_the_app_without_payments_has_no_f5_and_no_payments_screens(engine_without_payments):
    engine = engine_without_payments
    seed_desk(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot)
        home = app.screen
        assert isinstance(home, HomeScreen)
        offered = set(home.active_bindings)  # what the footer draws from (at 80 columns it scrolls)
        in_footer = {key.key for key in home.query_one(Footer).query(FooterKey)}
        assert {"f4", "f7", "f8"} <= offered  # the front desk's keys, for the same role
        assert "f5" not in offered and "f5" not in in_footer
        assert "Payment" not in screen_text(app)

        notices = len(app._notifications)
        await pilot.press("f5")
        await settle(app, pilot)
        assert app.screen is home and app.is_running and len(app._notifications) == notices

        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert "Log a contact" in titles and "Options caseload" in titles
        payments_titles = {key.palette for key in PAYMENTS.keys} | {entry.title for entry in PAYMENTS.palette}
        assert not payments_titles & titles
