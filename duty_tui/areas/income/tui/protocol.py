"""One rent account's pre-action record (docs/INCOME_PROTOCOL.md): the protocol's checklist — each step
done (✓, with its day and evidence) or outstanding —, benefit claims and UC managed payments, and the
possession gate's verdict in words. Pushed by the account screen (``ProtocolScreen(account_ref)``).

s records a step (the highlighted one, or the first outstanding; the evidence that counts for the
step chosen is shown under the evidence box); b records a benefit claim, d its decision; u records a UC managed payment request,
m moves it on. Enter on a row does what fits it. Every act goes through ``services/protocol.py``; a
refused form keeps what was typed. Esc goes back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Static

from duty_tui.areas.income.domain.protocol import BENEFIT_KINDS, BENEFIT_OUTCOMES, MANAGED_MOVES, MANAGED_STATES
from duty_tui.areas.income.services.protocol import EVIDENCE_MAX, ClaimLine, ManagedLine, ProtocolState, StepLine
from duty_tui.core.domain.errors import DutyError
from duty_tui.core.tui.kit.choices import Choice
from duty_tui.core.tui.kit.fields import FormField
from duty_tui.core.tui.kit.footer import DutyFooter
from duty_tui.core.tui.kit.form_screen import FormDialog
from duty_tui.core.tui.kit.validators import NoCardDataValidator
from duty_tui.core.tui.kit.workers import Done
from duty_tui.core.tui.screens.base import DutyScreen
from duty_tui.core.tui.text import plain

MANAGE = "arrears.manage"
REFUSED = "Your role may not record the pre-action protocol (arrears.manage): ask an income officer or a team leader."
LAW = {"england": "England: the Pre-Action Protocol for Possession Claims by Social Landlords",
       "scotland": "Scotland: Housing (Scotland) Act 2001 s14A pre-action requirements"}
SHORT_KIND = {"housing_benefit": "Housing benefit claim", "universal_credit": "Universal credit claim"}


def _d(day: date | None) -> str:
    return f"{day:%d/%m/%Y}" if day is not None else ""


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


class StepForm(FormDialog[str]):
    """The record-a-step form: the evidence hint under the evidence box follows the step chosen."""

    def __init__(self, hints: dict[str, str], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hints = hints

    @on(Choice.Changed)
    def _step_chosen(self, event: Choice.Changed) -> None:
        if event.value in self.hints:
            self.query_one("#pr-hint", Static).update(plain(self.hints[str(event.value)]))


class ProtocolScreen(DutyScreen):
    """A rent account's pre-action steps, benefit claims and UC managed payments, and the possession gate."""

    NAV_EXEMPT = True  # a part of the account screen: pushed over it, Escape goes back to it

    SCOPE_NAME = "protocol"
    watches = {"account": "ref"}
    DEFAULT_CSS = """
    ProtocolScreen #pr-head { height: auto; padding: 0 1; text-style: bold; }
    ProtocolScreen #pr-gate { height: auto; max-height: 4; padding: 0 1; border-bottom: solid $panel; }
    ProtocolScreen #pr-table { height: 1fr; }
    ProtocolScreen #pr-detail { height: auto; max-height: 4; padding: 0 1; border-top: solid $panel; }
    ProtocolScreen #pr-message { height: auto; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="protocol-back", tooltip="Back to the account"),
        Binding("s", "step", "Step", id="protocol-step",
                tooltip="Record a pre-action step done: the day and the evidence (the highlighted step, or the "
                        "first outstanding)"),
        Binding("b", "claim", "Claim", id="protocol-claim",
                tooltip="Record a housing benefit or universal credit claim made (pending until decided)"),
        Binding("d", "decide", "Decide", id="protocol-decide",
                tooltip="Record the decision on the highlighted (or oldest) pending benefit claim"),
        Binding("u", "uc_request", "UC ask", id="protocol-uc-request",
                tooltip="Record a request for a Universal Credit managed payment of rent to the landlord"),
        Binding("m", "uc_state", "UC move", id="protocol-uc-state",
                tooltip="Move the highlighted (or open) managed payment on: approved, refused, ended"),
        Binding("f9", "reload", "Reload", id="protocol-reload", tooltip="Read the account's pre-action record again"),
    ]

    @dataclass
    class Loaded(Message, bubble=False):
        """The account's pre-action record as read (or why it could not be)."""

        state: ProtocolState | None
        problem: str = ""

    def __init__(self, account_ref: str) -> None:
        super().__init__()
        self.ref = account_ref
        self.state: ProtocolState | None = None

    def compose(self) -> ComposeResult:
        yield Static(plain(f"{self.ref}: reading the pre-action record…"), id="pr-head")
        yield Static("", id="pr-gate")
        table: DataTable[str] = DataTable(id="pr-table", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static("", id="pr-detail")
        yield Static("", id="pr-message")
        yield DutyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#pr-table", DataTable)
        table.add_column("", key="mark", width=1)
        table.add_column("What", key="what", width=34)
        table.add_column("On", key="on", width=10)
        table.add_column("Evidence / state", key="detail", width=25)  # the rest of 80 columns; all of it below
        table.focus()
        self.load()

    # -- reading -------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="protocol-load")
    def load(self) -> None:
        from duty_tui.areas.income.services.protocol import protocol_state

        try:
            self.post_message(self.Loaded(protocol_state(self.duty_app.ctx, self.ref)))
        except DutyError as exc:
            self.post_message(self.Loaded(None, exc.message))

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        if message.state is None:
            self._message(message.problem)
            return
        self.state = st = message.state
        law = LAW.get(st.jurisdiction or "", "no pre-action steps for this tenancy type")
        kind = (st.tenancy_type or "no").replace("_", " ")
        self.query_one("#pr-head", Static).update(plain(f"{st.account_ref} {st.holder} · {kind} tenancy · {law}"))
        gate = st.gate
        verdict = ("✓ Nothing recorded blocks applying for possession today; court is the last resort."
                   if gate.may_apply else f"✗ {gate.message}.")
        self.query_one("#pr-gate", Static).update(plain(verdict))
        table = self.query_one("#pr-table", DataTable)
        keep = table.cursor_row
        table.clear()
        for step in st.steps:
            table.add_row(*self._step_cells(step), key=f"step:{step.rule.code}")
        for claim in st.claims:
            table.add_row(*self._claim_cells(claim), key=f"claim:{claim.id}")
        for mp in st.managed_payments:
            table.add_row(*self._managed_cells(mp), key=f"mp:{mp.id}")
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))
        self._detail()

    @staticmethod
    def _step_cells(step: StepLine) -> tuple[str, str, str, str]:
        if step.done_on is None:
            return "·", step.rule.name, "", "outstanding"
        if step.stale_from is not None:
            return "!", step.rule.name, _d(step.done_on), f"no longer counts from {_d(step.stale_from)}"
        return "✓", step.rule.name, _d(step.done_on), _one_line(step.evidence)

    @staticmethod
    def _claim_cells(claim: ClaimLine) -> tuple[str, str, str, str]:
        what = SHORT_KIND.get(claim.kind, claim.kind)
        if claim.pending:
            return "…", what, _d(claim.made_on), "awaiting decision (d records it)"
        return "✓", what, _d(claim.made_on), f"{claim.outcome} {_d(claim.decided_on)}"

    @staticmethod
    def _managed_cells(mp: ManagedLine) -> tuple[str, str, str, str]:
        mark = "…" if mp.state == "requested" else "✓" if mp.state == "approved" else " "
        return mark, "UC managed payment", _d(mp.requested_on), f"{MANAGED_STATES[mp.state]} {_d(mp.state_on)}"

    def _highlighted(self) -> tuple[str, str] | None:
        table = self.query_one("#pr-table", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
        kind, _, value = key.partition(":")
        return kind, value

    @on(DataTable.RowHighlighted, "#pr-table")
    def _detail(self) -> None:
        st, found = self.state, self._highlighted()
        box = self.query_one("#pr-detail", Static)
        if st is None or found is None:
            box.update("")
            return
        kind, value = found
        lines: list[str] = []
        if kind == "step":
            step = next(s for s in st.steps if s.rule.code == value)
            lines = [step.rule.words, f"Evidence: {step.rule.evidence}", f"Source: {step.rule.source}"]
            if step.evidence:
                lines.insert(1, f"Recorded: {_one_line(step.evidence)}")
        elif kind == "claim":
            claim = next(c for c in st.claims if str(c.id) == value)
            lines = [f"{BENEFIT_KINDS.get(claim.kind, claim.kind).capitalize()} claim made {_d(claim.made_on)}",
                     f"Evidence: {_one_line(claim.evidence) or 'none recorded'}"]
        else:
            mp = next(m for m in st.managed_payments if str(m.id) == value)
            lines = [f"Managed payment requested {_d(mp.requested_on)}: {mp.state} since {_d(mp.state_on)}",
                     f"Note: {_one_line(mp.note) or 'none'}"]
        box.update(plain("\n".join(lines)))

    @on(DataTable.RowSelected, "#pr-table")
    def _enter(self) -> None:
        found = self._highlighted()
        if found is not None:
            {"step": self.action_step, "claim": self.action_decide, "mp": self.action_uc_state}[found[0]]()

    def _message(self, text: str) -> None:
        self.query_one("#pr-message", Static).update(plain(text))

    # -- keys ----------------------------------------------------------------------------------

    def action_back(self) -> None:
        """Back to the account."""
        self.app.pop_screen()

    def action_reload(self) -> None:
        """Read the record again."""
        self.load()

    @on(Done)
    def _done(self, message: Done) -> None:
        self._message(message.text)
        if message.reload:
            self.load()

    def _ready(self) -> ProtocolState | None:
        if self.state is None:
            return None
        if not self.duty_app.ctx.can(MANAGE):
            self._message(REFUSED)
            return None
        return self.state

    def _open(self, dialog: FormDialog[str]) -> None:
        def answered(text: str | None) -> None:
            if text:
                self.post_message(Done(text))

        self.app.push_screen(dialog, answered)

    def action_step(self) -> None:
        """Record a pre-action step done, with its day and evidence."""
        st = self._ready()
        if st is None:
            return
        if not st.steps:
            self._message(f"{st.account_ref}: no pre-action steps for a {(st.tenancy_type or 'no')} tenancy.")
            return
        offered = [s for s in st.steps if not s.done] or list(st.steps)  # all done: a step may be done again
        found = self._highlighted()
        chosen = found[1] if found and found[0] == "step" and found[1] in {s.rule.code for s in offered} else None
        first = next((s for s in offered if s.rule.code == chosen), offered[0])
        hints = {s.rule.code: f"Evidence that counts: {s.rule.evidence}" for s in offered}

        def save(ctx: Any, values: dict[str, Any]) -> str:
            from duty_tui.areas.income.services.protocol import record_step

            done = record_step(ctx, st.account_ref, step=values["step"], done_on=values["done_on"],
                               evidence=values["evidence"])
            return f"Recorded on {done.account_ref}: {done.name}, {done.done_on:%d/%m/%Y}."

        ctx = self.duty_app.ctx
        self._open(StepForm(hints, f"Record a pre-action step on {st.account_ref} ({st.holder})", [
            FormField("step", "Step", "choice", tuple((s.rule.code, s.rule.name) for s in offered),
                      value=first.rule.code, required=True),
            FormField("done_on", "Done on", "date", value=ctx.today(), required=True, hint="today or earlier"),
            FormField("evidence", "Evidence", required=True, max_length=EVIDENCE_MAX,
                      hint="what shows it was done (what counts is said just above)",
                      validators=(NoCardDataValidator("evidence"),)),
            Static(plain(hints[first.rule.code]), id="pr-hint"),
        ], intro="Outstanding steps are offered; a step with no day or evidence is refused.", submit="Record",
            save=save))

    def action_claim(self) -> None:
        """Record a benefit claim made (it holds proceedings until decided)."""
        st = self._ready()
        if st is None:
            return

        def save(ctx: Any, values: dict[str, Any]) -> str:
            from duty_tui.areas.income.services.protocol import record_benefit_claim

            done = record_benefit_claim(ctx, st.account_ref, kind=values["kind"], made_on=values["made_on"],
                                        evidence=values["evidence"])
            return f"Recorded on {st.account_ref}: {BENEFIT_KINDS[done.kind]} claim made {done.made_on:%d/%m/%Y}."

        self._open(FormDialog(f"Record a benefit claim for {st.account_ref} ({st.holder})", [
            FormField("kind", "Claim", "choice", tuple(BENEFIT_KINDS.items()), required=True),
            FormField("made_on", "Made on", "date", value=self.duty_app.ctx.today(), required=True,
                      hint="the day the claim was made (today or earlier)"),
            FormField("evidence", "Evidence", max_length=EVIDENCE_MAX, hint="what supports it: claim reference, "
                      "documents given", validators=(NoCardDataValidator("evidence"),)),
        ], intro="No possession claim may be made while a benefit claim awaits decision.", submit="Record",
            save=save))

    def action_decide(self) -> None:
        """Record the decision on a pending benefit claim."""
        st = self._ready()
        if st is None:
            return
        found = self._highlighted()
        pending = st.pending_claims
        claim = next((c for c in pending if found and found[0] == "claim" and str(c.id) == found[1]),
                     pending[0] if pending else None)
        if claim is None:
            self._message(f"{st.account_ref} has no benefit claim awaiting decision (b records one).")
            return

        def save(ctx: Any, values: dict[str, Any]) -> str:
            from duty_tui.areas.income.services.protocol import decide_benefit_claim

            done = decide_benefit_claim(ctx, claim.id, decided_on=values["decided_on"], outcome=values["outcome"],
                                        version=claim.version)
            return f"Decision recorded: {BENEFIT_KINDS[done.kind]} claim {done.outcome} {done.decided_on:%d/%m/%Y}."

        self._open(FormDialog(f"Decision on the {BENEFIT_KINDS.get(claim.kind, claim.kind)} claim made "
                              f"{_d(claim.made_on)}", [
            FormField("outcome", "Outcome", "choice", tuple(BENEFIT_OUTCOMES.items()), required=True),
            FormField("decided_on", "Decided on", "date", value=self.duty_app.ctx.today(), required=True,
                      hint="the day of the decision (today or earlier)"),
        ], submit="Record", save=save))

    def action_uc_request(self) -> None:
        """Record a request for a UC managed payment (alternative payment arrangement)."""
        st = self._ready()
        if st is None:
            return

        def save(ctx: Any, values: dict[str, Any]) -> str:
            from duty_tui.areas.income.services.protocol import request_managed_payment

            done = request_managed_payment(ctx, st.account_ref, requested_on=values["requested_on"],
                                           note=values["note"])
            return f"Managed payment request recorded for {st.account_ref}, {done.requested_on:%d/%m/%Y}."

        self._open(FormDialog(f"UC managed payment request for {st.account_ref} ({st.holder})", [
            FormField("requested_on", "Requested on", "date", value=self.duty_app.ctx.today(), required=True,
                      hint="the day it was asked of the DWP (today or earlier)"),
            FormField("note", "Note", max_length=200, validators=(NoCardDataValidator("note"),)),
        ], intro="An alternative payment arrangement: Universal Credit's housing costs paid to the landlord.",
            submit="Record", save=save))

    def action_uc_state(self) -> None:
        """Move a managed payment on (approved, refused, ended)."""
        st = self._ready()
        if st is None:
            return
        found = self._highlighted()
        open_ones = [m for m in st.managed_payments if MANAGED_MOVES.get(m.state)]
        mp = next((m for m in open_ones if found and found[0] == "mp" and str(m.id) == found[1]),
                  open_ones[0] if open_ones else None)
        if mp is None:
            self._message(f"{st.account_ref} has no managed payment requested or approved (u records a request).")
            return

        def save(ctx: Any, values: dict[str, Any]) -> str:
            from duty_tui.areas.income.services.protocol import set_managed_payment_state

            done = set_managed_payment_state(ctx, mp.id, state=values["state"], on=values["on"], version=mp.version)
            return f"Managed payment for {st.account_ref}: {done.state} since {done.state_on:%d/%m/%Y}."

        moves = MANAGED_MOVES[mp.state]
        self._open(FormDialog(f"Managed payment requested {_d(mp.requested_on)}: now {mp.state}", [
            FormField("state", "Becomes", "choice", tuple((s, MANAGED_STATES[s]) for s in moves), value=moves[0],
                      required=True),
            FormField("on", "On", "date", value=self.duty_app.ctx.today(), required=True,
                      hint="the day it changed (today or earlier)"),
        ], submit="Record", save=save))
