"""Printed documents are inert and reach the person in front of the session (issue 10 items 10 and 16).

A payer, an account holder, an applicant and a member of staff whose stored names hold an OSC 52 clipboard
write, a clear-screen and BEL: the receipt, statement, cash-up report and letter made from them hold none
of those bytes, as text or in the PDF's page content (``cat receipt.txt`` in a terminal must not set the
clipboard). In a terminal session the files are saved in the user's own folder, 0600; in a browser
session (the app's driver is a web driver) the PDF goes to ``deliver_binary`` (the browser's download) and
nothing is written to the server's disk.
"""

from __future__ import annotations

import re
import stat
import uuid
import zlib
from pathlib import Path

import pytest
from builders import NOW, seed_office
from pilot import SIZE, build_app, quick_sign_in, settle
from sqlalchemy import text

from duty_tui.areas.housing_options.services.approach import save_approach
from duty_tui.areas.housing_options.services.case_view import get_housing_case
from duty_tui.areas.housing_options.services.letters import issue_letter, notice_pdf, preview_letter
from duty_tui.areas.payments.domain.rules import SplitLine
from duty_tui.areas.payments.services.cashup import submit_cashup
from duty_tui.areas.payments.services.printing import receipt_pdf, statement_pdf
from duty_tui.areas.payments.services.statements import account_statement
from duty_tui.areas.payments.services.taking import PaymentRequest, take_payment
from duty_tui.core.config.settings import Settings
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext

HOSTILE = "Eve\x1b]52;c;ZXZpbA==\x07\x1b[2J\x07"
"""OSC 52 (set the clipboard to 'evil'), clear screen, BEL."""
SHOWN = "Eve\u241b]52;c;ZXZpbA==\u2407\u241b[2J\u2407"
"""The same as a document shows it: each control a visible symbol."""
_RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

ROUGH_SLEEPER = {"approach_date": "10/03/2026", "eligible": "yes", "rough_sleeping": True,
                 "priority_state": "grounds", "priority_grounds": ["vulnerable"], "support_needs": ["mental_health"],
                 "loss_reason": "family_friends", "current_accommodation": "rough_sleeping",
                 "last_settled_accommodation": "living_with_family"}


def ctx_as(engine, username: str) -> ServiceContext:
    ctx = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="test", clock=lambda: NOW)
    return ctx.as_actor(find_actor(ctx, username))


def make_names_hostile(engine) -> None:
    """The office, the receptionist, the options officer, account RNT000001's holder and Jon Smyth (P0000003)."""
    with engine.begin() as c:
        c.execute(text("UPDATE office SET name = :n"), {"n": f"Office {HOSTILE}"})
        c.execute(text("UPDATE staff_user SET display_name = :n WHERE username IN ('reception', 'options')"),
                  {"n": HOSTILE})
        c.execute(text("UPDATE account SET holder_name = :n WHERE ref = 'RNT000001'"), {"n": HOSTILE})
        c.execute(text("UPDATE person SET forename = :n WHERE ref = 'P0000003'"), {"n": HOSTILE})


def hostile_receipt(engine):
    """A cash payment whose payer and reference are the hostile name, taken by the hostile receptionist."""
    return take_payment(ctx_as(engine, "reception"), PaymentRequest(
        uuid.uuid4().hex, "cash", (SplitLine("RNT000001", 5000),), till_code="TILL1", paid_by=HOSTILE,
        reference=HOSTILE))


def pdf_content(pdf: bytes) -> bytes:
    """The PDF with its compressed streams (page content, metadata) inflated, as one byte string."""
    streams = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
    parts = [streams.sub(b"stream endstream", pdf)]  # the objects outside the streams (the title, for one)
    for stream in streams.findall(pdf):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            parts.append(stream)
    return b"\n".join(parts)


def assert_inert_text(document: str, *, shown: str = SHOWN) -> None:
    bad = _RAW.search(document.replace("\n", ""))
    assert bad is None, f"raw {bad.group()!r} in the document:\n{document!r}"
    assert shown in document, document


def assert_inert_pdf(pdf: bytes) -> None:
    content = pdf_content(pdf)
    assert pdf.startswith(b"%PDF")
    for raw in (b"\x1b", b"\x07"):
        assert raw not in content, f"raw {raw!r} in the PDF"
    assert b"]52;c;ZXZpbA==" in content  # the name is printed, its controls as '?' (not in the core font)


def test_receipts_statements_and_letters_are_inert(engine) -> None:
    seed_office(engine)
    make_names_hostile(engine)
    receipt = hostile_receipt(engine)
    assert_inert_pdf(receipt_pdf(receipt))
    statement = account_statement(ctx_as(engine, "reception"), "RNT000001", NOW.date(), NOW.date())
    assert_inert_pdf(statement_pdf(statement))

    options = ctx_as(engine, "options")
    saved = save_approach(options, ROUGH_SLEEPER, person_ref="P0000003")
    preview = preview_letter(options, saved.case_ref, "s184_decision")
    assert_inert_text(preview.text)
    notice = issue_letter(options, saved.case_ref, "s184_decision")
    stored = get_housing_case(options, saved.case_ref).notices[0]
    assert_inert_text(stored.body)  # the letter as issued and kept holds no control either
    _name, pdf = notice_pdf(options, notice.id)
    assert_inert_pdf(pdf)


def _saved_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".txt", ".pdf"))


@pytest.mark.sqlite_only  # a Pilot journey (the services above run on both databases)
async def test_in_a_terminal_documents_are_saved_private_and_inert(engine, tmp_path) -> None:
    from duty_tui.areas.payments.tui.account import AccountScreen
    from duty_tui.areas.payments.tui.cashup_report import CashUpReportScreen
    from duty_tui.areas.payments.tui.receipt import ReceiptScreen

    seed_office(engine)
    make_names_hostile(engine)
    receipt = hostile_receipt(engine)
    cashup = submit_cashup(ctx_as(engine, "reception"), "TILL1", {5000: 1}, {})
    data_home = tmp_path / "xdg" / "data"
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(app, pilot, "reception")
        app.push_screen(ReceiptScreen(receipt))
        await settle(app, pilot)
        await pilot.press("p")  # the send dialog: in a terminal "save", in a browser "download" is preselected
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        saved = [Path(p) for p in app.screen.saved]
        assert [p.suffix for p in saved] == [".txt", ".pdf"]
        app.push_screen(AccountScreen("RNT000001", NOW.date(), NOW.date()))
        await settle(app, pilot)
        await pilot.press("p")  # the send dialog: in a terminal "save", in a browser "download" is preselected
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        app.push_screen(CashUpReportScreen(cashup))
        await settle(app, pilot)
        await pilot.press("p")  # the send dialog: in a terminal "save", in a browser "download" is preselected
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
    files = _saved_files(data_home)
    assert {p.name for p in files} == {"receipt-MAIN-000001.txt", "receipt-MAIN-000001.pdf",
                                       "statement-RNT000001-20260310-20260310.txt",
                                       "statement-RNT000001-20260310-20260310.pdf",
                                       f"cashup-{cashup.ref}.txt", f"cashup-{cashup.ref}.pdf"}
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, f"{path} is {oct(path.stat().st_mode)}"
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700, f"{path.parent} is open to others"
        if path.suffix == ".txt":
            assert_inert_text(path.read_text(encoding="utf-8"))
        else:
            assert_inert_pdf(path.read_bytes())


class Browser:
    """Stands in for textual-serve: the app's driver says it is a web driver and records deliveries."""

    def __init__(self, app, monkeypatch) -> None:
        self.deliveries: list[dict] = []
        driver = app._driver
        monkeypatch.setattr(type(driver), "is_web", property(lambda _self: True))
        monkeypatch.setattr(driver, "deliver_binary", self.deliver_binary)

    def deliver_binary(self, binary, *, delivery_key, save_path, open_method="download", encoding=None,
                       mime_type=None, name=None) -> None:
        self.deliveries.append({"content": binary.read(), "file_name": save_path.name, "mime_type": mime_type,
                                "open_method": open_method, "encoding": encoding})
        binary.close()


@pytest.mark.sqlite_only
async def test_in_a_browser_documents_are_downloaded_not_saved(engine, tmp_path, monkeypatch) -> None:
    from duty_tui.areas.payments.tui.account import AccountScreen
    from duty_tui.areas.payments.tui.cashup_report import CashUpReportScreen
    from duty_tui.areas.payments.tui.receipt import ReceiptScreen

    seed_office(engine)
    make_names_hostile(engine)
    receipt = hostile_receipt(engine)
    cashup = submit_cashup(ctx_as(engine, "reception"), "TILL1", {5000: 1}, {})
    options = ctx_as(engine, "options")
    case_ref = save_approach(options, ROUGH_SLEEPER, person_ref="P0000003").case_ref
    notice = issue_letter(options, case_ref, "s184_decision")
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        browser = Browser(app, monkeypatch)
        await quick_sign_in(app, pilot, "reception")
        app.push_screen(ReceiptScreen(receipt))
        await settle(app, pilot)
        await pilot.press("p")  # the send dialog: in a terminal "save", in a browser "download" is preselected
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen.saved == []
        app.push_screen(AccountScreen("RNT000001", NOW.date(), NOW.date()))
        await settle(app, pilot)
        await pilot.press("p")  # the send dialog: in a terminal "save", in a browser "download" is preselected
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        app.push_screen(CashUpReportScreen(cashup))
        await settle(app, pilot)
        await pilot.press("p")  # the send dialog: in a terminal "save", in a browser "download" is preselected
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)

        from duty_tui.areas.housing_options.tui.case import OptionsCaseScreen

        app.signed_in(find_actor(app.ctx, "options"))
        await settle(app, pilot)
        app.push_screen(OptionsCaseScreen(case_ref))
        await settle(app, pilot)
        app.screen.send_letter(notice.id, notice.title)  # the letter dialog's "print or send" choice
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
    names = [d["file_name"] for d in browser.deliveries]
    assert names == ["receipt-MAIN-000001.pdf", "statement-RNT000001-20260310-20260310.pdf",
                     f"cashup-{cashup.ref}.pdf", f"{case_ref}-s184_decision-{notice.id}.pdf"]
    for delivery in browser.deliveries:
        assert delivery["mime_type"] == "application/pdf" and delivery["open_method"] == "download"
        assert_inert_pdf(delivery["content"])
    assert _saved_files(tmp_path / "xdg" / "data") == [], "a browser session left documents on the server's disk"
