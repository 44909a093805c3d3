"""Arrangements to pay: an account's plans with every instalment checked against the ledger,
or (with no account) the broken arrangements the income team chases."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Header, Static

from duty_tui.areas.payments.domain.agreement import KIND_NAMES
from duty_tui.areas.payments.domain.reference import load_policy
from duty_tui.areas.payments.domain.rules import FREQUENCY_NAMES
from duty_tui.areas.payments.services.arrangements import ArrangementStatus
from duty_tui.core.domain.errors import ConflictError, DutyError
from duty_tui.core.domain.money import format_pence
from duty_tui.core.tui.kit.fields import FormField
from duty_tui.core.tui.kit.footer import DutyFooter
from duty_tui.core.tui.kit.form_screen import FormDialog, text_dialog
from duty_tui.core.tui.kit.list_table import Column, ListRow, ListTable
from duty_tui.core.tui.kit.validators import NoCardDataValidator
from duty_tui.core.tui.kit.workers import Done, Loaded
from duty_tui.core.tui.screens.base import DutyScreen
from duty_tui.core.tui.text import plain


def _terms_problems(values: dict[str, Any]) -> dict[str, str]:
    """Rules across the new-arrangement fields: a lump sum with its day; a hearing only on a court order."""
    problems = {}
    lump, due = values.get("lump"), values.get("lump_due")  # parsed: pence and a date, None when blank
    if lump is not None and due is None:
        problems["lump_due"] = "the day the lump sum is due"
    elif due is not None and lump is None:
        problems["lump"] = "the lump sum's amount (or clear its day)"
    if str(values.get("hearing") or "").strip() and values.get("kind") != "court_ordered":
        problems["hearing"] = "only a court-ordered arrangement names a hearing"
    return problems


STATE_MARKS = {"met": "met", "missed": "!! missed", "due": "due", "upcoming": "-"}
HISTORY_SHOWN = 6
"""The latest changes of state shown under the plan (the rest are counted)."""

ACCOUNT_COLUMNS = (
    Column("ref", "Plan", priority=0, never_cut=True),
    Column("account", "Account", priority=1, never_cut=True),
    Column("amount", "Amount", min=10, ideal=24, priority=2),
    Column("status", "Status", min=10, priority=0),
)
"""One account's arrangements."""
BROKEN_COLUMNS = (
    Column("ref", "Plan", priority=0, never_cut=True),
    Column("account", "Account", priority=0, never_cut=True),
    Column("person", "Person", min=12, priority=0),
    Column("behind", "Behind", priority=0, never_cut=True, justify="right"),
    Column("missed", "Missed", priority=1, never_cut=True),
    Column("plan", "Plan", min=10, priority=3),
)
"""The broken arrangements the income team chases: whose, and how far behind, read whole."""


class ArrangementsScreen(DutyScreen):
    """One account's arrangements (n new, e end), or all broken arrangements when no account is given."""

    watches = {"account": "account_ref"}  # kit/changes.py

    SCOPE_NAME = "arrangements"
    TITLE = "Arrangements"
    DEFAULT_CSS = """
    ArrangementsScreen #arr-table { height: 8; margin: 0 1; }
    ArrangementsScreen #arr-detail { height: 1fr; margin: 0 1; }
    ArrangementsScreen #arr-message { height: auto; margin: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="arrangements-back", tooltip="Back to the previous screen"),
        Binding("n", "new", "New", id="arrangements-new", tooltip="Agree a new arrangement on this account"),
        Binding("e", "end", "End", id="arrangements-end", tooltip="End the highlighted arrangement, saying why"),
        Binding("f9", "reload", "Reload", id="arrangements-reload", tooltip="Check the arrangements again"),
    ]

    def __init__(self, account_ref: str | None) -> None:
        super().__init__()
        self.account_ref = account_ref
        self.items: list[ArrangementStatus] = []

    @property
    def payment_account_ref(self) -> str | None:
        """F5 from an account's arrangements takes a payment for that account (none on the broken list)."""
        return self.account_ref

    def compose(self) -> ComposeResult:
        yield Header()
        yield ListTable(ACCOUNT_COLUMNS if self.account_ref else BROKEN_COLUMNS, id="arr-table", zebra_stripes=True)
        yield Static("", id="arr-detail")
        hint = "n new · e end · Esc back" if self.account_ref else "Enter open the account · Esc back"
        yield Static(hint, id="arr-message")
        yield DutyFooter()

    def on_mount(self) -> None:
        self.title = f"Arrangements on {self.account_ref}" if self.account_ref else "Broken arrangements"
        self.query_one("#arr-table", ListTable).focus()
        self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("new", "end") and self.account_ref is None:
            return None
        return True

    def _message(self, text: str) -> None:
        self.query_one("#arr-message", Static).update(plain(text))

    @work(thread=True, exclusive=True, exit_on_error=False, group="arrangements")
    def load(self) -> None:
        from duty_tui.areas.payments.services.arrangements import arrangements_for_account, broken_arrangements

        ctx = self.duty_app.ctx
        items = arrangements_for_account(ctx, self.account_ref) if self.account_ref else broken_arrangements(ctx)
        self.post_message(Loaded(items))

    @on(Loaded)
    def _loaded_view(self, message: Loaded) -> None:
        self._show(message.view)

    def _show(self, items: list[ArrangementStatus]) -> None:
        self.items = items
        self.query_one("#arr-table", ListTable).set_rows(  # the cursor stays on its plan after n or e
            [ListRow(a.ref, {"ref": a.ref, "account": a.account_ref, "amount": a.plan, "status": a.label,
                             "person": a.person_name or "—", "behind": format_pence(a.shortfall_pence),
                             "missed": str(a.missed), "plan": a.plan}) for a in items])
        if not items:
            self.query_one("#arr-detail", Static).update(
                "No arrangements on this account. n agrees one." if self.account_ref else "No broken arrangements.")
        self._detail()

    @on(DataTable.RowHighlighted, "#arr-table")
    def _detail(self) -> None:
        item = self.highlighted()
        if item is None:
            return
        lines = [f"{item.ref} {item.plan}, total {format_pence(item.total_pence)}: {item.label}",
                 f"{item.kind_name.capitalize()}. Paid off the arrears since the start "
                 f"{format_pence(item.paid_to_date_pence)} of {format_pence(item.due_to_date_pence)} due so far."]
        if item.note:
            lines.append(f"Note: {item.note}")
        if item.history:
            more = len(item.history) - HISTORY_SHOWN
            lines.append("History: " + " · ".join(h.line for h in item.history[:HISTORY_SHOWN])
                         + (f" · and {more} earlier" if more > 0 else ""))
        if item.instalments:
            shown = item.instalments[:24]
            cells = [f"{'LS' if i.seq == 0 else i.seq:>2} {i.due_date:%d/%m/%y} {format_pence(i.amount_pence):>8} "
                     f"{STATE_MARKS.get(i.state, i.state):<9}" for i in shown]
            lines += ["  ".join(cells[n:n + 2]) for n in range(0, len(cells), 2)]
            if len(item.instalments) > len(shown):
                lines.append(f"… and {len(item.instalments) - len(shown)} more instalments")
        self.query_one("#arr-detail", Static).update(plain("\n".join(lines)))

    def highlighted(self) -> ArrangementStatus | None:
        """The arrangement under the cursor."""
        ref = self.query_one("#arr-table", ListTable).current_key
        return next((a for a in self.items if a.ref == ref), None)

    @on(DataTable.RowSelected, "#arr-table")
    def _open(self) -> None:
        item = self.highlighted()
        if item is not None and self.account_ref is None:
            from duty_tui.areas.payments.tui.account import AccountScreen

            self.app.push_screen(AccountScreen(item.account_ref))

    def action_back(self) -> None:
        """Back."""
        self.app.pop_screen()

    def action_reload(self) -> None:
        """Check again."""
        self.load()

    def action_new(self) -> None:
        """Agree a new arrangement: amount, how often, first due, kind (and hearing), lump sum, note."""
        if self.account_ref is None:
            return
        if not self.duty_app.ctx.can("arrangement.manage"):
            self._message("Your role may not agree arrangements (arrangement.manage).")
            return
        rules = load_policy(self.duty_app.settings.data_dir)
        frequencies = [(f, FREQUENCY_NAMES.get(f, f)) for f in rules.frequencies]
        account_ref = self.account_ref

        def save(ctx: Any, v: dict[str, Any]) -> str:
            from duty_tui.areas.payments.services.arrangements import AgreementTerms, create_arrangement

            hearing = (v.get("hearing") or "").strip()
            made = create_arrangement(ctx, account_ref, v["amount"], v["frequency"], v["start"],
                                      note=v["note"] or None, terms=AgreementTerms(
                                          v["kind"], int(hearing) if hearing else None, v["lump"], v["lump_due"]))
            return f"Arrangement {made.ref} agreed ({made.kind_name}): {made.plan}, {len(made.instalments)} payments."

        def answered(text: str | None) -> None:
            if text:
                self.post_message(Done(text))

        self.app.push_screen(FormDialog(f"New arrangement on {self.account_ref}", [
            FormField("amount", "Amount £", "money", required=True, row="plan"),
            FormField("frequency", "How often", "choice", tuple(frequencies), value=frequencies[0][0], required=True,
                      row="plan"),
            FormField("start", "First due", "date", value=self.duty_app.ctx.today(), required=True),
            FormField("kind", "Kind", "choice", tuple(KIND_NAMES.items()), value="informal", required=True,
                      row="kind"),
            FormField("hearing", "Hearing no.", max_length=9, restrict=r"[0-9]*", placeholder="optional",
                      row="kind"),
            FormField("lump", "Lump sum £", "money", placeholder="optional", row="lump"),
            FormField("lump_due", "Lump due", "date", row="lump"),
            FormField("note", "Note", max_length=200, validators=(NoCardDataValidator("note"),)),
        ], intro="The plan runs until the arrears owed now are paid; a lump sum is part of them.", submit="Agree",
            check=_terms_problems, save=save, saving="Agreeing…"), answered)

    def action_end(self) -> None:
        """End the highlighted arrangement."""
        item = self.highlighted()
        if item is None or not item.active:
            self._message("Highlight an active arrangement to end.")
            return
        self._ask_end(item, "")

    def _ask_end(self, item: ArrangementStatus, typed: str) -> None:
        """The reason dialog (``typed``: the reason kept from a save someone else beat)."""
        def answered(reason: str | None) -> None:
            if reason:
                self.end(item, reason)

        self.app.push_screen(text_dialog(f"End {item.ref}", "Reason", placeholder="why it ends (cleared, replaced, "
                                         "cancelled)", value=typed, validators=[NoCardDataValidator("reason")]),
                             answered)

    def _end_conflict(self, error, item: ArrangementStatus, reason: str) -> None:
        """Both versions; r: the reason back in its dialog over the newer version; Esc: as it was."""
        from dataclasses import replace

        from duty_tui.core.tui.dialogs.conflict import show_conflict

        self._message(error.message)

        def reload() -> None:
            self.load()
            if error.version is not None:
                self._ask_end(replace(item, version=error.version), reason)

        show_conflict(self, error, None, on_reload=reload, on_back=lambda: self._ask_end(item, reason))

    @work(thread=True, exclusive=True, exit_on_error=False, group="arrangements-change")
    def end(self, item: ArrangementStatus, reason: str) -> None:
        from duty_tui.areas.payments.services.arrangements import end_arrangement

        try:
            end_arrangement(self.duty_app.ctx, item.ref, reason, item.version)
        except ConflictError as exc:
            self.post_message(self.EndConflict(exc, item, reason))
            return
        except DutyError as exc:
            self.post_message(Done(exc.message, reload=False))
            return
        self.post_message(Done(f"{item.ref} ended."))

    @dataclass
    class EndConflict(Message):
        """Someone else changed the arrangement first: both versions, the reason kept."""

        error: ConflictError
        item: ArrangementStatus
        reason: str

    @on(EndConflict)
    def _end_beaten(self, message: EndConflict) -> None:
        self._end_conflict(message.error, message.item, message.reason)

    @on(Done)
    def _done_said(self, message: Done) -> None:
        self._message(message.text)
        if message.reload:
            self.load()
