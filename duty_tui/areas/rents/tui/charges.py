"""Rent charges (docs/RENTS_IMPORT.md, "The screen"): a tenancy's charges in force (its property's and
its own) with weekly equivalents and the weekly total, the history of ended rows, and keys to add or
change a charge from a date (F9) or end one on a date (F12) — each through services/charges.py.

Type the tenancy ref and Enter. The charge row below takes type, amount (pounds), frequency, date and
reason; a refusal is said on the message line with the rule and everything typed stays. A change made
from another terminal meanwhile reads "changed by someone else".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Header, Input, Label, Static

from duty_tui.areas.rents.services.charges import TenancyCharges
from duty_tui.core.domain.errors import ConflictError, InputError, NotFound, PermissionDenied
from duty_tui.core.domain.money import format_pence
from duty_tui.core.tui.kit.footer import DutyFooter
from duty_tui.core.tui.screens.base import DutyScreen
from duty_tui.core.tui.text import plain

KEYS_LINE = "Ref + Enter shows charges · F9 set/change from date · F12 end on date · Esc back"
FIELDS = (("rc-code", "Type", 16), ("rc-amount", "£", 9), ("rc-freq", "Freq", 11), ("rc-date", "Date", 10))


@dataclass
class ChargesRead(Message, bubble=False):
    """The worker read a tenancy's charges in force and their history."""

    found: TenancyCharges
    history: list = field(default_factory=list)


@dataclass
class ChargeSaved(Message, bubble=False):
    """The worker saved a change to a charge: what to say."""

    done: str


class RentChargesScreen(DutyScreen):
    """A tenancy's charges in force and their history; set, change or end a charge."""

    SCOPE_NAME = "rent-charges"
    TITLE = "Rent charges"
    DEFAULT_CSS = """
    RentChargesScreen .rc-row { height: 1; padding: 0 1; }
    RentChargesScreen .rc-row Label { width: auto; padding: 0 1 0 0; }
    RentChargesScreen .rc-row Input { height: 1; border: none; padding: 0; margin: 0 1 0 0; }
    RentChargesScreen #rc-reason { width: 1fr; }
    RentChargesScreen #rc-list { height: 1fr; padding: 0 1; }
    RentChargesScreen #rc-message { height: auto; max-height: 2; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="rent-charges-back", show=False, tooltip="Back"),
        Binding("f9", "set_charge", "Set", id="rent-charges-set",
                tooltip="Start the charge typed from the date (ending the current one the day before)"),
        Binding("f12", "end_charge", "End", id="rent-charges-end", tooltip="End the type's charge on the date"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._saving = False
        self.tenancy_ref: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="rc-row"):
            yield Label("Tenancy ref")
            yield Input(id="rc-ref", placeholder="T00012", max_length=12)
        yield Static("", id="rc-list")
        with Horizontal(classes="rc-row"):
            for key, words, width in FIELDS:
                yield Label(words)
                box = Input(id=key, max_length=24)
                box.styles.width = width
                yield box
        with Horizontal(classes="rc-row"):
            yield Label("Reason")
            yield Input(id="rc-reason", max_length=500)
        yield Static(plain(KEYS_LINE), id="rc-message")
        yield DutyFooter()

    def on_mount(self) -> None:
        self.query_one("#rc-freq", Input).value = "weekly"
        self.query_one("#rc-ref", Input).focus()

    def _value(self, key: str) -> str:
        return self.query_one(f"#{key}", Input).value.strip()

    @on(Input.Submitted, "#rc-ref")
    def _ref_entered(self) -> None:
        self.tenancy_ref = self._value("rc-ref").upper() or None
        self.show()

    def show(self) -> None:
        """Read the charges in force today and the ended rows (in a worker; drawn when they arrive)."""
        if self.tenancy_ref:
            self.read_charges(self.tenancy_ref)

    @work(thread=True, exclusive=True, exit_on_error=False, group="rent-charges-read")
    def read_charges(self, ref: str) -> None:
        from duty_tui.areas.rents.services.charges import current_charges, tenancy_charge_history

        ctx = self.duty_app.ctx
        found = current_charges(ctx, ref)
        _, history = tenancy_charge_history(ctx, ref)
        self.post_message(ChargesRead(found, history))

    @on(ChargesRead)
    def _charges_read(self, message: ChargesRead) -> None:
        found, history = message.found, message.history
        lines = [f"In force on {found.on:%d/%m/%Y}:"]
        lines += [f" {line.code:<18} {line.per:<8} {format_pence(line.amount_pence):>9} {line.frequency:<11} "
                  f"{format_pence(line.weekly_pence):>8}/wk from {line.effective_from:%d/%m/%Y}"
                  for line in found.lines]
        lines.append(f" Weekly total {format_pence(found.weekly_total_pence)}")
        ended = [row for row in history if row["effective_to"] is not None]
        lines.append("History (ended):" if ended else "History: no ended charges")
        lines += [f" {row['charge_code']:<18} {format_pence(row['amount_pence']):>9} {row['frequency']:<11} "
                  f"{row['effective_from']:%d/%m/%Y}-{row['effective_to']:%d/%m/%Y}" for row in ended[-6:]]
        self.query_one("#rc-list", Static).update(plain("\n".join(lines)))

    def _typed(self):  # -> tuple[str, date, str] | None
        from duty_tui.core.domain.validators import parse_date

        if not self.tenancy_ref:
            self._say("Type the tenancy ref and press Enter first")
            return None
        try:
            day = parse_date(self._value("rc-date"))
        except ValueError as exc:
            self._say(f"Date: {exc}")
            return None
        return self._value("rc-code").lower(), day, self._value("rc-reason")

    def action_set_charge(self) -> None:
        """Start the charge typed from the date."""
        from duty_tui.areas.rents.services.charges import set_charge_for_tenancy
        from duty_tui.core.domain.money import parse_pounds

        typed = self._typed()
        if typed is None:
            return
        code, day, reason = typed
        ctx = self.duty_app.ctx
        try:
            amount = 0 if self._value("rc-amount") in ("0", "0.00") else parse_pounds(self._value("rc-amount"))
        except ValueError as exc:
            self._say(f"Amount: {exc}")
            return
        frequency = self._value("rc-freq").lower()
        self._call(lambda: set_charge_for_tenancy(ctx, tenancy_ref=self.tenancy_ref or "", code=code,
                                                  amount_pence=amount, frequency=frequency, effective_from=day,
                                                  reason=reason), f"{code} set from {day:%d/%m/%Y}")

    def action_end_charge(self) -> None:
        """End the type's charge on the date."""
        from duty_tui.areas.rents.services.charges import end_charge

        typed = self._typed()
        if typed is None:
            return
        code, day, reason = typed
        self._call(lambda: end_charge(self.duty_app.ctx, tenancy_ref=self.tenancy_ref or "", code=code,
                                      last_day=day, reason=reason), f"{code} ended on {day:%d/%m/%Y}")

    def _call(self, do, done: str) -> None:
        self._saving = True
        self._say("Saving…")
        self.save(do, done)

    @work(thread=True, exclusive=True, exit_on_error=False, group="rent-charges-save")
    def save(self, do, done: str) -> None:
        do()
        self.post_message(ChargeSaved(done))

    @on(ChargeSaved)
    def _charge_saved(self, message: ChargeSaved) -> None:
        self._saving = False
        self.show()
        self._say(f"Saved: {message.done}")

    def on_worker_error(self, error: BaseException | None) -> None:
        saving, self._saving = self._saving, False
        if isinstance(error, ConflictError) and saving:
            self._say("Not saved: the charge was changed by someone else meanwhile; it is shown again")
            self.show()
            return
        if isinstance(error, InputError | NotFound | PermissionDenied):
            self._say(f"Not saved: {error.message}" if saving else error.message)
            return
        super().on_worker_error(error)

    def action_back(self) -> None:
        """Back."""
        self.app.pop_screen()

    def _say(self, text: str) -> None:
        self.query_one("#rc-message", Static).update(plain(text))
