"""Direct debits: mandates with their state and history; add, change, pause or resume, cancel (80x24)."""

from __future__ import annotations

from datetime import date
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from duty_tui.areas.payments.services.direct_debit import MandateView
from duty_tui.core.domain.errors import DutyError
from duty_tui.core.domain.money import format_pence
from duty_tui.core.tui.kit.fields import FormField
from duty_tui.core.tui.kit.form_screen import FormDialog
from duty_tui.core.tui.kit.list_screen import ListPage, ListScreen
from duty_tui.core.tui.kit.list_table import Column
from duty_tui.core.tui.kit.workers import Done
from duty_tui.core.tui.text import plain

_BASIS = (("charges", "The account's charges"), ("fixed", "A fixed amount"))


def _add(ctx: Any, values: dict[str, Any]) -> MandateView:
    from duty_tui.areas.payments.domain.mandate import MandateInput
    from duty_tui.areas.payments.services.direct_debit import add_mandate

    form = MandateInput(values["reference"] or "", values["payer"] or "", int(values["day"] or 0),
                        values["basis"] or "", values["amount"] or 0, values["top_up"] or 0)
    return add_mandate(ctx, values["account"] or "", form, values["sort_code"] or "", values["account_number"] or "",
                       values["first"] or date.min)


class DirectDebitsScreen(ListScreen):
    """Every direct debit mandate, newest first: a add, c change, p pause or resume, x cancel, Enter history."""

    watches = {"account": None}  # kit/changes.py

    SCOPE_NAME = "direct debits"
    TITLE = "Direct debits"
    LIST_ID = "dd-table"
    COUNT_ID = "dd-status"
    NOUN = ("mandate", "mandates")
    EMPTY = "No direct debit mandates yet: a adds one."
    COLUMNS = (
        Column("ref", "Reference", priority=0, never_cut=True),
        Column("account", "Account", priority=0, never_cut=True),
        Column("status", "Status", priority=0, never_cut=True),
        Column("amount", "Amount", priority=0, never_cut=True, justify="right"),
        Column("day", "Day", priority=1),
        Column("bank", "Bank", min=8, ideal=18, priority=2),
        Column("payer", "Payer", min=8, ideal=18, priority=3),
    )
    DEFAULT_CSS = """
    DirectDebitsScreen #dd-message { height: auto; max-height: 6; margin: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="dd-back", tooltip="Back to the previous screen"),
        Binding("a", "add", "Add", id="dd-add", tooltip="Set up a new mandate (needs rents.manage)"),
        Binding("c", "change", "Change", id="dd-change", tooltip="Change the amount, top-up or collection day"),
        Binding("p", "pause", "Pause/resume", id="dd-pause", tooltip="Pause the mandate, or resume a paused one"),
        Binding("x", "cancel_mandate", "Cancel", id="dd-cancel", tooltip="Cancel the mandate (lodged AUDDIS 0C)"),
        Binding("f9", "reload", "Reload", id="dd-reload", tooltip="Load the list again"),
    ]

    def __init__(self, account_ref: str | None = None) -> None:
        """Every account's mandates, or one account's (from its account screen)."""
        super().__init__()
        self.account_ref = account_ref
        if account_ref:
            self.title = f"Direct debits: {account_ref}"

    def compose_below(self) -> ComposeResult:
        yield Static("a add · c change · p pause/resume · x cancel · Enter history · Esc back", id="dd-message")

    def _message(self, text: str) -> None:
        self.query_one("#dd-message", Static).update(plain(text))

    @on(Done)
    def _done_said(self, message: Done) -> None:
        self._message(message.text)
        if message.reload:
            self.load()

    def fetch(self) -> ListPage:
        from duty_tui.areas.payments.services.direct_debit import list_mandates

        return ListPage(list_mandates(self.duty_app.ctx, self.account_ref))

    def row_key(self, item: MandateView) -> str:
        return item.reference

    def row_cells(self, item: MandateView) -> dict:
        return {"ref": item.reference, "account": item.account_ref, "status": item.status,
                "amount": format_pence(item.amount_pence + item.top_up_pence), "day": str(item.collection_day),
                "bank": f"{item.sort_code} {item.account_number}", "payer": item.payer_name}

    def load(self) -> None:
        """Load the list again (the cursor stays on its item)."""
        self.reload()

    def open_item(self, item: MandateView) -> None:
        lines = [f"{item.reference}: first collection {item.first_collection:%d/%m/%Y}"
                 + (f", AUDDIS {item.lodgement} to lodge" if item.lodgement else "")]
        lines += [f"{e.at:%d/%m/%Y} {e.event} ({e.status}) {format_pence(e.amount_pence)} day {e.collection_day}"
                  + (f": {e.note}" if e.note else "") for e in item.history[-4:]]
        self._message("\n".join(lines))

    def action_back(self) -> None:
        """Back."""
        self.app.pop_screen()

    def action_reload(self) -> None:
        """Load again."""
        self.load()

    def _may(self) -> bool:
        if self.duty_app.ctx.can("rents.manage"):
            return True
        self._message("Your role may not manage direct debits (rents.manage).")
        return False

    def action_add(self) -> None:
        """Ask for a new mandate; the modulus check's message says what to fix, and nothing typed is lost."""
        if not self._may():
            return

        def added(result: MandateView | None) -> None:
            if result is not None:
                self._message(f"Mandate {result.reference} added; its advance notice is due by the date shown "
                              "in dd notices.")
                self.load()

        self.app.push_screen(FormDialog("New direct debit mandate", [
            FormField("account", "Account", placeholder="e.g. RNT000123", max_length=16, required=True,
                      value=self.account_ref),
            FormField("reference", "Reference", placeholder="6-18, not DDIC…", max_length=18, required=True),
            FormField("payer", "Payer name", max_length=18, required=True),
            FormField("sort_code", "Sort code", placeholder="12-34-56", max_length=8, required=True, row="bank"),
            FormField("account_number", "Account no.", max_length=10, required=True, row="bank"),
            FormField("day", "Collection day", placeholder="1-28", max_length=2, restrict=r"[0-9]*", required=True),
            FormField("basis", "Amount is", kind="choice", options=_BASIS, value="charges"),
            FormField("amount", "Amount", kind="money", required=True, row="money"),
            FormField("top_up", "Arrears top-up", kind="money", row="money"),
            FormField("first", "First collection", kind="date", required=True),
        ], submit="Add", save=_add, saving="Checking and saving…"), added)

    def action_change(self) -> None:
        """Change the highlighted mandate's amount, top-up or day (the payer is owed a notice)."""
        item = self.highlighted()
        if item is None or not self._may():
            return

        def save(ctx: Any, values: dict[str, Any]) -> MandateView:
            from duty_tui.areas.payments.services.direct_debit import change_mandate

            day = values["day"]
            return change_mandate(ctx, item.reference, item.version, amount_pence=values["amount"],
                                  top_up_pence=values["top_up"], collection_day=int(day) if day else None,
                                  note=values["note"] or None)

        def changed(result: MandateView | None) -> None:
            if result is not None:
                self._message(f"Mandate {result.reference} changed; the payer's notice is in dd notices.")
                self.load()

        self.app.push_screen(FormDialog(f"Change mandate {item.reference}", [
            FormField("amount", "Amount", kind="money", value=f"{item.amount_pence / 100:.2f}", row="money"),
            FormField("top_up", "Arrears top-up", kind="money", value=f"{item.top_up_pence / 100:.2f}", row="money"),
            FormField("day", "Collection day", max_length=2, restrict=r"[0-9]*", value=str(item.collection_day)),
            FormField("note", "Why", max_length=200),
        ], submit="Change", save=save), changed)

    def action_pause(self) -> None:
        """Pause an active mandate or resume a paused one."""
        item = self.highlighted()
        if item is not None and self._may():
            self.move(item, "resume" if item.status == "paused" else "pause")

    def action_cancel_mandate(self) -> None:
        """Cancel the highlighted mandate (asks first)."""
        item = self.highlighted()
        if item is None or not self._may():
            return
        from duty_tui.core.tui.kit.dialogs import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes:
                self.move(item, "cancel")

        self.app.push_screen(ConfirmDialog(f"Cancel direct debit {item.reference}? No further collections; the "
                                           "bank is told (AUDDIS 0C).", yes="Yes, cancel it", no="No, keep it"), answered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="dd-change")
    def move(self, item: MandateView, move: str) -> None:
        from duty_tui.areas.payments.services.direct_debit import set_mandate_status

        try:
            done = set_mandate_status(self.duty_app.ctx, item.reference, item.version, move)
        except DutyError as exc:
            self.post_message(Done(exc.message, reload=False))
            return
        self.post_message(Done(f"Mandate {done.reference} is now {done.status}."))
