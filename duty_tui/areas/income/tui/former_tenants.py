"""Former tenant arrears (docs/INCOME_FORMER_TENANTS.md): the former-tenant accounts that owe, largest first,
with the day the debt was moved and where the letter of claim stands.

Enter shows one account (who owes it and where letters go, where the debt came from, its history, the
letters sent, the limitation date — information, "to confirm"); l produces the letter of claim with its
information sheet, reply form and financial statement through the send-document dialog, then asks to
record it as sent; m moves a rent account's final balance (asks for the account, the end date and the
reason, shows the balance to be moved and asks to confirm). Every act goes through
``services/former_tenants.py`` (``arrears.manage``); reads are audited there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Header, Static

from duty_tui.areas.income.services.former_tenant_view import FormerTenantDetail, FormerTenantRow
from duty_tui.core.domain.errors import DutyError
from duty_tui.core.domain.money import format_pence
from duty_tui.core.tui.kit.footer import DutyFooter
from duty_tui.core.tui.kit.list_screen import ListPage, ListScreen
from duty_tui.core.tui.kit.list_table import CellValue, Column
from duty_tui.core.tui.kit.workers import Done
from duty_tui.core.tui.screens.base import DutyScreen
from duty_tui.core.tui.text import plain

PAGE = 200
MANAGE = "arrears.manage"
REFUSED = "Your role may not record arrears recovery (arrears.manage): ask an income officer or a team leader."
KEYS = "Enter details · l letter of claim · m move a final balance · F9 reload · Esc back"


def day(value: date | None) -> str:
    """A date in a narrow column: 10/03/26, or —."""
    return f"{value:%d/%m/%y}" if value is not None else "—"


def offer_letter(screen: Any, ref: str, holder: str) -> None:
    """l: the letter of claim through the send-document dialog; once sent, ask to record it (date, method)."""
    from duty_tui.areas.income.services.former_tenants import letter_of_claim
    from duty_tui.core.tui.dialogs.send_document import SendDocumentDialog

    ctx = screen.duty_app.ctx

    def sent(outcome: Any) -> None:
        if outcome is None:
            screen.post_message(Done("The letter of claim was not sent, so it is not recorded.", reload=False))
            return
        if not ctx.can(MANAGE):
            screen.post_message(Done(f"{outcome.message} Recording it needs arrears.manage: ask an income officer.",
                                     reload=False))
            return
        ask_to_record(screen, ref, holder, "email" if outcome.channel == "email" else "first_class_post")

    screen.app.push_screen(SendDocumentDialog(f"letter of claim {ref}", lambda: letter_of_claim(ctx, ref)), sent)


def ask_to_record(screen: Any, ref: str, holder: str, method: str) -> None:
    """Record the letter of claim as sent: the day (today by default) and how; F9 records, Esc does not."""
    from duty_tui.areas.income.services.former_tenants import METHODS, record_letter_of_claim
    from duty_tui.core.tui.kit.fields import FormField
    from duty_tui.core.tui.kit.form_screen import FormDialog

    def save(ctx: Any, values: dict[str, Any]) -> str:
        done = record_letter_of_claim(ctx, ref, sent_on=values["sent_on"], method=values["method"])
        return (f"Letter of claim recorded on {done.account_ref}: sent {done.sent_on:%d/%m/%Y}, "
                f"reply due by {done.reply_by:%d/%m/%Y}.")

    def answered(text: str | None) -> None:
        screen.post_message(Done(text or "The letter of claim was sent but not recorded (Esc).", reload=bool(text)))

    screen.app.push_screen(FormDialog(f"Record the letter of claim sent to {holder} ({ref})", [
        FormField("sent_on", "Sent on", "date", value=screen.duty_app.ctx.today(), required=True,
                  hint="today or earlier: the reply date follows from it"),
        FormField("method", "Sent by", "choice", tuple(METHODS.items()), value=method, required=True),
    ], intro="The reply date is worked out from the protocol in force on the day it was sent.", submit="Record",
        save=save), answered)


@dataclass
class MoveFailed(Message, bubble=False):
    """The move was refused: the form comes back with what was typed and why."""

    typed: dict[str, Any]
    problem: str


class FormerTenantsScreen(ListScreen):
    """Former tenant accounts owing money, the letter of claim for each, and moving a final balance."""

    SCOPE_NAME = "former-tenants"
    TITLE = "Former tenant arrears"
    LIST_ID = "ft-table"
    COUNT_ID = "ft-count"
    NOUN = ("former tenant account owing", "former tenant accounts owing")
    EMPTY = "No former tenant account owes money. m moves a rent account's final balance when a tenancy ends."
    RELOAD_ON_RESUME = True
    COLUMNS = (
        Column("ref", "Ref", priority=0, never_cut=True),
        Column("holder", "Holder", min=8, ideal=18, priority=1),
        Column("owes", "Owes £", priority=0, never_cut=True, justify="right"),
        Column("moved", "Moved", priority=2, never_cut=True),
        Column("letter", "Letter", priority=1, never_cut=True),
        Column("reply", "Reply by", priority=0, never_cut=True),
        Column("late", "", priority=0, never_cut=True),
    )
    DEFAULT_CSS = """
    FormerTenantsScreen #ft-detail { height: 3; padding: 0 1; border-top: solid $panel; }
    FormerTenantsScreen #ft-message { height: auto; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="former-tenants-back", show=False, tooltip="Back to the previous screen"),
        Binding("l", "letter", "Letter of claim", id="former-tenants-letter",
                tooltip="Produce the letter of claim (with the information sheet, reply form and financial "
                        "statement) for the highlighted account, send it, then record it"),
        Binding("m", "move", "Move balance", id="former-tenants-move",
                tooltip="Move a rent account's final balance to former tenant arrears when the tenancy has ended "
                        "(needs arrears.manage)"),
        Binding("f9", "reload", "Reload", id="former-tenants-reload", tooltip="Read the list again"),
    ]

    def compose_below(self) -> ComposeResult:
        yield Static("", id="ft-detail")
        yield Static(plain(KEYS), id="ft-message")

    def fetch(self) -> ListPage:
        from duty_tui.areas.income.services.former_tenants import former_tenant_accounts

        rows = former_tenant_accounts(self.duty_app.ctx, limit=PAGE)
        return ListPage(rows, total=len(rows), more_than=len(rows) == PAGE, narrow="the largest first")

    def row_key(self, item: FormerTenantRow) -> str:
        return item.ref

    def row_cells(self, item: FormerTenantRow) -> dict[str, CellValue]:
        return {"ref": item.ref, "holder": item.holder, "owes": format_pence(item.balance_pence).lstrip("£"),
                "moved": day(item.moved_on), "letter": day(item.letter_sent_on), "reply": day(item.reply_due),
                "late": "late" if item.overdue else ""}

    def after_load(self, page: ListPage) -> None:
        self._detail()

    @on(DataTable.RowHighlighted, "#ft-table")
    def _detail(self) -> None:
        row: FormerTenantRow | None = self.highlighted()
        box = self.query_one("#ft-detail", Static)
        if row is None:
            box.update("")
            return
        paid = f"last paid {row.last_payment_on:%d/%m/%Y}" if row.last_payment_on else "no payment recorded"
        letter = ("no letter of claim sent yet (l)" if row.letter_sent_on is None else
                  f"letter of claim sent {row.letter_sent_on:%d/%m/%Y}, reply due by {row.reply_due:%d/%m/%Y}"
                  + (": overdue" if row.overdue else ""))
        box.update(plain(f"{row.ref} {row.holder}: owes {format_pence(row.balance_pence)}, {paid}\n{letter}"))

    def _message(self, text: str) -> None:
        self.query_one("#ft-message", Static).update(plain(text))

    def action_back(self) -> None:
        """Back."""
        self.app.pop_screen()

    def action_reload(self) -> None:
        """Read the list again."""
        self.reload()

    def open_item(self, item: FormerTenantRow) -> None:
        self.app.push_screen(FormerTenantAccountScreen(item.ref))

    def action_letter(self) -> None:
        """Produce, send and record the letter of claim for the highlighted account."""
        row: FormerTenantRow | None = self.highlighted()
        if row is not None:
            offer_letter(self, row.ref, row.holder)

    def action_move(self) -> None:
        """Ask for a rent account, its end date and why; show what would move; confirm; move it."""
        if not self.duty_app.ctx.can(MANAGE):
            self._message(REFUSED)
            return
        ask_move(self, None)

    @work(thread=True, exclusive=True, exit_on_error=False, group="former-tenants-move")
    def move(self, typed: dict[str, Any]) -> None:
        """Move the balance (after the confirmation); a refusal brings the form back with the typing."""
        from duty_tui.areas.income.services.former_tenants import close_to_former_tenant

        try:
            done = close_to_former_tenant(self.duty_app.ctx, typed["account"], ended_on=typed["ended_on"],
                                          reason=typed["reason"])
        except DutyError as exc:
            self.post_message(MoveFailed(typed, exc.message))
            return
        self.post_message(Done(done.message))

    @on(MoveFailed)
    def _move_failed(self, message: MoveFailed) -> None:
        self._message(f"Not moved: {message.problem}")
        ask_move(self, message.typed, f"Not moved: {message.problem}")

    @on(Done)
    def _done_said(self, message: Done) -> None:
        self._message(message.text)
        if message.reload:
            self.reload()


def _move_fields(values: dict[str, Any] | None, today: date) -> list[Any]:
    from duty_tui.core.tui.kit.fields import FormField
    from duty_tui.core.tui.kit.form_screen import refill
    from duty_tui.core.tui.kit.validators import NoCardDataValidator

    return refill([
        FormField("account", "Rent account", required=True, max_length=16, placeholder="RNT000123"),
        FormField("ended_on", "Tenancy ended", "date", value=today, required=True, hint="the day it ended (not after today)"),
        FormField("reason", "Why it ended", required=True, max_length=160, validators=(NoCardDataValidator("reason"),),
                  placeholder="e.g. notice given, abandoned, evicted, died"),
    ], values)


def ask_move(screen: Any, values: dict[str, Any] | None, problem: str = "") -> None:
    """The move form (refilled with ``values`` after a refusal, so nothing typed is lost), then the confirmation."""
    from duty_tui.core.tui.kit.form_screen import FormDialog

    def preview(ctx: Any, typed: dict[str, Any]) -> tuple[dict[str, Any], Any]:
        from duty_tui.areas.income.services.former_tenants import move_preview

        return typed, move_preview(ctx, typed["account"], ended_on=typed["ended_on"], reason=typed["reason"])

    def answered(result: tuple[dict[str, Any], Any] | None) -> None:
        if result is not None:
            confirm_move(screen, *result)

    intro = ("The rent account is closed; a debit balance moves to the holder's former tenant account (opened if "
             "none); a credit stays for a refund. You see the amount before anything moves.")
    dialog: FormDialog[Any] = FormDialog("Move a rent account's final balance", _move_fields(values, screen.duty_app.ctx.today()),
                                         intro=(problem + "\n" if problem else "") + intro, submit="Check",
                                         refilled=values is not None, save=preview, saving="Reading the account…",
                                         not_saved="Nothing moved yet")
    screen.app.push_screen(dialog, answered)


def confirm_move(screen: Any, typed: dict[str, Any], preview: Any) -> None:
    """Show the balance to be moved and where; y moves it (in a worker), anything else goes back to the form."""
    from duty_tui.core.tui.kit.dialogs import ConfirmDialog

    ref, owed = preview.rent_account_ref, preview.balance_pence
    if preview.moved_before:
        screen.post_message(Done(f"{ref}'s final balance was moved before; nothing more to do.", reload=False))
        return
    if owed > 0:
        where = preview.former_account_ref or "a new former tenant account"
        what = f"Move {format_pence(owed)} from {ref} ({preview.holder}) to {where}, and close {ref}?"
    elif owed < 0:
        what = (f"{ref} ({preview.holder}) is {format_pence(-owed)} in credit: nothing moves; close it and leave "
                "the credit for a refund?")
    else:
        what = f"{ref} ({preview.holder}) has a nil balance: close it?"
    end = typed["ended_on"]
    tenancy = (f"\nTenancy {preview.tenancy_ref} ends {end:%d/%m/%Y}" if preview.tenancy_end is None
               else f"\nTenancy {preview.tenancy_ref} ended {preview.tenancy_end:%d/%m/%Y}") if preview.tenancy_ref else ""

    def answered(yes: bool | None) -> None:
        if yes:
            screen.post_message(Done("Moving…", reload=False))
            screen.move(typed)
        else:
            ask_move(screen, typed)

    screen.app.push_screen(ConfirmDialog(what + tenancy + f"\nWhy: {typed['reason']}", yes="Move it",
                                         no="No, back to the form"), answered)


class FormerTenantAccountScreen(DutyScreen):
    """One former tenant account: who owes it, where it came from, its history, letters and limitation."""

    SCOPE_NAME = "former-tenant"
    TITLE = "Former tenant account"
    watches = {"account": "ref"}
    DEFAULT_CSS = """
    FormerTenantAccountScreen #fa-body { height: 1fr; padding: 0 1; }
    FormerTenantAccountScreen #fa-message { height: auto; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="former-tenant-back", tooltip="Back to the list"),
        Binding("l", "letter", "Letter of claim", id="former-tenant-letter",
                tooltip="Produce the letter of claim with its forms, send it, then record it"),
        Binding("f9", "reload", "Reload", id="former-tenant-reload", tooltip="Read the account again"),
    ]

    @dataclass
    class Loaded(Message, bubble=False):
        """The account as read (or why it could not be)."""

        detail: FormerTenantDetail | None
        problem: str = ""

    def __init__(self, account_ref: str) -> None:
        super().__init__()
        self.ref = account_ref
        self.detail: FormerTenantDetail | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="fa-scroll"):
            yield Static(plain(f"{self.ref}: reading…"), id="fa-body")
        yield Static(plain("l letter of claim · F9 reload · Esc back"), id="fa-message")
        yield DutyFooter()

    def on_mount(self) -> None:
        self.query_one("#fa-scroll", VerticalScroll).focus()
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="former-tenant-load")
    def load(self) -> None:
        from duty_tui.areas.income.services.former_tenants import former_tenant_account

        try:
            self.post_message(self.Loaded(former_tenant_account(self.duty_app.ctx, self.ref)))
        except DutyError as exc:
            self.post_message(self.Loaded(None, exc.message))

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        if message.detail is None:
            self.query_one("#fa-message", Static).update(plain(message.problem))
            return
        self.detail = message.detail
        self.query_one("#fa-body", Static).update(plain("\n".join(detail_lines(message.detail))))

    def refresh_data(self) -> None:
        self.load()

    def action_back(self) -> None:
        """Back to the list."""
        self.app.pop_screen()

    def action_reload(self) -> None:
        """Read the account again."""
        self.load()

    def action_letter(self) -> None:
        """Produce, send and record the letter of claim."""
        if self.detail is not None:
            offer_letter(self, self.detail.ref, self.detail.debtor_name)

    @on(Done)
    def _done(self, message: Done) -> None:
        self.query_one("#fa-message", Static).update(plain(message.text))
        if message.reload:
            self.load()


def detail_lines(d: FormerTenantDetail) -> list[str]:
    """The account as lines of text for the detail screen."""
    lines = [f"{d.ref} {d.holder} · owes {format_pence(d.balance_pence)}",
             f"Debtor: {d.debtor_name} · letters to: {', '.join(d.address) or 'no address recorded'}"]
    if d.tenancy_ref:
        ended = f", ended {d.ended_on:%d/%m/%Y}" if d.ended_on else ""
        lines.append(f"Tenancy {d.tenancy_ref}{ended}: {', '.join(d.former_address) or 'address not recorded'}")
    for on_day, amount, source in d.moved:
        lines.append(f"Moved in {on_day:%d/%m/%Y}: {format_pence(amount)} from {source or 'the rent account'}")
    paid = f"{d.last_payment_on:%d/%m/%Y}" if d.last_payment_on else "none recorded"
    lines.append(f"Last payment: {paid}")
    if d.limitation_ends is not None and d.limitation_from is not None:
        mark = "" if d.limitation_confirmed else " — to confirm"
        lines.append(f"Limitation{mark}: about {d.limitation_ends:%d/%m/%Y} (from {d.limitation_from:%d/%m/%Y}; "
                     f"{d.limitation_source})")
    lines.append("")
    lines.append("Letters of claim: " + ("none sent yet (l produces one)" if not d.letters else ""))
    lines += [f"  {sent:%d/%m/%Y}  {note}" for sent, note in d.letters]
    lines += ["", f"{'Date':<10}  {'What':<24} {'Amount':>11} {'Balance':>11}"]
    if d.earlier_lines:
        lines.append(f"({d.earlier_lines} earlier entries not shown)")
    lines += [f"{x.on:%d/%m/%Y}  {x.kind.replace('_', ' ')[:24]:<24} {format_pence(x.amount_pence):>11} "
              f"{format_pence(x.balance_pence):>11}" for x in d.lines]
    return lines
