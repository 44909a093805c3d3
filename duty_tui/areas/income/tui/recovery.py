"""One rent account's arrears recovery: the next step and why, the story so far, and the keys to act
(docs/INCOME.md, "The account screen"). Opened with Enter from the arrears worklist.

a records a step (the recommended one unless another is chosen, on a day up to today); n serves a
notice; r opens the pre-action protocol (steps, benefit claims, UC managed payments); c the court
(claim, hearings, outcomes, warrant, eviction, the court pack); h opens the holder's person view;
F9 reads it again. Every act goes through the area's services (``arrears.manage``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Static

from duty_tui.areas.income.domain.policy import NONE, PAUSE_REASONS
from duty_tui.areas.income.services.account_view import RecoveryAccount
from duty_tui.core.domain.errors import DutyError
from duty_tui.core.domain.money import format_pence
from duty_tui.core.tui.kit.footer import DutyFooter
from duty_tui.core.tui.kit.workers import Done
from duty_tui.core.tui.screens.base import DutyScreen
from duty_tui.core.tui.text import plain

MANAGE = "arrears.manage"
REFUSED = "Your role may not record arrears recovery (arrears.manage): ask an income officer or a team leader."
SCREENS = {"notice": "duty_tui.areas.income.tui.notice:ServeNoticeScreen",
           "protocol": "duty_tui.areas.income.tui.protocol:ProtocolScreen",
           "court": "duty_tui.areas.income.tui.court:CourtScreen"}


def _words(code: str | None) -> str:
    return (code or "").replace("_", " ")


class RecoveryAccountScreen(DutyScreen):
    """A rent account's recovery: what to do next and why, and everything done so far."""

    SCOPE_NAME = "recovery"
    watches = {"account": "ref"}
    DEFAULT_CSS = """
    RecoveryAccountScreen #rc-head { height: auto; padding: 0 1; text-style: bold; }
    RecoveryAccountScreen #rc-next { height: auto; max-height: 8; padding: 0 1; border-bottom: solid $panel; }
    RecoveryAccountScreen #rc-table { height: 1fr; }
    RecoveryAccountScreen #rc-event { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    RecoveryAccountScreen #rc-message { height: auto; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="recovery-back", tooltip="Back to the worklist"),
        Binding("a", "record", "Record step", id="recovery-record",
                tooltip="Record a recovery step taken (the recommended one unless you choose another)"),
        Binding("n", "open('notice')", "Notice", id="recovery-notice",
                tooltip="Serve a notice (NOSP, s128 or s14) with the date the law allows"),
        Binding("r", "open('protocol')", "Protocol", id="recovery-protocol",
                tooltip="The pre-action protocol: steps done, benefit claims, UC managed payments"),
        Binding("c", "open('court')", "Court", id="recovery-court",
                tooltip="The possession claim, hearings and outcomes, warrant and eviction, the court pack"),
        Binding("h", "holder", "Person", id="recovery-holder", tooltip="Open the account holder's person view"),
        Binding("f9", "reload", "Reload", id="recovery-reload", tooltip="Read the account again"),
    ]

    @dataclass
    class Loaded(Message, bubble=False):
        """The account as read (or why it could not be)."""

        account: RecoveryAccount | None
        problem: str = ""

    def __init__(self, account_ref: str) -> None:
        super().__init__()
        self.ref = account_ref
        self.account: RecoveryAccount | None = None

    def compose(self) -> ComposeResult:
        yield Static(plain(f"{self.ref}: reading…"), id="rc-head")
        yield Static("", id="rc-next")
        table: DataTable[str] = DataTable(id="rc-table", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static("", id="rc-event")
        yield Static("", id="rc-message")
        yield DutyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#rc-table", DataTable)
        table.add_column("Date", key="on", width=10)
        table.add_column("What", key="what", width=30)
        table.add_column("Detail", key="detail")
        table.focus()
        self.load()

    # -- reading -------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="recovery-load")
    def load(self) -> None:
        from duty_tui.areas.income.services.account_view import recovery_account

        try:
            self.post_message(self.Loaded(recovery_account(self.duty_app.ctx, self.ref)))
        except DutyError as exc:
            self.post_message(self.Loaded(None, exc.message))

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        if message.account is None:
            self._message(message.problem)
            return
        self.account = acc = message.account
        kind = f"{_words(acc.tenancy_type)} tenancy" if acc.tenancy_type else _words(acc.account_type) + " account"
        weeks = acc.balance_pence / acc.weekly_rent_pence if acc.weekly_rent_pence else 0.0
        owes = (f"owes {format_pence(acc.balance_pence)} ({weeks:.1f} weeks)" if acc.balance_pence > 0
                else f"balance {format_pence(acc.balance_pence)}: not in arrears")
        rent = f", rent {format_pence(acc.weekly_rent_pence)} a week" if acc.weekly_rent_pence else ""
        self.query_one("#rc-head", Static).update(plain(f"{acc.ref} {acc.holder} · {kind}{rent} · {owes}"))
        self.query_one("#rc-next", Static).update(plain(self._next_words(acc)))
        table = self.query_one("#rc-table", DataTable)
        table.clear()
        for n, event in enumerate(acc.events):
            detail = " · ".join(x for x in (event.detail, f"by {event.by}" if event.by else "") if x)
            table.add_row(f"{event.on:%d/%m/%Y}", event.what, detail.replace("\n", " "), key=str(n))
        if not acc.events:
            self._message("No recovery step recorded on this account yet.")

    @on(DataTable.RowHighlighted, "#rc-table")
    def _event_in_full(self, event: DataTable.RowHighlighted) -> None:
        """The highlighted line in full (the table cuts the detail at 80 columns)."""
        acc, box = self.account, self.query_one("#rc-event", Static)
        key = event.row_key.value if event.row_key is not None else None
        if acc is None or key is None or not key.isdigit() or int(key) >= len(acc.events):
            box.update("")
            return
        line = acc.events[int(key)]
        by = f" (by {line.by})" if line.by else ""
        box.update(plain(f"{line.on:%d/%m/%Y} {line.what}{by}: {line.detail}" if line.detail
                         else f"{line.on:%d/%m/%Y} {line.what}{by}"))

    @staticmethod
    def _next_words(acc: RecoveryAccount) -> str:
        row = acc.row
        if row is None:
            return "Not in arrears: no recovery step is recommended."
        lines = []
        if row.next_action != NONE:
            due = f", due {row.next_action_due:%d/%m/%Y}" if row.next_action_due else ""
            lines.append(f"Next: {row.words or _words(row.next_action)}{due} (a records it)")
        lines.append(f"Why: {row.why}")
        if row.paused_until is not None:
            lines.append(f"Paused until {row.paused_until:%d/%m/%Y}: "
                         f"{PAUSE_REASONS.get(row.pause_reason or '', row.pause_reason or '')}")
        return "\n".join(lines)

    def _message(self, text: str) -> None:
        self.query_one("#rc-message", Static).update(plain(text))

    # -- keys ----------------------------------------------------------------------------------

    def action_back(self) -> None:
        """Back to the worklist."""
        self.app.pop_screen()

    def action_reload(self) -> None:
        """Read the account again."""
        self.load()

    def refresh_data(self) -> None:
        self.load()

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        if self.account is not None:
            self.load()  # a notice, a protocol step or a court date recorded there moves the next step

    def _may_manage(self) -> bool:
        if self.duty_app.ctx.can(MANAGE):
            return True
        self._message(REFUSED)
        return False

    def action_open(self, what: str) -> None:
        """Open the notice, protocol or court screen for this account."""
        if not self._may_manage():
            return
        from duty_tui.core import registry

        self.app.push_screen(registry.load(SCREENS[what])(self.ref))

    def action_holder(self) -> None:
        """Open the holder's person view."""
        self.find_holder()

    @dataclass
    class HolderFound(Message, bubble=False):
        """The person the account belongs to, or None."""

        person_ref: str | None

    @work(thread=True, exclusive=True, exit_on_error=False, group="recovery-holder")
    def find_holder(self) -> None:
        from duty_tui.areas.income.services.worklist import holder_ref

        self.post_message(self.HolderFound(holder_ref(self.duty_app.ctx, self.ref)))

    @on(HolderFound)
    def _holder_found(self, message: HolderFound) -> None:
        if message.person_ref is None:
            self._message(f"{self.ref} has no person recorded as its holder.")
            return
        from duty_tui.core.tui.screens.person import PersonScreen

        self.app.push_screen(PersonScreen(message.person_ref))

    @on(Done)
    def _done(self, message: Done) -> None:
        self._message(message.text)
        if message.reload:
            self.load()

    def action_record(self) -> None:
        """Record a recovery step: the recommended one by default, on a day up to today."""
        acc = self.account
        if acc is None or not self._may_manage():
            return
        from duty_tui.areas.income.services.actions import action_codes
        from duty_tui.core.tui.kit.fields import FormField
        from duty_tui.core.tui.kit.form_screen import FormDialog
        from duty_tui.core.tui.kit.validators import NoCardDataValidator

        ctx = self.duty_app.ctx
        codes = action_codes(ctx)
        recommended = acc.row.next_action if acc.row is not None and acc.row.next_action in codes else codes[0]

        def save(ctx: Any, values: dict[str, Any]) -> str:
            from duty_tui.areas.income.services.actions import record_action

            done = record_action(ctx, acc.ref, values["step"], values["note"] or None, taken_on=values["on"])
            return f"Recorded on {done.account_ref}: {_words(done.action)}, {done.taken_on:%d/%m/%Y}."

        def answered(text: str | None) -> None:
            if text:
                self.post_message(Done(text))

        self.app.push_screen(FormDialog(f"Record a recovery step on {acc.ref} ({acc.holder})", [
            FormField("step", "Step", "choice", tuple((c, _words(c)) for c in codes), value=recommended, required=True),
            FormField("on", "Taken on", "date", value=ctx.today(), required=True, hint="today or earlier"),
            FormField("note", "Note", max_length=200, validators=(NoCardDataValidator("note"),)),
        ], intro="The recommended step is chosen; choose another if that is what was done.", submit="Record",
            save=save), answered)
