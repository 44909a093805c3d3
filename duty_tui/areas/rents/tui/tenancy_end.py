"""End a tenancy at its account, and decide credit transfers (docs/RENTS_TENANCY_END.md, "The screens").

"End a tenancy": the tenancy ref, the end date, the reason and what to do with a credit (hold, refund or
transfer:ACCOUNT). Enter or F12 previews (nothing is posted): the charges to the end date, what is
credited back, housing benefit reversed, the final balance and where it will go. F9 asks, then ends it
(``end_tenancy``, in a thread worker) and shows the result, with the final balance moved.

"Credit transfers": the transfers waiting for a second person; F9 authorises the highlighted one, F12
rejects it with the note typed (the person who asked is refused by the service).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Header, Input, Label, Static

from duty_tui.core.domain.errors import DutyError
from duty_tui.core.domain.money import format_pence
from duty_tui.core.tui.kit.footer import DutyFooter
from duty_tui.core.tui.kit.list_table import Column, ListRow, ListTable
from duty_tui.core.tui.kit.validators import DateValidator
from duty_tui.core.tui.screens.base import DutyScreen
from duty_tui.core.tui.text import plain

if TYPE_CHECKING:
    from duty_tui.areas.rents.services.tenancy_end import FinalBalance
    from duty_tui.areas.rents.services.transfers import TransferView

KEYS_LINE = "Enter or F12 preview · F9 end the tenancy · Esc back"
WHERE = {"former_tenant": "former tenant account", "refund": "refund request (two-person)",
         "transfer": "credit transfer (two-person)", "credit_held": "held on the closed account", "nil": "nothing"}


@dataclass
class EndFigures(Message, bubble=False):
    """The worker finished: a preview or an end."""

    result: FinalBalance


def end_lines(result: FinalBalance) -> list[str]:
    """The preview's or the result's figures, one a line."""
    where = WHERE[result.outcome] + (f" {result.outcome_ref}" if result.outcome_ref else "")
    return [f"Tenancy      {result.tenancy_ref} ({result.account_ref}), last day {result.ended_on:%d/%m/%Y}",
            f"Balance now  {format_pence(result.balance_before_pence)}",
            f"Charges      {format_pence(result.charged_pence)} to the end date",
            f"Credited     {format_pence(result.credited_back_pence)} back (days after the end)",
            f"HB reversed  {format_pence(result.reversed_pence)} (after the end: an overpayment)",
            f"Own payments {format_pence(result.kept_credits_pence)} after the end (kept as credit)",
            f"Final        {format_pence(result.final_balance_pence)} → {where}"]


class TenancyEndScreen(DutyScreen):
    """Preview and end a tenancy at its account (once), moving the final balance."""

    SCOPE_NAME = "rent-tenancy-end"
    TITLE = "End a tenancy"
    DEFAULT_CSS = """
    TenancyEndScreen .te-row { height: 1; padding: 0 1; }
    TenancyEndScreen .te-row Label { width: 14; }
    TenancyEndScreen .te-row Input { width: 1fr; height: 1; border: none; padding: 0; }
    TenancyEndScreen .te-row Input.-invalid { border: none; text-style: underline; }
    TenancyEndScreen #te-figures { height: 1fr; padding: 1 1 0 1; }
    TenancyEndScreen #te-message { height: auto; max-height: 3; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="rent-end-back", show=False, tooltip="Back to the previous screen"),
        Binding("f12", "preview", "Preview", id="rent-end-preview",
                tooltip="Work out the final balance (nothing is posted)"),
        Binding("f9", "end", "End", id="rent-end-end", tooltip="End the tenancy at its account, after a confirm"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.previewed: FinalBalance | None = None
        self.done: FinalBalance | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        for label, key, hint in (("Tenancy ref", "te-ref", "e.g. T00012"), ("Last day", "te-on", "DD/MM/YYYY"),
                                 ("Reason", "te-reason", "notice given, abandoned, evicted…"),
                                 ("A credit", "te-credit", "hold, refund or transfer:ACCOUNT_REF")):
            with Horizontal(classes="te-row"):
                yield Label(label)
                yield Input(id=key, placeholder=hint,
                            validators=[DateValidator(False)] if key == "te-on" else None)
        yield Static("", id="te-figures")
        yield Static(plain(KEYS_LINE), id="te-message")
        yield DutyFooter()

    def on_mount(self) -> None:
        self.query_one("#te-on", Input).value = f"{self.duty_app.ctx.today():%d/%m/%Y}"
        self.query_one("#te-credit", Input).value = "hold"
        self.query_one("#te-ref", Input).focus()

    def _asked(self) -> tuple[str, date, str, str] | None:
        from duty_tui.core.domain.validators import parse_date

        values = {key: self.query_one(f"#{key}", Input).value.strip() for key in ("te-ref", "te-on", "te-reason",
                                                                                   "te-credit")}
        if not values["te-ref"]:
            self._say("Tenancy ref: type the tenancy's ref, e.g. T00012")
            return None
        try:
            on_day = parse_date(values["te-on"])
        except ValueError as exc:
            self._say(f"Last day: {exc}")
            return None
        return values["te-ref"], on_day, values["te-reason"], values["te-credit"] or "hold"

    def action_preview(self) -> None:
        """Work out the final balance (nothing is posted)."""
        asked = self._asked()
        if asked is not None:
            self.previewed = None
            self._say("Working out the final balance…")
            self.work_out(*asked, end=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_preview()

    def action_end(self) -> None:
        """Ask, then end the tenancy as previewed."""
        from duty_tui.core.tui.kit.dialogs import ConfirmDialog

        asked = self._asked()
        if asked is None:
            return
        shown = self.previewed
        if shown is None or shown.tenancy_ref != asked[0].upper() or shown.ended_on != asked[1]:
            self._say("Preview first (Enter or F12): see the final balance, then F9")
            return
        question = (f"End tenancy {shown.tenancy_ref} on {shown.ended_on:%d/%m/%Y}, final balance "
                    f"{format_pence(shown.final_balance_pence)} → {WHERE[shown.outcome]}?")

        def answered(yes: bool | None) -> None:
            if yes:
                self._say("Ending the tenancy…")
                self.work_out(*asked, end=True)

        self.app.push_screen(ConfirmDialog(question, yes="End it", no="No, not now"), answered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="rent-tenancy-end")
    def work_out(self, ref: str, on_day: date, reason: str, credit: str, end: bool) -> None:
        from duty_tui.areas.rents.services.tenancy_end import end_tenancy, preview_end

        ctx = self.duty_app.ctx
        result = (end_tenancy(ctx, ref, on_day, reason, credit=credit) if end
                  else preview_end(ctx, ref, on_day, credit=credit))
        self.post_message(EndFigures(result))

    @on(EndFigures)
    def _figures(self, message: EndFigures) -> None:
        result = message.result
        self.query_one("#te-figures", Static).update(plain("\n".join(end_lines(result))))
        if result.preview:
            self.previewed = result
            self._say("Preview: nothing is posted yet. F9 ends it · Esc back")
        else:
            self.previewed, self.done = None, result
            self._say(result.message)

    def action_back(self) -> None:
        """Back."""
        self.app.pop_screen()

    def _say(self, text: str) -> None:
        self.query_one("#te-message", Static).update(plain(text))

    def on_worker_error(self, error: BaseException | None) -> None:
        if isinstance(error, DutyError):  # said on the message line; what was typed stays
            self._say(error.message)
            return
        self._say(KEYS_LINE)
        super().on_worker_error(error)


TRANSFER_COLUMNS = (Column("ref", "Ref", never_cut=True, priority=0), Column("from", "From", never_cut=True),
                    Column("to", "To", never_cut=True), Column("amount", "Amount", never_cut=True, justify="right"),
                    Column("reason", "Reason", min=10, priority=3))


@dataclass
class TransfersRead(Message, bubble=False):
    """The worker read the transfers waiting for a second person."""

    transfers: list


@dataclass
class TransferDecided(Message, bubble=False):
    """The worker recorded a decision: the transfer's ref and its new status."""

    ref: str
    status: str


class CreditTransfersScreen(DutyScreen):
    """Credit transfers waiting for a second person: authorise (F9) or reject (F12, with a note)."""

    SCOPE_NAME = "rent-transfers"
    TITLE = "Credit transfers"
    DEFAULT_CSS = """
    CreditTransfersScreen ListTable { height: 1fr; }
    CreditTransfersScreen #ct-row { height: 1; padding: 0 1; }
    CreditTransfersScreen #ct-row Label { width: 6; }
    CreditTransfersScreen #ct-row Input { width: 1fr; height: 1; border: none; padding: 0; }
    CreditTransfersScreen #ct-message { height: auto; max-height: 3; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="rent-transfers-back", show=False, tooltip="Back"),
        Binding("f9", "authorise", "Authorise", id="rent-transfers-authorise",
                tooltip="Authorise the highlighted transfer (not your own)"),
        Binding("f12", "reject", "Reject", id="rent-transfers-reject",
                tooltip="Reject the highlighted transfer, with the note typed"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.transfers: list[TransferView] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield ListTable(TRANSFER_COLUMNS, id="ct-list", empty="No credit transfers are waiting")
        with Horizontal(id="ct-row"):
            yield Label("Note")
            yield Input(id="ct-note", placeholder="why (needed to reject)")
        yield Static(plain("F9 authorise · F12 reject with the note · Esc back"), id="ct-message")
        yield DutyFooter()

    def on_mount(self) -> None:
        self.load()
        self.query_one(ListTable).focus()

    def load(self) -> None:
        """Read the waiting transfers (in a worker; the table fills when they arrive)."""
        self.read_transfers()

    @work(thread=True, exclusive=True, exit_on_error=False, group="rent-transfers-read")
    def read_transfers(self) -> None:
        from duty_tui.areas.rents.services.transfers import list_transfers

        self.post_message(TransfersRead(list_transfers(self.duty_app.ctx)))

    @on(TransfersRead)
    def _transfers_read(self, message: TransfersRead) -> None:
        self.transfers = message.transfers
        self.query_one(ListTable).set_rows([ListRow(t.ref, {
            "ref": t.ref, "from": t.from_account, "to": t.to_account, "amount": format_pence(t.amount_pence),
            "reason": t.reason}) for t in self.transfers])
        if not self.transfers:
            self._say("No credit transfers are waiting · Esc back")

    def _decide(self, authorise: bool) -> None:
        ref = self.query_one(ListTable).current_key
        if ref is None:
            self._say("No transfer is highlighted")
            return
        self._say("Recording the decision…")
        self.decide(ref, authorise, self.query_one("#ct-note", Input).value)

    @work(thread=True, exclusive=True, exit_on_error=False, group="rent-transfers-decide")
    def decide(self, ref: str, authorise: bool, note: str) -> None:
        from duty_tui.areas.rents.services.transfers import decide_transfer

        done = decide_transfer(self.duty_app.ctx, ref, authorise=authorise, note=note)
        self.post_message(TransferDecided(done.ref, done.status))

    @on(TransferDecided)
    def _transfer_decided(self, message: TransferDecided) -> None:
        self.load()
        self._say(f"Transfer {message.ref} {message.status}")

    def on_worker_error(self, error: BaseException | None) -> None:
        if isinstance(error, DutyError):
            self._say(error.message)
            return
        super().on_worker_error(error)

    def action_authorise(self) -> None:
        """Authorise the highlighted transfer."""
        self._decide(True)

    def action_reject(self) -> None:
        """Reject the highlighted transfer with the note typed."""
        self._decide(False)

    def action_back(self) -> None:
        """Back."""
        self.app.pop_screen()

    def _say(self, text: str) -> None:
        self.query_one("#ct-message", Static).update(plain(text))
