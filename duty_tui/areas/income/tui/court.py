"""The court on one rent account (docs/INCOME_COURT.md, "The screen"): its possession claims, hearings and
outcomes, warrants and evictions, one line each, newest claim first.

Keys record what happened through ``services/court.py`` (``arrears.manage``): c a claim issued, h a
hearing, d a hearing's outcome (the decision), w a warrant applied for, e the eviction date, v the eviction's outcome,
x the claim closed; p produces the court pack (the send-document dialog). Each form is the kit's form
dialog: a refused save says why and keeps what was typed. The lead pushes it from an account screen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from duty_tui.areas.income.domain.court import CLOSE_REASONS, COURT_OUTCOME_WORDS, EVICTION_OUTCOMES
from duty_tui.areas.income.services.court_pack import ClaimView, CourtRecord
from duty_tui.core.domain.money import format_pence
from duty_tui.core.tui.kit.list_screen import ListPage, ListScreen
from duty_tui.core.tui.kit.list_table import CellValue, Column
from duty_tui.core.tui.kit.workers import Done
from duty_tui.core.tui.text import plain

MANAGE = "arrears.manage"
REFUSED = "Your role may not record the court (arrears.manage): ask an income officer or a team leader."
KEYS = "c claim · h hearing · d decision · w warrant · e eviction date · v its outcome · x close · p court pack"


def _d(value: date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else "—"


@dataclass(frozen=True)
class CourtLine:
    """One line of the screen: a claim, a hearing or a warrant, with what a key acting on it needs."""

    key: str
    what: str
    on: date | None
    detail: str
    claim_id: int
    row_id: int
    version: int
    kind: str  # claim / hearing / eviction
    decided: bool = False


def _hearing_line(claim: ClaimView, hearing: Any) -> CourtLine:
    if hearing.outcome:
        detail = COURT_OUTCOME_WORDS.get(hearing.outcome, hearing.outcome)
        if hearing.terms_weekly_pence:
            detail += f", rent + {format_pence(hearing.terms_weekly_pence)} a week"
        if hearing.possession_on:
            detail += f", possession {_d(hearing.possession_on)}"
    else:
        detail = "outcome not yet recorded (d)"
    return CourtLine(f"hearing:{hearing.id}", "Hearing", hearing.hearing_on, detail, claim.claim.id or 0,
                     hearing.id, hearing.version, "hearing", hearing.outcome is not None)


def _eviction_line(claim: ClaimView, ev: Any) -> CourtLine:
    detail = f"eviction {_d(ev.eviction_on)}" if ev.eviction_on else "no eviction date yet (e)"
    if ev.outcome:
        detail += f": {EVICTION_OUTCOMES.get(ev.outcome, ev.outcome)} {_d(ev.outcome_on)}"
    return CourtLine(f"eviction:{ev.id}", "Warrant", ev.warrant_applied_on, detail, claim.claim.id or 0, ev.id,
                     ev.version, "eviction", ev.outcome is not None)


def court_lines(record: CourtRecord) -> list[CourtLine]:
    """The record as lines: each claim, then its hearings and warrants in date order."""
    lines: list[CourtLine] = []
    for view in record.claims:
        c = view.claim
        state = f"closed {_d(c.closed_on)} ({CLOSE_REASONS.get(c.closed_reason or '', c.closed_reason)})" \
            if c.closed_on else "open"
        detail = " · ".join(x for x in (c.claim_number, c.court_name, f"costs {format_pence(c.costs_pence)}", state)
                            if x)
        lines.append(CourtLine(f"claim:{c.id}", "Claim issued", c.issued_on, detail, c.id or 0, c.id or 0, c.version,
                               "claim", c.closed_on is not None))
        lines += [_hearing_line(view, h) for h in view.hearings]
        lines += [_eviction_line(view, e) for e in view.evictions]
    return lines


class CourtScreen(ListScreen):
    """An account's possession claims, hearings and evictions, and the keys to record them."""

    NAV_EXEMPT = True  # a part of the account screen: pushed over it, Escape goes back to it

    SCOPE_NAME = "court"
    TITLE = "Court"
    LIST_ID = "court-table"
    COUNT_ID = "court-count"
    NOUN = ("court record", "court records")
    COLUMNS = (
        Column("what", "What", priority=0, never_cut=True),
        Column("on", "Date", priority=0, never_cut=True),
        Column("detail", "Detail", min=20, ideal=50, priority=1),
    )
    DEFAULT_CSS = """
    CourtScreen #court-head { height: 1; padding: 0 1; text-style: bold; }
    CourtScreen #court-message { height: auto; max-height: 4; padding: 0 1; }
    CourtScreen #court-keys { height: auto; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="court-back", tooltip="Back to the account"),
        Binding("c", "claim", "Claim", id="court-claim", tooltip="Record a possession claim issued (needs arrears.manage)"),
        Binding("h", "hearing", "Hearing", id="court-hearing", tooltip="Set or move the open claim's hearing date"),
        Binding("d", "outcome", "Outcome", id="court-outcome", tooltip="Record a hearing's outcome (the highlighted "
                                                                         "hearing, else the one not yet decided)"),
        Binding("w", "warrant", "Warrant", id="court-warrant", tooltip="Record a warrant of possession applied for"),
        Binding("e", "eviction_date", "Evict date", id="court-eviction-date",
                tooltip="Set the eviction date the bailiffs gave"),
        Binding("v", "eviction_outcome", "Evict outcome", id="court-eviction-outcome",
                tooltip="Record what happened to the warrant (evicted, stayed, cancelled, tenant left)"),
        Binding("x", "close_claim", "Close", id="court-close", show=False, tooltip="Close the open claim"),
        Binding("p", "pack", "Court pack", id="court-pack",
                tooltip="The court pack: rent schedule, daily rent, steps, benefits, N119 particulars (send or save)"),
        Binding("f9", "reload", "Reload", id="court-reload", show=False, tooltip="Read the court record again"),
    ]

    def __init__(self, account_ref: str) -> None:
        super().__init__()
        self.account_ref = "".join(account_ref.split()).upper()
        self.record: CourtRecord | None = None

    def compose_above(self) -> ComposeResult:
        yield Static(plain(f"Court: {self.account_ref}"), id="court-head")

    def compose_below(self) -> ComposeResult:
        yield Static("", id="court-message")
        yield Static(plain(KEYS), id="court-keys")

    # -- the list ------------------------------------------------------------------------------

    def fetch(self) -> ListPage:
        from duty_tui.areas.income.services.court_pack import court_record

        record = court_record(self.duty_app.ctx, self.account_ref)
        return ListPage(court_lines(record), extra=record)

    def row_key(self, item: CourtLine) -> str:
        return item.key

    def row_cells(self, item: CourtLine) -> dict[str, CellValue]:
        return {"what": item.what, "on": _d(item.on), "detail": item.detail}

    def describe_count(self, page: ListPage, shown: int) -> str:
        if not shown:
            return f"No possession claim is recorded on {self.account_ref}: c records one issued."
        return super().describe_count(page, shown)

    def after_load(self, page: ListPage) -> None:
        self.record = page.extra
        if self.record is not None:
            self.query_one("#court-head", Static).update(plain(f"Court: {self.record.account_ref} "
                                                               f"{self.record.holder}"))

    def open_item(self, item: CourtLine) -> None:
        {"hearing": self.action_outcome, "eviction": self.action_eviction_outcome}.get(item.kind, self.action_hearing)()

    def _message(self, text: str) -> None:
        self.query_one("#court-message", Static).update(plain(text))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "sort":
            return False
        return super().check_action(action, parameters)

    def action_back(self) -> None:
        """Back."""
        self.app.pop_screen()

    def action_reload(self) -> None:
        """Read the court record again."""
        self.reload()

    # -- what the keys act on ----------------------------------------------------------------------

    def _may_manage(self) -> bool:
        if self.duty_app.ctx.can(MANAGE):
            return True
        self._message(REFUSED)
        return False

    def _open_claim(self) -> ClaimView | None:
        view = self.record.open_claim if self.record else None
        if view is None:
            self._message("No open claim: c records a claim issued.")
        return view

    def _pick(self, kind: str) -> CourtLine | None:
        """The highlighted line of ``kind`` if it is open, else the open claim's latest undecided one."""
        row = self.highlighted()
        if isinstance(row, CourtLine) and row.kind == kind and not row.decided:
            return row
        view = self._open_claim()
        if view is None:
            return None
        lines = [line for line in court_lines(CourtRecord("", "", (view,))) if line.kind == kind and not line.decided]
        if not lines:
            self._message({"hearing": "No hearing waits for its outcome: h sets one.",
                           "eviction": "No warrant waits for its outcome: w records one applied for."}[kind])
            return None
        return lines[-1]

    def _form(self, title: str, fields: list, save: Callable[[Any, dict[str, Any]], str], intro: str = "") -> None:
        from duty_tui.core.tui.kit.form_screen import FormDialog

        def answered(text: str | None) -> None:
            if text:
                self.post_message(Done(text))

        self.app.push_screen(FormDialog(title, fields, intro=intro, submit="Save", save=save), answered)

    @on(Done)
    def _done_said(self, message: Done) -> None:
        self._message(message.text)
        if message.reload:
            self.reload()

    # -- keys ----------------------------------------------------------------------------------------

    def action_claim(self) -> None:
        """Record a possession claim issued."""
        if not self._may_manage():
            return
        from duty_tui.core.tui.kit.fields import FormField

        ref = self.account_ref

        def save(ctx: Any, v: dict[str, Any]) -> str:
            from duty_tui.areas.income.services.court import record_claim

            done = record_claim(ctx, ref, issued_on=v["issued_on"], claim_number=v["claim_number"] or None,
                                court_name=v["court_name"] or None, costs_pence=v["costs"] or 0,
                                hearing_on=v["hearing_on"])
            said = f"Claim recorded on {done.account_ref}"
            if done.costs_account_ref:
                said += f"; {format_pence(done.costs_pence)} court costs posted to {done.costs_account_ref}"
            if done.serve_by:
                said += f"; serve the claim by {_d(done.serve_by)}"
            return said + (f". Note: {done.warning}" if done.warning else ".")

        self._form(f"Possession claim issued on {ref}", [
            FormField("issued_on", "Issued on", "date", value=self.duty_app.ctx.today(), required=True),
            FormField("claim_number", "Claim no.", max_length=20),
            FormField("court_name", "Court", max_length=80),
            FormField("costs", "Costs £", "money", hint="court fee and costs, posted to the court costs account"),
            FormField("hearing_on", "Hearing", "date", hint="if listed: not less than 28 days after issue"),
        ], save, intro="Needs the apply-for-possession step recorded and a notice in force on the day of issue.")

    def action_hearing(self) -> None:
        """Set (or move) the open claim's hearing date."""
        if not self._may_manage() or (view := self._open_claim()) is None:
            return
        from duty_tui.core.tui.kit.fields import FormField

        claim_id = view.claim.id or 0

        def save(ctx: Any, v: dict[str, Any]) -> str:
            from duty_tui.areas.income.services.court import set_hearing

            done = set_hearing(ctx, claim_id, hearing_on=v["hearing_on"])
            said = f"Hearing set for {_d(done.hearing_on)}" + (f"; serve by {_d(done.serve_by)}" if done.serve_by else "")
            return said + (f". Note: {done.warning}" if done.warning else ".")

        self._form(f"Hearing of the claim issued {_d(view.claim.issued_on)}", [
            FormField("hearing_on", "Hearing", "date", required=True)], save,
            intro="A hearing not yet decided is moved; after an adjournment a new hearing is added.")

    def action_outcome(self) -> None:
        """Record a hearing's outcome."""
        if not self._may_manage() or (line := self._pick("hearing")) is None:
            return
        from duty_tui.core.tui.kit.fields import FormField

        def save(ctx: Any, v: dict[str, Any]) -> str:
            from duty_tui.areas.income.services.court import record_outcome

            done = record_outcome(ctx, line.row_id, outcome=v["outcome"], outcome_on=v["outcome_on"],
                                  terms_weekly_pence=v["terms_weekly"], terms_text=v["terms"] or None,
                                  possession_on=v["possession_on"], version=line.version)
            return f"Outcome recorded: {COURT_OUTCOME_WORDS[done.outcome or '']}."

        self._form(f"Outcome of the hearing on {_d(line.on)}", [
            FormField("outcome", "Outcome", "choice", tuple(COURT_OUTCOME_WORDS.items()), required=True),
            FormField("outcome_on", "Decided on", "date", value=line.on, required=True),
            FormField("terms_weekly", "Terms £/wk", "money", hint="an order on terms: the weekly sum on top of rent"),
            FormField("terms", "Terms", max_length=500),
            FormField("possession_on", "Possession", "date", hint="an outright order: the date for possession"),
        ], save)

    def action_warrant(self) -> None:
        """Record a warrant of possession applied for on the open claim."""
        if not self._may_manage() or (view := self._open_claim()) is None:
            return
        from duty_tui.core.tui.kit.fields import FormField

        claim_id = view.claim.id or 0

        def save(ctx: Any, v: dict[str, Any]) -> str:
            from duty_tui.areas.income.services.court import apply_warrant

            done = apply_warrant(ctx, claim_id, applied_on=v["applied_on"], breach=v["breach"] or None)
            return f"Warrant applied for on {_d(done.warrant_applied_on)}: e sets the eviction date when given."

        self._form("Warrant of possession applied for", [
            FormField("applied_on", "Applied on", "date", value=self.duty_app.ctx.today(), required=True),
            FormField("breach", "Breach", max_length=500, hint="an order on terms: how the terms were broken"),
        ], save)

    def action_eviction_date(self) -> None:
        """Set the eviction date of the warrant waiting for one."""
        if not self._may_manage() or (line := self._pick("eviction")) is None:
            return
        from duty_tui.core.tui.kit.fields import FormField

        def save(ctx: Any, v: dict[str, Any]) -> str:
            from duty_tui.areas.income.services.court import set_eviction_date

            done = set_eviction_date(ctx, line.row_id, eviction_on=v["eviction_on"], version=line.version)
            return f"Eviction date set: {_d(done.eviction_on)}."

        self._form(f"Eviction date (warrant applied for {_d(line.on)})", [
            FormField("eviction_on", "Eviction", "date", required=True)], save)

    def action_eviction_outcome(self) -> None:
        """Record what happened to the warrant."""
        if not self._may_manage() or (line := self._pick("eviction")) is None:
            return
        from duty_tui.core.tui.kit.fields import FormField

        def save(ctx: Any, v: dict[str, Any]) -> str:
            from duty_tui.areas.income.services.court import record_eviction_outcome

            done = record_eviction_outcome(ctx, line.row_id, outcome=v["outcome"], outcome_on=v["outcome_on"],
                                           version=line.version)
            return f"Recorded: {EVICTION_OUTCOMES[done.outcome or '']}."

        self._form(f"What happened to the warrant applied for {_d(line.on)}", [
            FormField("outcome", "Outcome", "choice", tuple(EVICTION_OUTCOMES.items()), required=True),
            FormField("outcome_on", "On", "date", value=self.duty_app.ctx.today(), required=True)], save)

    def action_close_claim(self) -> None:
        """Close the open claim."""
        if not self._may_manage() or (view := self._open_claim()) is None:
            return
        from duty_tui.core.tui.kit.fields import FormField

        claim_id, version = view.claim.id or 0, view.claim.version

        def save(ctx: Any, v: dict[str, Any]) -> str:
            from duty_tui.areas.income.services.court import close_claim

            done = close_claim(ctx, claim_id, closed_on=v["closed_on"], reason=v["reason"], version=version)
            return f"Claim closed on {_d(done.closed_on)}: {CLOSE_REASONS[done.closed_reason or 'other']}."

        self._form(f"Close the claim issued {_d(view.claim.issued_on)}", [
            FormField("reason", "Reason", "choice", tuple(CLOSE_REASONS.items()), required=True),
            FormField("closed_on", "Closed on", "date", value=self.duty_app.ctx.today(), required=True)], save)

    def action_pack(self) -> None:
        """The court pack, through the send-document dialog (printer, email, or the user's documents folder)."""
        from duty_tui.core.tui.dialogs.send_document import SendDocumentDialog

        ref, ctx = self.account_ref, self.duty_app.ctx

        def make():
            from duty_tui.areas.income.services.court_pack import court_pack, pack_pdf_lines
            from duty_tui.core.services.printable import make_document

            pack = court_pack(ctx, ref)
            return make_document("court_packs", f"court-pack-{pack.account_ref}-{pack.as_of:%Y%m%d}",
                                 f"Court pack: {pack.account_ref}, {pack.holder}, {_d(pack.as_of)}",
                                 pack_pdf_lines(pack), font_size=9, about=("account", pack.account_ref))

        def sent(outcome: Any) -> None:
            if outcome is not None:
                self._message(f"Court pack for {ref} sent.")

        self.app.push_screen(SendDocumentDialog(f"court pack {ref}", make), sent)


__all__ = ["CourtLine", "CourtScreen", "court_lines"]
