"""The payments journeys of issue 5, driven through the real app at 80x24, keyboard only.

The cash payment at the counter runs on SQLite and PostgreSQL (the area's end-to-end check on
both); the other journeys are ``sqlite_only`` (the services they drive are tested on both databases).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from builders import seed_office
from pay_helpers import cash, ctx_for
from pilot import SIZE, build_app, screen_text, settle, sign_in, sign_out, type_text
from sqlalchemy import text
from textual import events
from textual.widgets import Input, Static

from duty_tui.areas.payments.tui.account import AccountScreen
from duty_tui.areas.payments.tui.cashup import CashUpScreen
from duty_tui.areas.payments.tui.cashup_report import CashUpReportScreen
from duty_tui.areas.payments.tui.payment import TakePaymentScreen
from duty_tui.areas.payments.tui.receipt import ReceiptScreen
from duty_tui.areas.payments.tui.refunds import RefundsScreen
from duty_tui.areas.payments.tui.suspense import SuspenseScreen
from duty_tui.core.cli import run
from duty_tui.core.tui.screens.person import PersonScreen

CARD_NUMBER = "4111 1111 1111 1111"


def _scalar(engine, sql: str, **params):
    with engine.connect() as c:
        return c.execute(text(sql), params).scalar()


async def _open_payment_for(app, pilot, query: str):
    """F5, find an account, choose it: the cursor ends in the amount box."""
    await pilot.press("f5")
    await settle(app, pilot)
    assert isinstance(app.screen, TakePaymentScreen)
    await type_text(app, pilot, query)
    await pilot.press("enter")
    await settle(app, pilot)
    await pilot.press("enter")  # choose the highlighted account
    await settle(app, pilot)


async def test_cash_payment_at_the_counter_with_receipt(engine):
    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, "reception", paste_over=8)
        await _open_payment_for(app, pilot, "RNT000001")
        screen = app.screen
        assert "Paying RNT000001" in screen_text(app, widgets=Static) and (
            "£152.50 arrears" in screen_text(app, widgets=Static))
        assert screen.focused is screen.query_one("#pay-amount", Input)
        await type_text(app, pilot, "50")
        await pilot.press("f9", "f9")  # F9 pressed twice: one confirmation, nothing posted yet
        await settle(app, pilot)
        assert "Take £50.00 — Cash at the counter into TILL1?" in screen_text(app, widgets=Static)
        assert sum(type(s).__name__ == "ConfirmDialog" for s in app.screen_stack) == 1
        assert _scalar(engine, "SELECT COUNT(*) FROM payment") == 0
        await pilot.press("y")
        await pilot.press("f9")  # pressed again while posting: refused, never posted twice
        await settle(app, pilot)
        assert isinstance(app.screen, ReceiptScreen)
        receipt = app.screen.receipt
        assert receipt.label == "MAIN-000001" and receipt.total_pence == 5000
        assert "balance now" in screen_text(app, widgets=Static) and (
            "£102.50 arrears" in screen_text(app, widgets=Static))
        await pilot.press("p")  # the send dialog: with no printer here, "save a file" is offered first
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        saved = [Path(p) for p in app.screen.saved]
        assert [p.suffix for p in saved] == [".txt", ".pdf"]
        assert "RECEIPT MAIN-000001" in saved[0].read_text() and saved[1].read_bytes().startswith(b"%PDF")
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, TakePaymentScreen)
        assert app.screen.query_one("#pay-amount", Input).value == ""
        assert "£102.50 arrears" in screen_text(app, widgets=Static)
    assert _scalar(engine, "SELECT COUNT(*) FROM payment") == 1
    assert _scalar(engine, "SELECT SUM(amount_pence) FROM ledger_entry WHERE account_id = "
                           "(SELECT id FROM account WHERE ref = 'RNT000001')") == 10250


@pytest.mark.sqlite_only  # a Pilot journey: SQLite only (see the module docstring)
async def test_card_payment_by_phone_refuses_a_pasted_card_number(engine):
    office = seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, "reception", paste_over=8)
        app.push_screen(PersonScreen(office.smith_1961))
        await settle(app, pilot)
        await pilot.press("f5")  # for the person on screen
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, TakePaymentScreen) and screen.person_ref == office.smith_1961
        assert "RNT000001" in screen_text(app, widgets=Static)
        await pilot.press("enter")
        await settle(app, pilot)
        await type_text(app, pilot, "25.00")
        await pilot.press("tab", "down", "down")  # Method: card by phone (the arrows choose it)
        await settle(app, pilot)
        assert str(screen.query_one("#pay-method").value) == "card_phone"
        await pilot.press("tab")  # the till is skipped for phone payments
        await type_text(app, pilot, "1111")
        await pilot.press("tab")
        assert screen.focused is screen.query_one("#pay-terminal", Input)
        screen.focused.post_message(events.Paste(CARD_NUMBER))  # pasted from somewhere
        await settle(app, pilot)
        await pilot.press("f9")
        await settle(app, pilot)
        message = screen.form.shown("pay-terminal")  # said beside the box it was pasted into
        assert "looks like a full card number" in message and "never type or paste card numbers" in message
        assert not isinstance(app.screen, ReceiptScreen)
        assert screen.query_one("#pay-amount", Input).value == "25.00"  # nothing typed is lost
        terminal = screen.query_one("#pay-terminal", Input)
        terminal.value = ""
        terminal.focus()
        await type_text(app, pilot, "AUTH 829104")
        await pilot.press("f9")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        assert isinstance(app.screen, ReceiptScreen)
        assert "**** 1111" in screen_text(app, widgets=Static) and "AUTH 829104" in screen_text(app, widgets=Static)
    with engine.connect() as c:
        stored = " ".join(str(v) for row in c.execute(text("SELECT * FROM payment")).all() for v in row)
        stored += " ".join(str(v) for row in c.execute(text("SELECT * FROM ledger_entry")).all() for v in row)
        stored += " ".join(str(v) for row in c.execute(text("SELECT * FROM audit_event")).all() for v in row)
    assert "4111111111111111" not in stored.replace(" ", "") and "card_phone" not in stored
    assert _scalar(engine, "SELECT card_last4 FROM payment") == "1111"


@pytest.mark.sqlite_only  # a Pilot journey: SQLite only (see the module docstring)
async def test_reverse_a_mistaken_payment_as_team_leader_not_reception(engine):
    seed_office(engine)
    cash(ctx_for(engine, "reception"), "RNT000001", 9000)  # meant to be £9.00
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, "reception", paste_over=8)
        await _open_payment_for(app, pilot, "RNT000001")
        await pilot.press("shift+tab")  # back to the list of accounts
        await pilot.press("v")
        await settle(app, pilot)
        assert isinstance(app.screen, AccountScreen)
        await pilot.press("r")  # the receipt again, to reprint it
        await settle(app, pilot)
        assert isinstance(app.screen, ReceiptScreen) and app.screen.receipt.label == "MAIN-000001"
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("x")
        await settle(app, pilot)
        assert "may not reverse payments" in screen_text(app, widgets=Static)
        await sign_out(app, pilot)
        await sign_in(app, pilot, "leader", paste_over=8)
        await _open_payment_for(app, pilot, "RNT000001")
        await pilot.press("shift+tab", "v")
        await settle(app, pilot)
        assert isinstance(app.screen, AccountScreen)
        await pilot.press("x")  # the newest row is highlighted: the £90 payment
        await settle(app, pilot)
        assert "Reverse a ledger row" in screen_text(app, widgets=Static) and (
            "-£90.00" in screen_text(app, widgets=Static))
        await pilot.press("down", "down")  # reason: wrong amount keyed (the arrows choose it)
        await pilot.press("tab")
        await type_text(app, pilot, "keyed 90 not 9")
        await pilot.press("enter")
        await settle(app, pilot)
        assert "Reversed #" in screen_text(app, widgets=Static) and (
            "£152.50 arrears" in screen_text(app, widgets=Static))
    assert _scalar(engine, "SELECT reason FROM ledger_entry WHERE kind = 'reversal'") == \
        "Wrong amount keyed: keyed 90 not 9"
    assert _scalar(engine, "SELECT COUNT(*) FROM ledger_entry WHERE reverses_id IS NOT NULL") == 1


@pytest.mark.sqlite_only  # a Pilot journey: SQLite only (see the module docstring)
async def test_refund_requested_and_authorised_by_two_different_users(engine):
    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, "leader", paste_over=8)
        await _open_payment_for(app, pilot, "RNT000002")
        await pilot.press("shift+tab", "v")
        await settle(app, pilot)
        await pilot.press("f")
        await settle(app, pilot)
        assert "up to £20.00 may be refunded" in screen_text(app, widgets=Static)
        await pilot.press("tab", "tab", "tab")  # amount (20.00) · method · payee · reason
        await type_text(app, pilot, "direct debit overpaid")
        await pilot.press("enter")
        await settle(app, pilot)
        assert "Refund RF000001 of £20.00 requested" in screen_text(app, widgets=Static)
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("r")  # refunds waiting (the list of accounts has the focus)
        await settle(app, pilot)
        assert isinstance(app.screen, RefundsScreen)
        await pilot.press("a")
        await settle(app, pilot)
        assert "You requested RF000001; another person must authorise it." in screen_text(app, widgets=Static)
        await sign_out(app, pilot)
        await sign_in(app, pilot, "income", paste_over=8)
        await pilot.press("f5")
        await settle(app, pilot)
        await pilot.press("tab", "r")
        await settle(app, pilot)
        assert isinstance(app.screen, RefundsScreen) and "RF000001" in screen_text(app, widgets=Static)
        await pilot.press("a")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        assert "RF000001 authorised." in screen_text(app, widgets=Static)
    assert _scalar(engine, "SELECT status FROM refund_request") == "authorised"
    assert _scalar(engine, "SELECT SUM(amount_pence) FROM ledger_entry WHERE account_id = "
                           "(SELECT id FROM account WHERE ref = 'RNT000002')") == 0


@pytest.mark.sqlite_only  # a Pilot journey: SQLite only (see the module docstring)
async def test_cash_up_the_till_with_a_variance_and_second_person_signs_off(engine):
    seed_office(engine)
    reception = ctx_for(engine, "reception")
    cash(reception, "RNT000001", 5000)
    cash(reception, "RNT000003", 2550)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, "reception", paste_over=8)
        await pilot.press("f5")
        await settle(app, pilot)
        await pilot.press("tab", "c")
        await settle(app, pilot)
        assert isinstance(app.screen, CashUpScreen)
        assert "expected £75.50" in screen_text(app, widgets=Static)
        await pilot.press("tab")  # £50 -> £20
        await type_text(app, pilot, "3")
        await pilot.press("tab")
        await type_text(app, pilot, "1")  # £10
        await pilot.press("tab")
        await type_text(app, pilot, "1")  # £5
        for _ in range(4):  # £2, £1, 50p -> 20p
            await pilot.press("tab")
        await type_text(app, pilot, "2")  # 2 x 20p: £75.40 counted
        assert "Counted £75.40 · expected £75.50 · £0.10 SHORT" in screen_text(app, widgets=Static)
        await pilot.press("f9")
        await settle(app, pilot)
        assert "say why in the variance reason" in screen_text(app, widgets=Static)
        app.screen.query_one("#cu-reason", Input).focus()
        await type_text(app, pilot, "gave 10p too much change")
        await pilot.press("f9")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        assert isinstance(app.screen, CashUpReportScreen)
        report = screen_text(app, widgets=Static)
        assert "Variance: £0.10 SHORT" in report and "NOT YET SIGNED OFF" in report
        await pilot.press("s")
        await settle(app, pilot)
        assert "may not sign off cash-ups" in screen_text(app, widgets=Static)  # reception: not its role, nor its own
        await sign_out(app, pilot)
        await sign_in(app, pilot, "leader", paste_over=8)
        await pilot.press("f5")
        await settle(app, pilot)
        await pilot.press("tab", "o")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, CashUpReportScreen)
        await pilot.press("s")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        assert "Signed off by Lee Leader" in screen_text(app, widgets=Static)
    assert _scalar(engine, "SELECT status FROM cashup") == "signed_off"
    assert _scalar(engine, "SELECT variance_pence FROM cashup") == -10


@pytest.mark.sqlite_only  # a Pilot journey: SQLite only (see the module docstring)
async def test_import_with_an_unknown_ref_to_suspense_then_reallocate(engine, db_url, tmp_path, capsys):
    seed_office(engine)
    path = tmp_path / "allpay.csv"
    path.write_text("date,account_ref,amount,method,external_id\n"
                    "2026-03-09,RNT000001,20.00,allpay,AP-1\n"
                    "2026-03-09,RNT00003,35.00,allpay,AP-2\n", encoding="utf-8")
    assert run(["--db", db_url, "payments", "import", str(path), "--json", "--as", "income"]) == 0
    assert json.loads(capsys.readouterr().out) == {"posted": 1, "skipped": 0, "suspense": 1, "total_pence": 5500}
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, "income", paste_over=8)
        await pilot.press("f5")
        await settle(app, pilot)
        await pilot.press("tab", "u")
        await settle(app, pilot)
        assert isinstance(app.screen, SuspenseScreen)
        assert app.screen.items[0].given_ref == "RNT00003"
        assert "1 item in suspense, £35.00" in screen_text(app, widgets=Static)
        await pilot.press("enter")
        await settle(app, pilot)
        await type_text(app, pilot, "RNT000003")
        await pilot.press("enter")
        await type_text(app, pilot, "ref missing a zero")
        await pilot.press("enter")
        await settle(app, pilot)
        assert "Moved £35.00 to RNT000003" in screen_text(app, widgets=Static)
        assert "Nothing in suspense." in screen_text(app, widgets=Static)
    assert _scalar(engine, "SELECT SUM(amount_pence) FROM ledger_entry WHERE account_id = "
                           "(SELECT id FROM account WHERE ref = 'RNT000003')") == -3500
    assert _scalar(engine, "SELECT COUNT(*) FROM suspense_allocation") == 1
    assert _scalar(engine, "SELECT COUNT(*) FROM audit_event WHERE action = 'suspense.allocate'") == 1


@pytest.mark.sqlite_only  # a Pilot journey: SQLite only (see the module docstring)
async def test_retry_after_a_timeout_never_posts_twice(engine, monkeypatch):
    import duty_tui.areas.payments.services.taking as taking_service
    from duty_tui.core.domain.errors import EnvironmentProblem

    seed_office(engine)
    real = taking_service.take_payment
    calls = []

    def committed_then_timed_out(ctx, request):
        calls.append(request.idempotency_key)
        receipt = real(ctx, request)
        if len(calls) == 1:
            raise EnvironmentProblem("database did not answer in time (the payment was in fact committed)")
        return receipt

    monkeypatch.setattr(taking_service, "take_payment", committed_then_timed_out)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, "reception", paste_over=8)
        await _open_payment_for(app, pilot, "RNT000001")
        await type_text(app, pilot, "12.34")
        await pilot.press("f9")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        assert "may not have been posted" in screen_text(app, widgets=Static) and (
            "never posted twice" in screen_text(app, widgets=Static))
        assert app.screen.query_one("#pay-amount", Input).value == "12.34"
        await pilot.press("f9")  # the retry
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        assert isinstance(app.screen, ReceiptScreen) and app.screen.receipt.replayed
        assert "already posted" in screen_text(app, widgets=Static)
    assert calls[0] == calls[1]  # the same posting key both times
    assert _scalar(engine, "SELECT COUNT(*) FROM payment") == 1
    assert _scalar(engine, "SELECT COUNT(*) FROM ledger_entry WHERE receipt_no IS NOT NULL") == 1
