"""Issue 11 round 2 (R2): readable at 80x24 — ticks in text, columns, dates, footers and contrast.

Every check drives the real app at 80x24 with Pilot and reads what is on the screen.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from builders import seed_office
from pilot import SIZE, build_app, human, quick_sign_in, screen_text, settle

from duty_tui.core.services.auth import find_actor
from duty_tui.core.tui.kit.choices import Check, Choice, ManyChoice


def region_lines(app, widget) -> list[str]:
    """The screen rows a widget covers, cut to its columns (what a person sees of it)."""
    region = widget.region
    rows = screen_text(app).splitlines()
    return [rows[y][region.x:region.right] for y in range(region.y, region.bottom) if y < len(rows)]


def on_screen(app, widget) -> bool:
    """True when the whole widget is visible (not scrolled out of its form)."""
    found = app.screen._compositor.visible_widgets.get(widget)
    if found is None:
        return False
    region, clip = found
    if not (region.area > 0 and clip.contains_region(region)):
        return False
    try:  # not covered by an open list or a toast
        top, _ = app.screen.get_widget_at(region.x, region.y)
    except Exception:
        return False
    return top is widget or widget in top.ancestors


def check_ticks_in_text(app) -> int:
    """Every choice and tick on the screen says in text whether it is chosen; a mark is never parted from its label."""
    text = screen_text(app)
    assert "▐X▌" not in text and "▐" not in text, text
    seen = 0
    for widget in app.screen.query(Choice):
        if not on_screen(app, widget):
            continue
        lines = region_lines(app, widget)
        if not widget.inline:  # one line: the chosen option's mark and whole label
            mark = "( )" if widget.value is None else "(•)"
            wanted = f"{mark} {widget.label_of(widget.value)}"[:len(lines[0]) - 4]
            assert any(wanted in line for line in lines), "\n".join(lines)
            seen += 1
            continue
        joined = "\n".join(lines)
        for value, label in widget.options:
            mark = "(•)" if value == widget.value else "( )"
            first_word = label.split()[0]
            assert any(f"{mark} {first_word}" in line for line in lines), (
                f"{widget.id}: {mark} {label!r} is not whole on one line:\n{joined}")
        seen += 1
    for widget in app.screen.query(Check):
        if not on_screen(app, widget):
            continue
        first = region_lines(app, widget)[0].lstrip()
        assert first.startswith("[x] " if widget.value else "[ ] "), f"{widget.id}: {first!r}"
        seen += 1
    for widget in app.screen.query(ManyChoice):
        if not on_screen(app, widget):
            continue
        joined = "\n".join(region_lines(app, widget))
        assert "[ ]" in joined or "[x]" in joined, joined
        seen += 1
    return seen


@pytest.mark.sqlite_only  # the screens, not the data
async def test_every_choice_and_tick_on_the_approach_contact_and_payment_forms_reads_in_text(engine):
    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "leader")
        for key in ("f6", "f4", "f5"):
            await human(pilot, key)
            await settle(app, pilot)
            if app.screen.is_modal:  # the applicant picker opens first: look at the form behind it
                await human(pilot, "escape")
                await settle(app, pilot)
            assert check_ticks_in_text(app) > 0, f"{key}: no choices found\n{screen_text(app)}"
            # Chosen by keyboard: the marks follow (Tab through the first fields, choosing with the arrows).
            for _ in range(4):
                await human(pilot, "tab", "right")
                await settle(app, pilot)
                check_ticks_in_text(app)


@pytest.mark.sqlite_only  # the screens, not the data
async def test_the_callers_board_title_is_whole_at_80_and_the_office_shows_when_there_is_room(engine):
    """Staff saw the header cut ("Callers waiting — … Ri…") at 80: the office goes first, then the role."""
    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "leader")
        await human(pilot, "f8")
        await settle(app, pilot)
        header = screen_text(app).splitlines()[0]
        assert "Callers waiting — Lee Leader · Team leader" in header and "…" not in header, header
        await pilot.resize_terminal(200, 30)
        await settle(app, pilot)
        header = screen_text(app).splitlines()[0]
        assert f"Callers waiting — Lee Leader · Team leader · {app.settings.office_name}" in header, header
        await pilot.resize_terminal(*SIZE)
        await settle(app, pilot)
        header = screen_text(app).splitlines()[0]
        assert "Callers waiting — Lee Leader · Team leader" in header and "…" not in header, header


def footer_problems(app) -> list[str]:
    """What is cut in the footer: a "…", or a shown key whose label is not whole on the footer row."""
    from textual.widgets import Footer
    from textual.widgets._footer import FooterKey

    footer = app.screen.query(Footer)
    if not footer:
        return []
    row = screen_text(app).splitlines()[footer.first().region.y]
    problems = [f"cut: {row!r}"] if "…" in row else []
    for key in footer.first().query(FooterKey):
        label = f"{key.key_display} {key.description}".strip()
        if label not in row or key.region.right > app.size.width:
            problems.append(f"{label!r} not whole in {row!r}")
    if len(list(footer.first().query(FooterKey))) < 2:
        problems.append(f"hardly any keys: {row!r}")
    return problems


def every_screen_class() -> set[str]:
    import importlib
    import inspect
    import pkgutil

    from textual.screen import ModalScreen, Screen

    from duty_tui.core import registry

    found = set()
    packages = ["duty_tui.core.tui.screens", *registry.tui_packages()[1:]]
    for package in packages:
        for module in pkgutil.iter_modules(importlib.import_module(package).__path__):
            loaded = importlib.import_module(f"{package}.{module.name}")
            for name, cls in vars(loaded).items():
                if (inspect.isclass(cls) and issubclass(cls, Screen) and not issubclass(cls, ModalScreen)
                        and cls.__module__ == loaded.__name__ and name != "DutyScreen"
                        and not cls.__dict__.get("SCREEN_PART")):  # a part a screen is built from, never shown alone
                    found.add(name)
    return found


@pytest.mark.sqlite_only  # the screens, not the data
@pytest.mark.parametrize("part", range(3), ids=("first-third", "second-third", "last-third"))
async def test_every_screen_footer_is_whole_at_80_columns_and_uses_more_when_wider(engine, part):
    """Staff saw the case screen's footer end "i Re…": every screen's footer shows whole keys only at 80.
    (The screens are walked in three parts, so three workers share the walk.)"""
    import uuid

    from builders import NOW

    from duty_tui.areas.frontdesk.tui import callers, case, contact, contact_view, queues, stats
    from duty_tui.areas.housing_options.tui import approach
    from duty_tui.areas.housing_options.tui import case as options_case
    from duty_tui.areas.housing_options.tui import cases as options_cases
    from duty_tui.areas.housing_options.tui import stats as options_stats
    from duty_tui.areas.income.tui import court as income_court
    from duty_tui.areas.income.tui import former_tenants as income_former
    from duty_tui.areas.income.tui import notice as income_notice
    from duty_tui.areas.income.tui import protocol as income_protocol
    from duty_tui.areas.income.tui import recovery as income_recovery
    from duty_tui.areas.income.tui import statistics as income_statistics
    from duty_tui.areas.income.tui import worklist as income_worklist
    from duty_tui.areas.lettings.tui import adverts as lettings_adverts
    from duty_tui.areas.lettings.tui import application as lettings_application
    from duty_tui.areas.lettings.tui import returns_statistics as lettings_statistics
    from duty_tui.areas.lettings.tui import shortlist as lettings_shortlist
    from duty_tui.areas.payments.domain.rules import SplitLine
    from duty_tui.areas.payments.services.cashup import submit_cashup
    from duty_tui.areas.payments.services.taking import PaymentRequest, take_payment
    from duty_tui.areas.payments.tui import account as payment_account
    from duty_tui.areas.payments.tui import arrangements as payment_arrangements
    from duty_tui.areas.payments.tui import cashup as payment_cashup
    from duty_tui.areas.payments.tui import cashup_report as payment_cashup_report
    from duty_tui.areas.payments.tui import direct_debits as payment_direct_debits
    from duty_tui.areas.payments.tui import payment
    from duty_tui.areas.payments.tui import receipt as payment_receipt
    from duty_tui.areas.payments.tui import refunds as payment_refunds
    from duty_tui.areas.payments.tui import signoff as payment_signoff
    from duty_tui.areas.payments.tui import suspense as payment_suspense
    from duty_tui.areas.rents.tui import charges as rent_charges
    from duty_tui.areas.rents.tui import debit as rent_debit
    from duty_tui.areas.rents.tui import reconciliation as rent_recon
    from duty_tui.areas.rents.tui import review as rent_review
    from duty_tui.areas.rents.tui import tenancy_end as rent_end
    from duty_tui.core.services.context import ServiceContext
    from duty_tui.core.tui.screens import home, lock, person, person_access, search
    from duty_tui.core.tui.screens.login import LoginScreen

    seed_office(engine)
    app = build_app(engine)
    reception = ServiceContext.create(engine, app.ctx.settings, terminal="t2", clock=lambda: NOW).as_actor(
        find_actor(app.ctx, "reception"))
    receipt = take_payment(reception, PaymentRequest(uuid.uuid4().hex, "cash", (SplitLine("RNT000001", 5000),),
                                                     till_code="TILL1", paid_by="Ann Payer", reference="x"))
    cashup = submit_cashup(reception, "TILL1", {5000: 1}, {})
    from sqlmodel import select

    from duty_tui.core.db.engine import session_scope
    from duty_tui.core.db.models import Contact
    with session_scope(engine) as s:
        contact_id = s.exec(select(Contact.id)).first()
    makers = {
        "ApproachScreen": lambda: approach.ApproachScreen(), "CallersScreen": lambda: callers.CallersScreen(),
        "CaseScreen": lambda: case.CaseScreen("C0000001"), "LogContactScreen": lambda: contact.LogContactScreen(),
        "ContactViewScreen": lambda: contact_view.ContactViewScreen(contact_id),
        "HomeScreen": lambda: home.HomeScreen(), "LockScreen": lambda: lock.LockScreen(),
        "LoginScreen": lambda: LoginScreen(), "OptionsCaseScreen": lambda: options_case.OptionsCaseScreen("C0000002"),
        "OptionsCasesScreen": lambda: options_cases.OptionsCasesScreen(),
        "HomelessnessStatsScreen": lambda: options_stats.HomelessnessStatsScreen(),
        "TakePaymentScreen": lambda: payment.TakePaymentScreen(),
        "AccountScreen": lambda: payment_account.AccountScreen("RNT000001", NOW.date(), NOW.date()),
        "ArrangementsScreen": lambda: payment_arrangements.ArrangementsScreen("RNT000001"),
        "CashUpScreen": lambda: payment_cashup.CashUpScreen(),
        "CashUpReportScreen": lambda: payment_cashup_report.CashUpReportScreen(cashup),
        "ReceiptScreen": lambda: payment_receipt.ReceiptScreen(receipt),
        "RefundsScreen": lambda: payment_refunds.RefundsScreen(),
        "CashUpSignOffScreen": lambda: payment_signoff.CashUpSignOffScreen(),
        "SuspenseScreen": lambda: payment_suspense.SuspenseScreen(),
        "DirectDebitsScreen": lambda: payment_direct_debits.DirectDebitsScreen(),
        "PersonScreen": lambda: person.PersonScreen("P0000001"),
        "PersonAccessScreen": lambda: person_access.PersonAccessScreen("P0000001"),
        "QueuesScreen": lambda: queues.QueuesScreen(), "SearchScreen": lambda: search.SearchScreen(),
        "StatsScreen": lambda: stats.StatsScreen(),
        "ArrearsWorklistScreen": lambda: income_worklist.ArrearsWorklistScreen(),
        "RecoveryAccountScreen": lambda: income_recovery.RecoveryAccountScreen("RNT000001"),
        "ArrearsStatisticsScreen": lambda: income_statistics.ArrearsStatisticsScreen(),
        "LettingsStatisticsScreen": lambda: lettings_statistics.LettingsStatisticsScreen(),
        "CourtScreen": lambda: income_court.CourtScreen("RNT000001"),
        "FormerTenantsScreen": lambda: income_former.FormerTenantsScreen(),
        "FormerTenantAccountScreen": lambda: income_former.FormerTenantAccountScreen("FTA000001"),
        "ServeNoticeScreen": lambda: income_notice.ServeNoticeScreen("RNT000003"),
        "ProtocolScreen": lambda: income_protocol.ProtocolScreen("RNT000001"),
        "RentDebitScreen": lambda: rent_debit.RentDebitScreen(),
        "RentChargesScreen": lambda: rent_charges.RentChargesScreen(),
        "ApplicationScreen": lambda: lettings_application.ApplicationScreen("P0000004"),
        "RentReconciliationScreen": lambda: rent_recon.RentReconciliationScreen(),
        "TenancyEndScreen": lambda: rent_end.TenancyEndScreen(),
        "CreditTransfersScreen": lambda: rent_end.CreditTransfersScreen(),
        "RentReviewScreen": lambda: rent_review.RentReviewScreen(),
        "RentNoticeScreen": lambda: rent_review.RentNoticeScreen(["NOTICE OF VARIATION OF RENT"] * 40),
        "AdvertsScreen": lambda: lettings_adverts.AdvertsScreen(),
        "ShortlistScreen": lambda: lettings_shortlist.ShortlistScreen("AD000001"),
        "FigureRowsScreen": lambda: rent_recon.FigureRowsScreen(NOW.date() - timedelta(days=6), NOW.date(),
                                                                ("all", "charges", None, None)),
    }
    assert every_screen_class() <= set(makers), f"a screen this test does not walk: {every_screen_class() - set(makers)}"
    problems: dict[str, list[str]] = {}
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "admin")
        for name, make in list(makers.items())[part::3]:
            app.push_screen(make())
            await settle(app, pilot)
            while app.screen.is_modal:  # a picker that opens first: the footer behind it
                app.pop_screen()
                await settle(app, pilot)
            found = footer_problems(app)
            if found:
                problems[name] = found
            if name == "CaseScreen":  # at 160 columns the footer uses the room: more keys than at 80
                from textual.widgets._footer import FooterKey
                at_80 = len(app.screen.query(FooterKey))
                await pilot.resize_terminal(160, 24)
                await settle(app, pilot)
                assert not footer_problems(app)
                assert len(app.screen.query(FooterKey)) > at_80
                await pilot.resize_terminal(*SIZE)
                await settle(app, pilot)
                assert not footer_problems(app)
            app.pop_screen()
            await settle(app, pilot)
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())


@pytest.mark.sqlite_only  # a journey through the screens: the services under it run on both databases
async def test_a_complaint_case_timeline_reads_uk_dates(engine):
    """B16: the case timeline said "Stage 1 complaint: acknowledge by Mon 13 Apr 2026"; it reads Mon 13/04/2026."""
    from datetime import UTC, datetime

    from pilot import KeyCounter, keys, quick_sign_in
    from sqlmodel import select
    from test_frontdesk_journeys import search_and_choose

    from duty_tui.areas.frontdesk.tui.case import CaseScreen
    from duty_tui.core.db.engine import session_scope
    from duty_tui.core.db.models import Case

    seed_office(engine)
    app = build_app(engine, now=datetime(2026, 4, 2, 11, 0, tzinfo=UTC))
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot)
        k = KeyCounter(pilot)
        await human(pilot, "f4")
        await settle(app, pilot)
        await search_and_choose(app, pilot, k, "jon smyth")
        await human(pilot, *keys("new comp"), "enter", "tab", *keys("Repair not done"), "f9")
        await settle(app, pilot)
        with session_scope(engine) as s:
            ref = s.exec(select(Case.ref).where(Case.case_type == "complaint").order_by(Case.id.desc())).first()
        app.push_screen(CaseScreen(ref))
        await settle(app, pilot)
        await human(pilot, "2")  # the timeline
        await settle(app, pilot)
        seen = []
        for _ in range(4):  # each timeline line whole in the detail below the list, as the cursor moves
            seen.append(screen_text(app))
            await human(pilot, "down")
        text = " ".join(" ".join(screen.split()) for screen in seen)  # a wrapped detail line reads whole
        assert "02/04/2026 12:00" in text, text  # the When column: a whole date, not 02/04/26
        assert "acknowledge by Mon 13/04/2026" in text or "acknowledgement by Mon 13/04/2026" in text, text
        assert "13 Apr" not in text, text


@pytest.mark.sqlite_only  # the screens, not the data
async def test_the_cash_up_expected_table_and_the_drafts_list_are_kit_lists_with_money_and_dates_whole(engine):
    """The cash-up's expected-by-method table and the drafts list were hand-built tables of fixed widths."""
    import uuid

    from builders import NOW

    from duty_tui.areas.payments.domain.rules import SplitLine
    from duty_tui.areas.payments.services.taking import PaymentRequest, take_payment
    from duty_tui.areas.payments.tui.cashup import CashUpScreen
    from duty_tui.core.tui.dialogs.drafts import DraftsDialog
    from duty_tui.core.tui.kit.list_table import ListTable

    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "reception")
        take_payment(app.ctx, PaymentRequest(uuid.uuid4().hex, "cash", (SplitLine("RNT000001", 123456),),
                                             till_code="TILL1", paid_by="Ann Payer", reference="x"))
        app.push_screen(CashUpScreen())
        await settle(app, pilot)
        table = app.screen.query_one("#cu-expected", ListTable)
        assert {"method", "expected", "counted", "variance"} <= set(table.shown_columns)
        cash = table.shown_text(table.keys[0])
        assert "£1,234.56" in cash and not any("…" in cell for cell in cash[1:]), cash
        assert "£1,234.56" in screen_text(app)
        app.pop_screen()
        await settle(app, pilot)

        class Draft:
            key, title, terminal = "k", "Log a contact: a very long title for the form that was left open", "t-42"
            updated_at = NOW

        app.push_screen(DraftsDialog([Draft()]))
        await settle(app, pilot)
        drafts = app.screen.query_one("#drafts-list", ListTable)
        assert drafts.row_values("0")["kept"] in screen_text(app)  # the date and time, whole
