"""Sending documents (issue 11 item 22): one path to a printer (CUPS), email (SMTP), a browser or a file.

The service (duty_tui.core.services.documents) against a fake ``lp`` on PATH, a private real CUPS when it
can run here, and a real SMTP server (aiosmtpd) on 127.0.0.1: what reaches the printer or the
mailbox, the clear message when it cannot, the audit of every attempt, the copy kept after a
failure and the send again, and each terminal's remembered way. The Pilot journey at 80x24 is in
tests/core/trust/test_send_journey.py.
"""

from __future__ import annotations

import json
import stat
import uuid
from pathlib import Path

import pytest
from builders import NOW, seed_office
from send_helpers import FakeCups, MailServer, PrivateCups, attachments, free_port
from sqlalchemy import text

from duty_tui.areas.payments.domain.rules import SplitLine
from duty_tui.areas.payments.services.printing import receipt_document, statement_document
from duty_tui.areas.payments.services.statements import account_statement
from duty_tui.areas.payments.services.taking import PaymentRequest, take_payment
from duty_tui.core.config.settings import Settings
from duty_tui.core.domain.errors import InputError
from duty_tui.core.services.audit_views import person_access_log
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.services.documents import (
    SendFailed,
    SendRequest,
    remembered,
    send_document,
    send_options,
    terminal_key,
)


def ctx_for(engine, username: str = "reception", *, terminal: str = "desk-3", **settings) -> ServiceContext:
    s = Settings(db_url=str(engine.url.render_as_string(hide_password=False)), terminal_id=terminal, **settings)
    ctx = ServiceContext.create(engine, s, clock=lambda: NOW)
    return ctx.as_actor(find_actor(ctx, username))


def a_receipt(ctx):
    return receipt_document(take_payment(ctx, PaymentRequest(uuid.uuid4().hex, "cash", (SplitLine("RNT000001", 5000),),
                                                             till_code="TILL1")))


def events(engine, prefix: str = "document.") -> list[tuple[int, str, str, str, dict]]:
    with engine.connect() as c:
        rows = c.execute(text("SELECT id, action, entity, entity_id, detail FROM audit_event WHERE action LIKE :p "
                              "ORDER BY id"), {"p": prefix + "%"}).all()
    return [(i, a, e, ei, json.loads(d)) for i, a, e, ei, d in rows]


def test_a_receipt_prints_on_the_desks_printer_audited_and_remembered(engine, tmp_path, monkeypatch):
    seed_office(engine)
    cups = FakeCups(tmp_path / "cups", monkeypatch)
    ctx = ctx_for(engine)
    receipt = a_receipt(ctx)
    options = send_options(ctx, receipt, web=False)
    assert options.printers == ("desk-1", "receipts") and options.print_problem is None
    assert options.channels == ("print", "email", "save") and options.channel == "save"  # nothing remembered yet

    sent = send_document(ctx, receipt, SendRequest("print", printer="desk-1"), web=False)

    [(args, data)] = cups.printed()
    assert args == ["-d", "desk-1", "-t", "Receipt MAIN-000001"]
    assert data == receipt.pdf  # the PDF, on standard input
    assert sent.job == "desk-1-1" and "sent to printer desk-1" in sent.message
    assert [(a, e, ei, d) for _i, a, e, ei, d in events(engine)] == [
        ("document.send", "payment", "MAIN-000001",
         {"kind": "receipts", "document": "receipt-MAIN-000001", "channel": "print", "to": "desk-1"})]
    assert remembered(ctx, "receipts") == ("print", "desk-1")
    again = send_options(ctx, receipt, web=False)
    assert (again.channel, again.printer) == ("print", "desk-1")
    assert remembered(ctx, "statements") is None  # per kind of document


def test_a_receipt_printer_queue_gets_the_text_in_its_own_encoding(engine, tmp_path, monkeypatch):
    seed_office(engine)
    cups = FakeCups(tmp_path / "cups", monkeypatch)
    ctx = ctx_for(engine, text_printers=("receipts",), text_printer_encoding="cp437")
    receipt = a_receipt(ctx)
    send_document(ctx, receipt, SendRequest("print", printer="receipts"), web=False)
    [(args, data)] = cups.printed()
    assert args[-2:] == ["-o", "raw"]
    assert b"RECEIPT MAIN-000001" in data and b"\x9c50.00" in data  # £ in code page 437
    assert not data.startswith(b"%PDF")


@pytest.mark.parametrize(("state", "words"), [
    ("stopped", ["Printer desk-1 is stopped (out of paper)", "cupsenable desk-1"]),
    ("rejecting", ["Printer desk-1 is not taking documents", "cupsaccept desk-1"]),
    ("down", ["print server (CUPS) is not running", "desk-1"]),
    ("missing", ["lp command, which is not installed", "apt-get install cups-client"]),
])
def test_a_printer_that_cannot_print_says_why_keeps_the_document_and_it_prints_once_fixed(
        sqlite_engine, tmp_path, monkeypatch, state, words):
    seed_office(sqlite_engine)
    cups = FakeCups(tmp_path / "cups", monkeypatch)
    ctx = ctx_for(sqlite_engine)
    receipt = a_receipt(ctx)
    cups.set(state)
    with pytest.raises(SendFailed) as failed:
        send_document(ctx, receipt, SendRequest("print", printer="desk-1"), web=False)
    message = failed.value.message
    assert message.startswith("Not sent.") and all(w in message for w in words), message
    assert "The document is kept: Enter tries again" in message
    kept = [Path(p) for p in failed.value.kept]  # a copy in the user's private folder
    assert [p.name for p in kept] == ["receipt-MAIN-000001.txt", "receipt-MAIN-000001.pdf"] and str(kept[1]) in message
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in kept)
    assert cups.printed() == [] if state != "missing" else True
    attempt, failure = events(sqlite_engine)
    assert attempt[1] == "document.send" and failure[1] == "document.send_failed"
    assert failure[4]["attempt"] == attempt[0] and words[0].split(" (")[0][:20] in failure[4]["reason"]
    assert remembered(ctx, "receipts") is None  # a failure does not become the desk's default

    if state == "missing":
        return
    cups.set("idle")  # the paper is back: the same document, sent again
    sent = send_document(ctx, receipt, SendRequest("print", printer="desk-1"), web=False)
    assert sent.channel == "print" and cups.printed()[-1][1] == receipt.pdf
    assert [a for _i, a, *_ in events(sqlite_engine)] == ["document.send", "document.send_failed", "document.send"]


def test_an_unknown_queue_and_a_letter_on_a_text_printer_are_refused_with_the_fix(sqlite_engine, tmp_path, monkeypatch):
    from duty_tui.core.services.printable import pdf_document

    seed_office(sqlite_engine)
    FakeCups(tmp_path / "cups", monkeypatch)
    ctx = ctx_for(sqlite_engine, text_printers=("receipts",))
    with pytest.raises(SendFailed, match="There is no printer called desk-9 .*lpstat -e"):
        send_document(ctx, a_receipt(ctx), SendRequest("print", printer="desk-9"), web=False)
    letter = pdf_document("letters", "C000001-s184_decision-1.pdf", b"%PDF-1.4", title="Decision", about=("case", "C1"))
    with pytest.raises(SendFailed, match="receipts prints text only .* choose another printer"):
        send_document(ctx, letter, SendRequest("print", printer="receipts"), web=False)


def test_a_statement_is_emailed_to_the_holder_with_the_pdf_attached(engine, tmp_path, monkeypatch):
    seed_office(engine)
    with engine.begin() as c:
        c.execute(text("UPDATE person SET email = 'john.smith@example.org' WHERE ref = 'P0000001'"))
    with MailServer(login=("desk", "s3cret-pw")) as mail:
        ctx = ctx_for(engine, **mail.settings(smtp_username="desk", smtp_password="s3cret-pw"))
        statement = statement_document(account_statement(ctx, "RNT000001", NOW.date(), NOW.date()))
        options = send_options(ctx, statement, web=False)
        assert options.email_to == "john.smith@example.org" and options.recipient == "John Smith"
        assert options.email_problem is None

        sent = send_document(ctx, statement, SendRequest("email", email_to=options.email_to), web=False)

    assert sent.message == "Statement RNT000001 10/03/2026-10/03/2026 emailed to john.smith@example.org"
    assert mail.logins == [("desk", "s3cret-pw")]
    [message] = mail.messages
    assert mail.envelopes == [("housing@example.gov.uk", ["john.smith@example.org"])]
    assert message["Subject"] == "Statement RNT000001 10/03/2026-10/03/2026 from Test Office"
    assert message["To"] == "john.smith@example.org" and message["From"] == "housing@example.gov.uk"
    assert "Smith" not in message.get_body(("plain",)).get_content()  # personal details only in the PDF
    [(name, kind, data)] = attachments(message)
    assert (name, kind, data) == ("statement-RNT000001-20260310-20260310.pdf", "application/pdf", statement.pdf)
    [(_i, action, entity, entity_id, detail)] = events(engine)
    assert (action, entity, entity_id) == ("document.send", "account", "RNT000001")
    assert detail["channel"] == "email" and detail["to"] == "j***@example.org"  # the address masked
    with engine.connect() as c:
        trail = " ".join(str(v) for row in c.execute(text("SELECT * FROM audit_event")).all() for v in row)
    assert "s3cret-pw" not in trail and "john.smith@" not in trail
    assert remembered(ctx, "statements") == ("email", None)
    log = person_access_log(ctx_for(engine, "leader"), "P0000001")  # the holder sees it in who-has-looked
    assert [(e.what, e.record) for e in log.entries if e.action == "document.send"] == [
        ("sent a document about them (printer, email, file)", "account RNT000001")]


def test_a_mail_server_that_refuses_or_is_not_there_says_so_and_the_same_email_goes_later(sqlite_engine, tmp_path):
    seed_office(sqlite_engine)
    with MailServer() as mail:
        ctx = ctx_for(sqlite_engine, **mail.settings())
        receipt = a_receipt(ctx)
        request = SendRequest("email", email_to="payer@example.org")

        mail.refuse = "recipient"
        with pytest.raises(InputError, match=r"refused the address payer@example.org \(550 5.1.1 No such mailbox"):
            send_document(ctx, receipt, request, web=False)
        mail.refuse = "message"
        with pytest.raises(SendFailed, match=r"refused the email \(554 5.7.1 Message rejected as spam\)"):
            send_document(ctx, receipt, request, web=False)

        closed = ctx_for(sqlite_engine, **mail.settings(smtp_port=free_port()))
        with pytest.raises(SendFailed) as failed:
            send_document(closed, receipt, request, web=False)
        assert f"The mail server 127.0.0.1:{closed.settings.smtp_port} cannot be reached" in failed.value.message
        assert "The document is kept" in failed.value.message and failed.value.kept

        mail.refuse = None  # sent again once the server takes it
        send_document(ctx, receipt, request, web=False)
        assert len(mail.messages) == 1
    actions = [(a, d.get("attempt")) for _i, a, _e, _ei, d in events(sqlite_engine)]
    ids = [i for i, *_ in events(sqlite_engine)]
    assert actions == [("document.send", None), ("document.send_failed", ids[0]), ("document.send", None),
                       ("document.send_failed", ids[2]), ("document.send", None), ("document.send_failed", ids[4]),
                       ("document.send", None)]


def test_email_not_set_up_and_a_mistyped_address_are_said_before_anything_goes(sqlite_engine):
    seed_office(sqlite_engine)
    ctx = ctx_for(sqlite_engine)
    receipt = a_receipt(ctx)
    assert "smtp_host" in send_options(ctx, receipt, web=False).email_problem
    with pytest.raises(SendFailed, match="Email is not set up on this computer"):
        send_document(ctx, receipt, SendRequest("email", email_to="a@example.org"), web=False)
    ready = ctx_for(sqlite_engine, smtp_host="127.0.0.1", smtp_from="housing@example.gov.uk")
    with pytest.raises(InputError, match="'payer@example' is not an email address"):
        send_document(ready, receipt, SendRequest("email", email_to="payer@example"), web=False)
    assert events(sqlite_engine) == []  # nothing was attempted


def test_each_terminal_remembers_its_own_way(sqlite_engine, tmp_path, monkeypatch):
    seed_office(sqlite_engine)
    FakeCups(tmp_path / "cups", monkeypatch)
    desk, back_office = ctx_for(sqlite_engine, terminal="desk-3"), ctx_for(sqlite_engine, "income", terminal="office-1")
    receipt = a_receipt(desk)
    send_document(desk, receipt, SendRequest("print", printer="receipts"), web=False)
    send_document(back_office, receipt, SendRequest("save"), web=False)
    assert remembered(desk, "receipts") == ("print", "receipts")
    assert remembered(back_office, "receipts") == ("save", None)
    assert send_options(back_office, receipt, web=True).channel == "download"  # the same choice, in a browser
    with sqlite_engine.connect() as c:
        assert c.execute(text("SELECT terminal, kind, channel, printer FROM terminal_send_choice ORDER BY terminal")).all() \
            == [("desk-3", "receipts", "print", "receipts"), ("office-1", "receipts", "save", None)]


def test_the_terminal_key_is_the_desk_not_the_window():
    from dataclasses import replace

    from duty_tui.core.services.context import os_identity

    settings = Settings(db_url="sqlite:///unused.db")
    ctx = ServiceContext(engine=None, settings=settings, reference=None,  # type: ignore[arg-type]
                         terminal=f"counter-pc:/dev/pts/7/{os_identity()}")
    assert terminal_key(ctx) == "counter-pc:pts"
    assert terminal_key(replace(ctx, terminal=f"ssh:10.1.2.3/{os_identity()}")) == "ssh:10.1.2.3"
    labelled = replace(ctx, settings=Settings(db_url="sqlite:///unused.db", terminal_id="web:10.1.2.3"))
    assert terminal_key(labelled) == "web:10.1.2.3"


def test_the_real_cups_prints_and_refuses_a_stopped_queue(sqlite_engine, tmp_path, monkeypatch):
    PrivateCups.skip_unless_possible()
    seed_office(sqlite_engine)
    cups = PrivateCups()
    cups.start(monkeypatch)
    try:
        ctx = ctx_for(sqlite_engine)
        receipt = a_receipt(ctx)
        assert "desk" in send_options(ctx, receipt, web=False).printers  # found with lpstat -e
        sent = send_document(ctx, receipt, SendRequest("print", printer="desk"), web=False)
        assert sent.job and sent.job.startswith("desk-")
        assert cups.printed(1) == [receipt.pdf]

        cups.admin("cupsdisable", "-r", "out of paper", "desk")
        with pytest.raises(SendFailed, match=r"Printer desk is stopped \(out of paper\).*cupsenable desk"):
            send_document(ctx, receipt, SendRequest("print", printer="desk"), web=False)
        cups.admin("cupsenable", "desk")
        cups.admin("cupsreject", "desk")
        with pytest.raises(SendFailed, match=r"Printer desk is not taking documents.*cupsaccept desk"):
            send_document(ctx, receipt, SendRequest("print", printer="desk"), web=False)
        with pytest.raises(SendFailed, match="There is no printer called nowhere"):
            send_document(ctx, receipt, SendRequest("print", printer="nowhere"), web=False)
    finally:
        cups.stop()
    with pytest.raises(SendFailed, match="print server \\(CUPS\\) is not running"):
        send_document(ctx, receipt, SendRequest("print", printer="desk"), web=False)
