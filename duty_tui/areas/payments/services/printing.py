"""Printable payments documents: receipts, statements and cash-up reports, as text and PDF.

The text is the document (what a receipt printer prints); the PDF is the same lines
through ``duty_tui.core.services.pdf.text_pdf``. A ``Document`` holds both; both pass every line
through ``inert`` (a payer's name holding ESC, BEL or an OSC 52 clipboard sequence prints
as visible symbols, never as a control to the terminal or editor that later shows the
file). Where a document goes is chosen in the send dialog (``duty_tui.core.tui.dialogs.send_document``)
and done by ``duty_tui.core.services.documents``: a printer, email, a browser download, or a file in the
user's data folder (``receipts/``, ``statements/``, ``cashups/``) readable by that user only.
"""

from __future__ import annotations

import textwrap

from duty_tui.areas.payments.services.cashup import CashUpView
from duty_tui.areas.payments.services.receipts import ReceiptView
from duty_tui.areas.payments.services.statements import StatementView
from duty_tui.areas.payments.services.words import account_type_name
from duty_tui.core.domain.local_time import format_local
from duty_tui.core.domain.money import format_balance, format_pence
from duty_tui.core.services.pdf import text_pdf
from duty_tui.core.services.printable import Document, make_document

WIDTH = 42  # a receipt printer's line


def _pair(left: str, right: str, width: int = WIDTH) -> str:
    return f"{left} {right:>{max(1, width - len(left) - 1)}}"


def _field(left: str, right: str) -> list[str]:
    """A label and its value on one line, or when the value is too long, the value whole on the lines below."""
    if len(left) + 1 + len(right) <= WIDTH:
        return [_pair(left, right)]
    return [left] + ["  " + part for part in textwrap.wrap(right, WIDTH - 2, break_on_hyphens=False)]


def _same_person(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def receipt_lines(view: ReceiptView) -> list[str]:
    """A receipt as printed, 42 characters wide: nothing cut (long names and the office's name wrap).

    It says how the money came ("Card by phone (gateway)", "Cash at the counter"), whose account it
    went to, and who paid when that was someone other than the account holder.
    """
    lines = textwrap.wrap(view.office_name, WIDTH) or [""]
    lines += ["RECEIPT " + view.label, "-" * WIDTH, _pair("Date", format_local(view.taken_at))]
    lines += _field("Taken by", view.taken_by)
    lines += _field("How paid", view.how_paid or view.method_name)
    if view.till_code:
        lines.append(_pair("Till", view.till_code))
    if view.card_last4:
        lines.append(_pair("Card", f"**** {view.card_last4}"))
    if view.terminal_ref:
        lines += _field("Terminal ref", view.terminal_ref)
    if view.cheque_no:
        lines.append(_pair("Cheque no", view.cheque_no))
    holders = [line.holder for line in view.lines]
    if view.paid_by and not any(_same_person(view.paid_by, holder) for holder in holders):
        lines += _field("Paid by", view.paid_by)
    if view.reference:
        lines += _field("Reference", view.reference)
    lines.append("-" * WIDTH)
    for line in view.lines:
        lines.append(_pair(f"{line.account_ref} {account_type_name(line.account_type)}"[:30],
                           format_pence(line.amount_pence)))
        lines += ["  " + part for part in textwrap.wrap(f"for {line.holder}", WIDTH - 2)]
        lines.append(_pair("  balance now", format_balance(line.balance_after_pence)))
        if line.account_ref in view.reversed_lines:
            lines.append("  ** THIS PAYMENT WAS REVERSED **")
    lines += ["-" * WIDTH, _pair("TOTAL PAID", format_pence(view.total_pence)), "",
              "Thank you. Keep this receipt."]
    if view.replayed:
        lines.append("(copy: this payment was already posted)")
    return lines


def receipt_pdf(view: ReceiptView) -> bytes:
    """The receipt as a PDF."""
    return text_pdf(f"Receipt {view.label}", receipt_lines(view))


def statement_lines(view: StatementView) -> list[str]:
    """A statement: opening balance, every row with its running balance, closing balance."""
    lines = [view.office_name, f"Statement of account {view.account_ref} ({view.type_name})",
             f"Holder: {view.holder}",
             f"Period: {view.start:%d/%m/%Y} to {view.end:%d/%m/%Y}   produced {format_local(view.produced_at)}",
             "Balances are positive when money is owed.", "",
             f"{'Date':<10} {'Row':>8} {'Details':<36} {'Amount':>11} {'Balance':>11}",
             f"{view.start:%d/%m/%Y} {'':>8} {'Opening balance':<36} {'':>11} {format_pence(view.opening_pence):>11}"]
    for row in view.rows:
        details = row.description + (f" · receipt {row.receipt}" if row.receipt else "")
        if row.reversed_by:
            details += f" · REVERSED by #{row.reversed_by}"
        chunks = [details[i:i + 36] for i in range(0, len(details), 36)] or [""]
        lines.append(f"{row.effective_date:%d/%m/%Y} {row.entry_id:>8} {chunks[0]:<36} "
                     f"{format_pence(row.amount_pence):>11} {format_pence(row.balance_pence):>11}")
        lines += [f"{'':10} {'':>8} {chunk:<36}" for chunk in chunks[1:]]
    lines += [f"{view.end:%d/%m/%Y} {'':>8} {'Closing balance':<36} {'':>11} {format_pence(view.closing_pence):>11}",
              "", f"Balance today: {format_balance(view.balance_now_pence)}"]
    for note in view.notes:  # a 53-week rent year (the rents area's hook), wrapped to the page
        lines += [""] + textwrap.wrap(note, 78)
    return lines


def statement_pdf(view: StatementView) -> bytes:
    """The statement as a PDF."""
    return text_pdf(f"Statement {view.account_ref} {view.start:%d/%m/%Y}-{view.end:%d/%m/%Y}",
                    statement_lines(view), font_size=8)


def cashup_lines(view: CashUpView, method_name=lambda code: code) -> list[str]:
    """The cash-up report: expected against counted by method, the cash by denomination, sign-off."""
    lines = [view.office_name, f"Cash-up {view.ref}: till {view.till_code}, {view.business_date:%d/%m/%Y}",
             f"Counted by {view.user_name} at {format_local(view.counted_at)}", "",
             f"{'Method':<22} {'Lines':>5} {'Expected':>11} {'Counted':>11} {'Variance':>11}"]
    for line in view.lines:
        lines.append(f"{method_name(line.method)[:22]:<22} {line.payments:>5} {format_pence(line.expected_pence):>11} "
                     f"{format_pence(line.counted_pence):>11} {format_pence(line.variance_pence):>11}")
    lines.append(f"{'TOTAL':<22} {'':>5} {format_pence(view.expected_pence):>11} "
                 f"{format_pence(view.counted_pence):>11} {format_pence(view.variance_pence):>11}")
    if view.denominations:
        lines += ["", "Cash counted:"]
        for pence, quantity in view.denominations:
            lines.append(f"  {quantity:>5} x {format_pence(pence):>7} = {format_pence(pence * quantity):>11}")
    state = ("OVER" if view.variance_pence > 0 else "SHORT") if view.variance_pence else "balanced"
    lines += ["", f"Variance: {format_pence(abs(view.variance_pence))} {state}" if view.variance_pence
              else "Variance: none (balanced)"]
    if view.variance_reason:
        lines.append(f"Reason: {view.variance_reason}")
    if view.signed_off_by:
        lines.append(f"Signed off by {view.signed_off_by} at {format_local(view.signed_off_at)}")
    else:
        lines.append("NOT YET SIGNED OFF: a second person must check and sign off")
    return lines


def cashup_pdf(view: CashUpView, method_name=lambda code: code) -> bytes:
    """The cash-up report as a PDF."""
    return text_pdf(f"Cash-up {view.ref}", cashup_lines(view, method_name))


def receipt_document(view: ReceiptView) -> Document:
    """The receipt, as text and PDF."""
    return make_document("receipts", f"receipt-{view.label}", f"Receipt {view.label}", receipt_lines(view),
                         about=("payment", view.label))


def statement_document(view: StatementView) -> Document:
    """The statement, as text and PDF."""
    return make_document("statements", f"statement-{view.account_ref}-{view.start:%Y%m%d}-{view.end:%Y%m%d}",
                         f"Statement {view.account_ref} {view.start:%d/%m/%Y}-{view.end:%d/%m/%Y}",
                         statement_lines(view), font_size=8, about=("account", view.account_ref))


def cashup_document(view: CashUpView, method_name=lambda code: code) -> Document:
    """The cash-up report, as text and PDF."""
    return make_document("cashups", f"cashup-{view.ref}", f"Cash-up {view.ref}", cashup_lines(view, method_name),
                         about=("cashup", view.ref))
