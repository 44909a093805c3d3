"""A receptionist takes a payment, prints the receipt on the desk's printer, then emails a statement
(issue 11 item 22), at 80x24, typed at human pace, on SQLite and PostgreSQL.

The printer is a fake ``lp`` on PATH (tests/core/trust/send_helpers.py: the real CUPS is tested in
test_send_documents.py); the mail server is a real SMTP server (aiosmtpd) on 127.0.0.1.
"""

from __future__ import annotations

import pytest
from builders import seed_office
from pilot import SIZE, build_app, human, keys, screen_text, settle, sign_in, wait_for
from send_helpers import FakeCups, MailServer, attachments
from sqlalchemy import text

from duty_tui.areas.payments.tui.account import AccountScreen
from duty_tui.areas.payments.tui.payment import TakePaymentScreen
from duty_tui.areas.payments.tui.receipt import ReceiptScreen
from duty_tui.core.tui.dialogs.send_document import SendDocumentDialog


async def send_dialog(app, pilot) -> SendDocumentDialog:
    """The send dialog, once it has found the printers."""
    assert await wait_for(app, pilot, lambda: isinstance(app.screen, SendDocumentDialog)
                          and app.screen.options is not None)
    return app.screen


@pytest.mark.sqlite_only  # a journey through the screens: the services under it run on both databases
async def test_take_a_payment_print_the_receipt_on_the_desk_printer_then_email_a_statement(engine, tmp_path,
                                                                                           monkeypatch):
    seed_office(engine)
    with engine.begin() as c:
        c.execute(text("UPDATE person SET email = 'john.smith@example.org' WHERE ref = 'P0000001'"))
    cups = FakeCups(tmp_path / "cups", monkeypatch)
    with MailServer() as mail:
        app = build_app(engine, terminal_id="desk-3", **mail.settings())
        async with app.run_test(size=SIZE) as pilot:
            await sign_in(app, pilot)
            await human(pilot, "f5")
            await settle(app, pilot)
            assert isinstance(app.screen, TakePaymentScreen)
            await human(pilot, *keys("RNT000001"), "enter")
            await settle(app, pilot)
            await human(pilot, "enter")  # the account: the cursor goes to the amount
            await settle(app, pilot)
            await human(pilot, *keys("50"), "f9")  # F9 posts (Enter moves to the next field)
            await settle(app, pilot)
            await human(pilot, "y")
            await settle(app, pilot)
            assert isinstance(app.screen, ReceiptScreen)

            # p: the send dialog, nothing remembered yet at this desk, so "save a file" is offered first.
            await human(pilot, "p")
            dialog = await send_dialog(app, pilot)
            shown = screen_text(app)
            assert "Send receipt MAIN-000001 — about John Smith" in shown
            assert "( ) Print on desk-1" in shown and "( ) Print on receipts" in shown and "( ) Email" in shown
            assert "(•) Save a file on this computer" in shown
            await human(pilot, "up", "up", "up")  # to the desk's printer
            assert "(•) Print on desk-1" in screen_text(app)
            await human(pilot, "enter")
            await settle(app, pilot)
            assert isinstance(app.screen, ReceiptScreen), screen_text(app)
            assert "Receipt MAIN-000001 sent to printer desk-1 (job desk-1-1)" in screen_text(app)
            [(args, data)] = cups.printed()
            assert args[:2] == ["-d", "desk-1"] and data.startswith(b"%PDF")

            # Back to the form, to the account, its statement: emailed to the holder on record.
            await human(pilot, "escape")
            await settle(app, pilot)
            assert isinstance(app.screen, TakePaymentScreen)
            await human(pilot, "shift+tab", "v")
            await settle(app, pilot)
            assert isinstance(app.screen, AccountScreen)
            await human(pilot, "p")
            dialog = await send_dialog(app, pilot)
            assert "Send statement RNT000001 — about John Smith" in screen_text(app)
            assert dialog.query_one("#send-email").value == "john.smith@example.org"
            await human(pilot, "up")  # from "save a file" to email
            assert "(•) Email" in screen_text(app)
            await human(pilot, "enter")
            await settle(app, pilot)
            assert await wait_for(app, pilot, lambda: isinstance(app.screen, AccountScreen))
            assert "emailed to john.smith@example.org" in screen_text(app)

            # The receipt again, from the statement: this desk's printer is what is offered now, and
            # p Enter pressed at once (before the dialog has found the printers) prints it there.
            await human(pilot, "r")
            await settle(app, pilot)
            assert isinstance(app.screen, ReceiptScreen)
            await pilot.press("p", "enter")
            await settle(app, pilot)
            assert await wait_for(app, pilot, lambda: len(cups.printed()) == 2 and isinstance(app.screen, ReceiptScreen))
            assert cups.printed()[1][0][:2] == ["-d", "desk-1"]
            await human(pilot, "p")
            await send_dialog(app, pilot)
            assert "(•) Print on desk-1" in screen_text(app)
            await human(pilot, "escape")
            await settle(app, pilot)
            assert isinstance(app.screen, ReceiptScreen) and "Not sent" in screen_text(app)

    [message] = mail.messages
    assert message["To"] == "john.smith@example.org"
    assert [(name, kind) for name, kind, _data in attachments(message)] == [
        ("statement-RNT000001-20251209-20260310.pdf", "application/pdf")]
    with engine.connect() as c:
        sends = c.execute(text("SELECT action, entity, entity_id, terminal FROM audit_event "
                               "WHERE action LIKE 'document.%' ORDER BY id")).all()
    assert [tuple(row) for row in sends] == [("document.send", "payment", "MAIN-000001", "pilot"),
                                             ("document.send", "account", "RNT000001", "pilot"),
                                             ("document.send", "payment", "MAIN-000001", "pilot")]
    with engine.connect() as c:  # remembered for this desk (terminal_id), per kind of document
        assert c.execute(text("SELECT terminal, kind, channel, printer FROM terminal_send_choice ORDER BY kind")).all() \
            == [("desk-3", "receipts", "print", "desk-1"), ("desk-3", "statements", "email", None)]
