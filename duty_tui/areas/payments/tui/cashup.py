"""End of day: cash up my till — expected by method from the ledger against what I count
(cash by denomination), the variance with a reason; then a second person signs it off."""

from __future__ import annotations

from dataclasses import dataclass, field

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Header, Input, Label, Static

from duty_tui.areas.payments.domain.reference import load_policy
from duty_tui.areas.payments.domain.rules import CashUpLine, cashup_lines, parse_count
from duty_tui.areas.payments.services.cashup import CashUpView, TillTakings
from duty_tui.core.domain.errors import DutyError
from duty_tui.core.domain.money import format_pence, parse_pounds
from duty_tui.core.tui.kit.choices import Choice
from duty_tui.core.tui.kit.dialogs import ConfirmDialog
from duty_tui.core.tui.kit.fields import FormField
from duty_tui.core.tui.kit.footer import DutyFooter
from duty_tui.core.tui.kit.form import Form
from duty_tui.core.tui.kit.form_screen import FormScreen
from duty_tui.core.tui.kit.list_table import Column, ListRow, ListTable
from duty_tui.core.tui.kit.validators import NoCardDataValidator
from duty_tui.core.tui.screens.base import DutyScreen
from duty_tui.core.tui.text import plain


def _count_problem(text: str) -> str | None:
    """How many notes or coins: a whole number (domain.payments.parse_count)."""
    try:
        parse_count(text)
    except ValueError as exc:
        return str(exc)
    return None


EXPECTED_COLUMNS = (
    Column("method", "Method", min=8, ideal=24, priority=0),
    Column("lines", "Lines", priority=2, never_cut=True, justify="right"),
    Column("expected", "Expected", priority=0, never_cut=True, justify="right"),
    Column("counted", "Counted", priority=0, never_cut=True, justify="right"),
    Column("variance", "Variance", priority=0, never_cut=True, justify="right"),
)
"""Expected against counted, by method: money is never cut."""


class CashUpScreen(FormScreen, DutyScreen):
    """Count my till for today; F9 submits (the till then takes no more counter payments today)."""

    SCOPE_NAME = "cashup"
    TITLE = "Cash up my till"
    DEFAULT_CSS = """
    CashUpScreen .cu-row { height: 1; margin: 0 1; }
    CashUpScreen .cu-row Label { padding: 0 1 0 0; }
    CashUpScreen #cu-counts { margin: 0 1; }
    CashUpScreen #cu-counts Input { width: 8; }
    CashUpScreen #cu-till { width: 16; }
    CashUpScreen #cu-expected { height: 5; margin: 0 1; }
    CashUpScreen #cu-reason { width: 1fr; }
    CashUpScreen #cu-totals { height: 1; text-style: bold; }
    CashUpScreen #cu-message { height: auto; margin: 0 1; color: $error; }
    """
    BINDINGS = [
        Binding("f9", "submit", "Cash up", id="cashup-submit", tooltip="Check the count, confirm and cash up the till"),
        Binding("escape", "back", "Back", id="cashup-back", tooltip="Back (asks first when counts are typed)"),
    ]

    def __init__(self, person_ref: str | None = None) -> None:
        super().__init__()
        self.takings: TillTakings | None = None
        self._busy = False

    def compose(self) -> ComposeResult:
        rules = self.rules
        yield Header()
        with Horizontal(classes="cu-row"):
            yield Label("Till")
            yield Choice([(t, t) for t in rules.tills], rules.tills[0], id="cu-till", allow_blank=False)
            yield Static("", id="cu-who")
        yield ListTable(EXPECTED_COLUMNS, id="cu-expected")
        fields: list[FormField] = []
        denominations = list(rules.denominations)
        for start in range(0, len(denominations), 4):
            fields += [FormField(f"cu-cash-{d.pence}", f"{d.name:>4}", max_length=6, restrict=r"[0-9]*",
                                 placeholder="0", check=_count_problem, row=f"cash-{start}")
                       for d in denominations[start:start + 4]]
        fields += [FormField(f"cu-total-{code}", f"{code.replace('_', ' ').capitalize()} £", "money",
                             placeholder="0.00", row="totals")
                   for code, method in rules.methods.items() if method.cashup == "total"]
        yield Form([*fields, Static("", id="cu-totals"),
                    FormField("cu-reason", "Variance reason", max_length=300, placeholder="needed when over or short",
                              validators=(NoCardDataValidator("variance reason"),))],
                   labels="inline", id="cu-counts")
        yield Static("", id="cu-message")
        yield DutyFooter()

    @property
    def rules(self):
        """The payments policy."""
        return load_policy(self.duty_app.settings.data_dir)

    def on_mount(self) -> None:
        table = self.query_one("#cu-expected", ListTable)
        table.show_cursor = False
        table.can_focus = False
        self.query_one(f"#cu-cash-{self.rules.denominations[0].pence}", Input).focus()
        self._recount()
        self.load()

    _message_text = ""

    def _message(self, text: str) -> None:
        self._message_text = text
        self.query_one("#cu-message", Static).update(plain(text))

    @on(Choice.Changed, "#cu-till")
    def _till_changed(self) -> None:
        if self.is_mounted:
            self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="cashup")
    def load(self) -> None:
        from duty_tui.areas.payments.services.cashup import till_takings

        till = str(self.query_one("#cu-till", Choice).value)
        self.post_message(self.Loaded(till_takings(self.duty_app.ctx, till)))

    @dataclass
    class Loaded(Message):
        """What the ledger says the till took today."""

        takings: TillTakings

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self._show(message.takings)

    def _show(self, takings: TillTakings) -> None:
        self.takings = takings
        done = f" · ALREADY CASHED UP ({takings.cashup_ref})" if takings.cashup_ref else ""
        self.query_one("#cu-who", Static).update(plain(
            f"  {takings.business_date:%d/%m/%Y} · {takings.user_name}{done}"))
        self._recount()

    def _counted(self) -> tuple[dict[int, int], dict[str, int], list[str]]:
        rules = self.rules
        counts: dict[int, int] = {}
        totals: dict[str, int] = {}
        problems: list[str] = []
        for d in rules.denominations:
            try:
                counts[d.pence] = parse_count(self.query_one(f"#cu-cash-{d.pence}", Input).value)
            except ValueError as exc:
                problems.append(f"{d.name}: {exc}")
        for code, method in rules.methods.items():
            if method.cashup == "total":
                raw = self.query_one(f"#cu-total-{code}", Input).value.strip()
                if not raw or raw.removeprefix("£") in ("0", "0.00"):
                    totals[code] = 0
                    continue
                try:
                    totals[code] = parse_pounds(raw)
                except ValueError as exc:
                    problems.append(f"{method.name}: {exc}")
        return counts, totals, problems

    def _lines(self) -> list[CashUpLine]:
        counts, totals, _ = self._counted()
        rules = self.rules
        counted = dict(totals)
        for code, method in rules.methods.items():
            if method.cashup == "denominations":
                counted[code] = sum(p * q for p, q in counts.items())
        expected = {line.method: (line.payments, line.expected_pence) for line in self.takings.lines} \
            if self.takings else {}
        order = [code for code, m in rules.methods.items() if "counter" in m.channels]
        return cashup_lines(expected, {m: v for m, v in counted.items() if m in order}, order)

    @on(Input.Changed)
    def _recount(self) -> None:
        if self._message_text and not self._busy:
            self._message("")  # the count changed: a message about the last count no longer applies
        if self.takings is None:
            return
        rules = self.rules
        lines = self._lines()
        self.query_one("#cu-expected", ListTable).set_rows(
            ListRow(line.method, {"method": rules.method_name(line.method), "lines": str(line.payments),
                                  "expected": format_pence(line.expected_pence),
                                  "counted": format_pence(line.counted_pence),
                                  "variance": format_pence(line.variance_pence)})
            for line in lines)
        expected = sum(line.expected_pence for line in lines)
        counted = sum(line.counted_pence for line in lines)
        variance = counted - expected
        state = "balanced" if not any(line.variance_pence for line in lines) else \
            f"{format_pence(abs(variance))} {'OVER' if variance > 0 else 'SHORT' if variance < 0 else 'out by method'}"
        self.query_one("#cu-totals", Static).update(plain(
            f"Counted {format_pence(counted)} · expected {format_pence(expected)} · {state}"))

    @on(Form.Submitted, "#cu-counts")
    def _enter_in_the_last_field(self, event: Form.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        """Check the count, confirm, and cash up."""
        if self._busy or self.takings is None:
            return
        form = self.query_one("#cu-counts", Form)
        if form.validate():
            return
        counts, totals, problems = self._counted()
        reason = self.query_one("#cu-reason", Input)
        lines = self._lines()
        if any(line.variance_pence for line in lines) and len(reason.value.strip()) < 5:
            form.show_problems({"cu-reason": "the count differs from the ledger: say why in the variance reason (at least 5 characters)"})
            return
        if problems:
            self._message("\n".join(problems))
            return
        self._message("")
        till = self.takings.till_code
        counted = sum(line.counted_pence for line in lines)
        expected = sum(line.expected_pence for line in lines)
        question = (f"Cash up {till} for {self.takings.business_date:%d/%m/%Y}? Counted {format_pence(counted)}, "
                    f"expected {format_pence(expected)}. {till} then takes no more counter payments today.")

        def answered(yes: bool | None) -> None:
            if yes:
                self._busy = True
                self._message("Cashing up…")
                self.submit(till, counts, totals, reason.value)

        self.app.push_screen(ConfirmDialog(question, yes="Yes, cash up", no="No, recount"), answered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="cashup-submit")
    def submit(self, till: str, counts: dict[int, int], totals: dict[str, int], reason: str) -> None:
        from duty_tui.areas.payments.services.cashup import submit_cashup

        try:
            view = submit_cashup(self.duty_app.ctx, till, counts, totals, reason or None)
        except DutyError as exc:
            self.post_message(self.Submitted(None, list(getattr(exc, "problems", None) or [exc.message])))
            return
        self.post_message(self.Submitted(view))

    @dataclass
    class Submitted(Message):
        """The cash-up is recorded (or refused, with why)."""

        view: CashUpView | None
        problems: list[str] = field(default_factory=list)

    @on(Submitted)
    def _submitted(self, message: Submitted) -> None:
        from duty_tui.areas.payments.tui.cashup_report import CashUpReportScreen

        self._busy = False
        if message.view is None:
            self._message("\n".join(message.problems))
        else:
            self.app.switch_screen(CashUpReportScreen(message.view))

    def on_worker_error(self, error: BaseException | None) -> None:
        self._busy = False
        super().on_worker_error(error)

    DISCARD_QUESTION = "Leave the cash-up? The counts typed will be lost."
    DISCARD_YES = "Yes, leave"
    DISCARD_NO = "No, keep counting"

    def action_back(self) -> None:
        """Back, asking first if counts are typed."""
        self.leave_form()
