"""An income officer's journey through one account, keyboard only at 80x24, on SQLite and PostgreSQL
(issue 14, "Done when"; docs/INCOME.md): the worklist from the dashboard, the top account and why, a
first letter recorded; weeks later a NOSP served with the date the law gives; "apply for possession"
refused until the pre-action protocol is complete, then recorded; the court pack produced.

The clock moves between three sittings (each a fresh app at a later day, as a person comes back to the
desk another week); everything in between is what the officer typed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from builders import NOW, seed_office
from pilot import SIZE, build_app, keys, quick_sign_in, screen_text, settle
from sqlalchemy import text

from duty_tui.areas.income.tui.court import CourtScreen
from duty_tui.areas.income.tui.notice import ServeNoticeScreen
from duty_tui.areas.income.tui.protocol import ProtocolScreen
from duty_tui.areas.income.tui.recovery import RecoveryAccountScreen
from duty_tui.areas.income.tui.worklist import ArrearsWorklistScreen
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import LedgerEntry
from duty_tui.core.tui.dialogs.send_document import SendDocumentDialog
from duty_tui.core.tui.kit.form_screen import FormDialog

NOTICE_DAY = date(2026, 4, 14)  # a Tuesday, five weeks after the first letter
CLAIM_DAY = date(2026, 5, 19)  # two days after the date in the notice
ENGLAND_STEPS = ("contact made", "rent statements provided", "affordable payment plan offered",
                 "help with HB / UC offered", "vulnerability considered", "independent debt advice signposted")


def _seed(engine) -> None:
    """The builders' office; RNT000003 (Ms A Khan, secure, £125 a week) owes £500, the most of anyone."""
    seed_office(engine)
    with session_scope(engine, write=True) as s:
        account = s.execute(text("SELECT id FROM account WHERE ref = 'RNT000003'")).scalar()
        s.add(LedgerEntry(account_id=account, effective_date=date(2026, 3, 6), posted_at=NOW - timedelta(days=4),
                          kind="rent_debit", amount_pence=50000))


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 15, tzinfo=UTC)


def _flat(app) -> str:
    """The screen's words on one line, a dialog's border left out (so a sentence wrapped in it reads whole)."""
    return " ".join(screen_text(app).replace("█", " ").replace("▊", " ").replace("▎", " ").split())


def _rows(engine, sql: str) -> list[tuple]:
    with engine.connect() as c:
        return [tuple(r) for r in c.execute(text(sql)).all()]


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


async def _until(app, pilot, words: str) -> str:
    """Settle until ``words`` are on screen (a worker reads the database), then the screen's words."""
    for _ in range(20):
        if words in _flat(app):
            break
        await settle(app, pilot)
    return _flat(app)


async def _account_from_the_dashboard(app, pilot, tab: str) -> RecoveryAccountScreen:
    await quick_sign_in(app, pilot, "income")
    await pilot.press("w")
    await settle(app, pilot, 3)
    worklist = app.screen
    assert isinstance(worklist, ArrearsWorklistScreen)
    if tab != "1":
        await pilot.press(tab)
        await settle(app, pilot, 3)
    assert worklist.table.keys[0] == "RNT000003"  # the top account: the largest balance
    await pilot.press("enter")
    await settle(app, pilot, 3)
    assert isinstance(app.screen, RecoveryAccountScreen) and app.screen.ref == "RNT000003"
    return app.screen


async def _first_letter(engine) -> None:
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        account = await _account_from_the_dashboard(app, pilot, "1")
        shown = _flat(app)
        assert "owes £500.00 (4.0 weeks)" in shown
        assert "Next: Send the first arrears letter, due 10/03/2026" in shown
        assert "Why: Owes £500.00, 4.0 weeks' rent" in shown  # why it is recommended, in the policy's words
        await pilot.press("a")
        await settle(app, pilot)
        assert isinstance(app.screen, FormDialog) and app.screen.form.value("step") == "letter_1"
        await pilot.press("f9")
        await settle(app, pilot, 3)
        assert app.screen is account and "Recorded on RNT000003: letter 1, 10/03/2026." in _flat(app)
        assert "Step: letter 1" in await _until(app, pilot, "Step: letter 1")
    assert _rows(engine, "SELECT action FROM recovery_action") == [("letter_1",)]


async def _serve_nosp(engine) -> None:
    app = build_app(engine, now=_at(NOTICE_DAY))
    async with app.run_test(size=SIZE) as pilot:
        account = await _account_from_the_dashboard(app, pilot, "6")
        await pilot.press("n")
        await settle(app, pilot, 3)
        notice = app.screen
        assert isinstance(notice, ServeNoticeScreen)
        shown = _flat(app)
        # HA 1985 s83: at least 4 weeks and the end of a rental period (rent weeks run Monday to Sunday)
        assert "earliest date 17/05/2026" in shown
        assert (notice.form.value("served_on"), notice.form.value("proceedings_from")) == ("14/04/2026", "17/05/2026")
        await pilot.press("f9")
        await settle(app, pilot, 3)
        assert isinstance(app.screen, SendDocumentDialog)  # the notice letter is offered at once
        await pilot.press("escape")
        await settle(app, pilot, 3)
        assert app.screen is account  # back on the account, which now tells the notice's story
        shown = await _until(app, pilot, "NOSP (HA 1985 s83) served")
        assert "NOSP (HA 1985 s83) served" in shown and "proceedings from 17/05/2026" in shown
    [(kind, served, begins, lapses)] = _rows(engine, "SELECT kind, served_on, proceedings_from, lapses_on "
                                                     "FROM arrears_notice")
    assert (kind, _day(served), _day(begins), _day(lapses)) == ("nosp", NOTICE_DAY, date(2026, 5, 17),
                                                                date(2027, 5, 17))


async def _apply_for_possession(app, pilot) -> None:
    await pilot.press("a")
    await settle(app, pilot)
    dialog = app.screen
    assert isinstance(dialog, FormDialog)
    for way in ("down", "up"):  # ↓ / ↑ through the steps to it (typing its first letters jumps too, but
        for _ in range(15):      # only within a second: too tight a clock for a loaded test machine)
            if dialog.form.value("step") == "apply_for_possession":
                break
            await pilot.press(way)
            await settle(app, pilot, 1)
    assert dialog.form.value("step") == "apply_for_possession"
    await pilot.press("enter", "f9")  # Enter takes it and moves on; F9 records
    await settle(app, pilot, 3)


async def _protocol_then_claim(engine, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    app = build_app(engine, now=_at(CLAIM_DAY))
    async with app.run_test(size=SIZE) as pilot:
        account = await _account_from_the_dashboard(app, pilot, "6")
        # refused, naming every protocol step still to do; what was chosen stays in the form
        await _apply_for_possession(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, FormDialog)
        refused = _flat(app)
        assert "Cannot apply for possession yet" in refused
        assert all(step in refused for step in ENGLAND_STEPS), refused
        assert dialog.form.value("step") == "apply_for_possession"
        assert _rows(engine, "SELECT action FROM recovery_action WHERE action = 'apply_for_possession'") == []
        await pilot.press("escape")
        await settle(app, pilot)
        if app.screen is not account:  # it asks before dropping the choice
            await pilot.press("y")
            await settle(app, pilot, 3)
        assert app.screen is account
        # r: the protocol; s records the first outstanding step, today, with its evidence, six times
        await pilot.press("r")
        await settle(app, pilot, 3)
        protocol = app.screen
        assert isinstance(protocol, ProtocolScreen)
        for n in range(6):
            await pilot.press("s")
            await settle(app, pilot)
            assert isinstance(app.screen, FormDialog)
            await pilot.press("tab", "tab", *keys(f"Note {n + 1} on the file, 19 May"), "f9")
            await settle(app, pilot, 3)
            assert app.screen is protocol, _flat(app)
        assert "✓ Nothing recorded blocks applying for possession today" in await _until(app, pilot, "Nothing recorded")
        await pilot.press("escape")
        await settle(app, pilot, 3)
        assert app.screen is account
        # now the step is recorded
        await _apply_for_possession(app, pilot)
        assert app.screen is account, _flat(app)
        assert "Recorded on RNT000003: apply for possession, 19/05/2026." in _flat(app)
        # c: the court; p: the court pack, saved as a file on this computer
        await pilot.press("c")
        await settle(app, pilot, 3)
        court = app.screen
        assert isinstance(court, CourtScreen)
        await pilot.press("p")
        await settle(app, pilot, 3)
        assert isinstance(app.screen, SendDocumentDialog)
        assert "(•) Save a file on this computer" in screen_text(app)
        await pilot.press("enter")
        await settle(app, pilot, 3)
        assert app.screen is court and "Court pack for RNT000003 sent." in _flat(app)
    [pdf] = (tmp_path / "duty-tui").rglob("court-pack-RNT000003-20260519.pdf")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_mode & 0o777 == 0o600


async def test_an_income_officer_takes_an_account_from_first_letter_to_the_court_pack(engine, monkeypatch, tmp_path):
    _seed(engine)
    await _first_letter(engine)
    await _serve_nosp(engine)
    await _protocol_then_claim(engine, monkeypatch, tmp_path)
    steps = [a for (a,) in _rows(engine, "SELECT action FROM recovery_action ORDER BY taken_on, id")]
    assert steps == ["letter_1", "nosp", "apply_for_possession"]
    assert len(_rows(engine, "SELECT id FROM protocol_step")) == 6
    actions = {a for (a,) in _rows(engine, "SELECT action FROM audit_event")}
    assert {"arrears.action_recorded", "arrears.notice_served", "arrears.court_pack"} <= actions

