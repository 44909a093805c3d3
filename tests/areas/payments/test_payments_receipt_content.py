"""What a receipt says (issue 11 item B15): the office's name whole, how the money came, and who paid.

A desk trial found receipts cutting the office's name at 42 characters, saying "Debit/credit card"
for a card payment taken by phone, and not saying who paid when it was not the account holder.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from builders import seed_office
from pilot import SIZE, build_app, human, keys, settle, sign_in
from sqlalchemy import text
from textual.widgets import Input

from duty_tui.areas.payments.services.printing import WIDTH, receipt_lines
from duty_tui.areas.payments.services.receipts import ReceiptLine, ReceiptView
from duty_tui.areas.payments.tui.payment import TakePaymentScreen
from duty_tui.areas.payments.tui.receipt import ReceiptScreen

OFFICE = "Riverside Housing Options & Tenancy Services, Civic Centre"


def field(lines: list[str], label: str) -> str | None:
    """The value printed after ``label`` on a receipt line."""
    return next((line[len(label):].strip() for line in lines if line.startswith(label + " ")), None)


@pytest.mark.sqlite_only  # a Pilot journey: the cash payment journey runs on both databases
async def test_a_card_by_phone_receipt_names_the_office_whole_the_channel_and_the_payer(engine):
    seed_office(engine)
    with engine.begin() as c:
        c.execute(text("UPDATE office SET name = :n"), {"n": OFFICE})
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, "reception", paste_over=8)
        await human(pilot, "f5")
        await settle(app, pilot)
        assert isinstance(app.screen, TakePaymentScreen)
        await human(pilot, *keys("RNT000001"), "enter")
        await settle(app, pilot)
        await human(pilot, "enter")
        await settle(app, pilot)
        screen = app.screen
        await human(pilot, *keys("25.00"), "tab", "down", "down")  # Method: ↓↓ from cash chooses card by phone
        await settle(app, pilot)
        assert str(screen.query_one("#pay-method").value) == "card_phone"
        screen.query_one("#pay-last4", Input).focus()
        await human(pilot, *keys("1111"), "tab", *keys("AUTH 829104"))
        screen.query_one("#pay-paid-by", Input).focus()
        await human(pilot, *keys("Mary Smith (daughter)".replace("(", "").replace(")", "")))
        await human(pilot, "f9")
        await settle(app, pilot)
        await human(pilot, "y")
        await settle(app, pilot)
        assert isinstance(app.screen, ReceiptScreen)
        body = str(app.screen.query_one("#receipt-body").render())
    lines = body.splitlines()
    assert lines[:2] == ["Riverside Housing Options & Tenancy", "Services, Civic Centre"]  # whole, wrapped
    assert field(lines, "How paid") == "Card by phone (gateway)"  # not just "Debit/credit card"
    assert field(lines, "Paid by") == "Mary Smith daughter"
    assert "  for Mr J Smith" in lines  # whose account it went to
    assert all(len(line) <= WIDTH for line in lines)


def test_the_payer_is_named_only_when_someone_else_paid_and_long_values_wrap_whole():
    view = ReceiptView(
        office_code="MAIN", office_name="Test Office", receipt_no=7, taken_at=datetime(2026, 3, 10, 9, tzinfo=UTC),
        business_date=datetime(2026, 3, 10).date(), taken_by="Rita Reception", method="cash", method_name="Cash",
        channel="counter", total_pence=5000,
        lines=(ReceiptLine("RNT000001", "rent", "John Smith", 5000, 10250),), till_code="TILL1",
        paid_by=" john  SMITH ", reference="Housing benefit shortfall for the weeks of March and April",
        how_paid="Cash at the counter")
    lines = receipt_lines(view)
    assert not any(line.startswith("Paid by") for line in lines)  # the holder paid: said once, as the account's
    assert field(lines, "How paid") == "Cash at the counter"
    assert lines[lines.index("Reference") + 1:lines.index("Reference") + 3] == [
        "  Housing benefit shortfall for the weeks", "  of March and April"]
    assert all(len(line) <= WIDTH for line in lines)
