"""One homelessness case: its clocks, duties and timeline; letters, plan, moves, reviews, TA, s193B."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Header, Static

from duty_tui.areas.housing_options.domain.casework import REVIEW_KIND_WORDS, STAGE_WORDS
from duty_tui.areas.housing_options.domain.homelessness import owed_today
from duty_tui.areas.housing_options.domain.reference import REVIEW_OUTCOMES, TA_DUTY_WORDS, load_housing_reference
from duty_tui.core.domain.clocks import Deadline, describe_due
from duty_tui.core.domain.local_time import display_date
from duty_tui.core.tui.kit.fields import FormField
from duty_tui.core.tui.kit.footer import DutyFooter
from duty_tui.core.tui.kit.form_screen import FormDialog
from duty_tui.core.tui.kit.list_table import Column, ListRow, ListTable
from duty_tui.core.tui.kit.workers import Loaded
from duty_tui.core.tui.screens.base import DutyScreen
from duty_tui.core.tui.text import plain

TIMELINE_COLUMNS = (
    Column("date", "Date", priority=0, never_cut=True),
    Column("what", "What", min=20, priority=0),  # ideal 0: the whole line before who wrote it
    Column("by", "By", min=8, ideal=16, priority=1),
)
"""The case's timeline: the date never cut, what happened gets the room, then who."""


class OptionsCaseScreen(DutyScreen):
    """A homelessness case: every clock, the duties, and what happened when."""

    watches = {"case": "case_ref"}  # kit/changes.py

    SCOPE_NAME = "options-case"
    TITLE = "Homelessness case"
    BINDINGS = [
        Binding("l", "letter", "Letter", id="housing-case-letter", tooltip="Preview and issue a decision or duty letter"),
        Binding("m", "move", "Move", id="housing-case-move", tooltip="Record a duty decision or ending (with date and reason)"),
        Binding("a", "approach", "Answers", id="housing-case-approach", tooltip="Open the triage answers to update them"),
        Binding("s", "step", "Plan step", id="housing-case-plan-step", tooltip="Add a step to the personalised housing plan"),
        Binding("d", "step_done", "Step done", id="housing-case-step-done", show=False,
                tooltip="Mark the highlighted plan step done (or not done)"),
        Binding("v", "plan_review", "Plan review", id="housing-case-plan-review", show=False,
                tooltip="Record a review of the plan and set the next one"),
        Binding("t", "place", "TA", id="housing-case-ta-place", tooltip="Record a temporary accommodation placement"),
        Binding("e", "end_ta", "End TA", id="housing-case-ta-end", show=False, tooltip="End the current placement"),
        Binding("r", "review", "Review", id="housing-case-review-request", show=False,
                tooltip="Record a s202 review request against a letter"),
        Binding("x", "decide_review", "Decide review", id="housing-case-review-decide", show=False,
                tooltip="Record the outcome of a review"),
        Binding("w", "warning", "s193B warning", id="housing-case-s193b-warning", show=False,
                tooltip="Issue the s193B(5) warning letter"),
        Binding("n", "propose", "s193B notice", id="housing-case-s193b-propose", show=False,
                tooltip="Propose a s193B notice for a second officer to sign off"),
        Binding("o", "sign_off", "Sign off s193B", id="housing-case-s193b-sign-off", show=False,
                tooltip="Sign off a proposed s193B notice (a second, different officer)"),
        Binding("k", "take", "Take", id="housing-case-take", show=False, tooltip="Assign this case to me"),
        Binding("g", "reload", "Reload", id="housing-case-reload", show=False, tooltip="Load the case again"),
        Binding("escape", "back", "Back", id="housing-case-back", tooltip="Back to the previous screen"),
    ]
    DEFAULT_CSS = """
    OptionsCaseScreen #case-head { height: auto; padding: 0 1; background: $panel; }
    OptionsCaseScreen #case-clocks { height: auto; padding: 0 1; }
    OptionsCaseScreen #timeline { height: 1fr; }
    OptionsCaseScreen #case-hint { height: 1; color: $text-muted; padding: 0 1; }
    """

    def __init__(self, case_ref: str, person_ref: str | None = None) -> None:
        super().__init__()
        self.case_ref = case_ref
        self.view = None
        self._move_attempt: tuple[dict, int | None] | None = None  # a move's typed values and the version seen

    def on_worker_error(self, error: BaseException | None) -> None:
        from duty_tui.core.domain.errors import ConflictError

        if isinstance(error, ConflictError):
            self.show_conflict(error)
            return
        super().on_worker_error(error)

    def show_conflict(self, error) -> None:
        """Both versions; a move's typing goes back into its form (r: over the newer version, Esc: as it was)."""
        from duty_tui.core.tui.dialogs.conflict import show_conflict

        attempt, self._move_attempt = self._move_attempt, None
        if attempt is None:  # an action without a form: reload and say so
            show_conflict(self, error, None, on_reload=self.load, on_back=self.load)
            return
        typed, seen = attempt

        def reload() -> None:
            self._reopen_after_load = (typed, error.version)
            self.load()

        show_conflict(self, error, None, on_reload=reload, on_back=lambda: self.action_move(typed, seen),
                      note_text=str(typed.get("note") or "") or None,
                      on_note=lambda text: self.keep_note(text))

    @work(thread=True, exclusive=True, exit_on_error=False, group="case-note")
    def keep_note(self, text: str) -> None:
        """Add the move's note to the case as a note of its own."""
        from duty_tui.core.services.cases import add_case_note

        add_case_note(self.duty_app.ctx, self.case_ref, text)
        self.post_message(self.Recorded(f"Your note was added to {self.case_ref}; the move was not saved."))

    @dataclass
    class Recorded(Message):
        """A save on the case finished: say so in a toast and read the case again.

        ``issued`` is the notice just issued (id, title): the send dialog is offered for it.
        """

        text: str
        title: str = ""
        timeout: float | None = None
        issued: tuple[int, str] | None = None

    @on(Recorded)
    def _recorded(self, message: Recorded) -> None:
        self.notify(message.text, title=message.title, timeout=message.timeout, markup=False)
        self.load()
        if message.issued is not None:
            self.send_letter(*message.issued)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(plain(f"Loading {self.case_ref}…"), id="case-head")
        yield Static("", id="case-clocks")
        yield ListTable(TIMELINE_COLUMNS, id="timeline")
        yield Static("l letter · m move · s step · t TA · r review · w/n/o s193B · a answers · F1 all keys",
                     id="case-hint")
        yield DutyFooter()

    def on_mount(self) -> None:
        self.query_one("#timeline", ListTable).focus()
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    # ------------------------------------------------------------------ loading
    @work(thread=True, exclusive=True, exit_on_error=False, group="case-load")
    def load(self) -> None:
        from duty_tui.areas.housing_options.services.case_view import get_housing_case

        view = get_housing_case(self.duty_app.ctx, self.case_ref)
        self.post_message(Loaded(view))

    @on(Loaded)
    def _loaded_view(self, message: Loaded) -> None:
        self._show(message.view)

    _reopen_after_load: tuple[dict, int | None] | None = None

    def _show(self, view) -> None:
        self.view = view
        if self._reopen_after_load is not None:
            typed, version = self._reopen_after_load
            self._reopen_after_load = None
            self.call_after_refresh(self.action_move, typed, version)
        self.title = plain(f"{view.case_ref} {view.person_name or ''}".strip()).plain
        head = Text()
        head.append(plain(f"{view.case_ref} ", style="bold"))
        head.append(plain(f"{view.person_name or 'no applicant linked'}"
                          + (f" ({view.person_ref})" if view.person_ref else "")))
        head.append(plain(f" · {STAGE_WORDS.get(view.stage, view.stage).upper()}", style="bold"))
        head.append(plain(f" · approach {view.approach_date:%d/%m/%Y} · {view.assignee or 'unassigned'}"))
        if view.assessment is not None:
            from duty_tui.areas.housing_options.tui.assessment import uk_dates

            today = self.duty_app.ctx.today()
            owed = owed_today(view.approach, view.assessment, today) if view.approach is not None else "—"
            head.append("\n")
            head.append(plain("Owed today: " + uk_dates(owed)))
        self.query_one("#case-head", Static).update(head)
        today = self.duty_app.ctx.today()
        clocks = Text()
        for clock in view.clocks:
            status = describe_due(Deadline(clock.due, "calendar_days"), today, self.duty_app.calendar)
            marker = {"overdue": "!! ", "due_today": "!  "}.get(status.state, "   ")
            style = {"overdue": "bold red", "due_today": "bold yellow"}.get(status.state, "")
            clocks.append(plain(f"{marker}{clock.label:<18} {clock.due:%a %d/%m/%Y}  {status.label}", style=style))
            clocks.append("\n")
        pending = [p for p in view.proposals if p.status == "proposed"]
        if pending:
            clocks.append(plain(f"!  s193B notice proposed by {pending[0].proposed_by}: awaiting sign-off (o) by a "
                                "second officer\n", style="bold"))
        if not view.clocks and not pending:
            clocks.append(plain("No clocks running." if view.stage == "closed" else ""))
        self.query_one("#case-clocks", Static).update(clocks)
        self.query_one("#timeline", ListTable).set_rows(
            ListRow(item.key, {"date": display_date(item.on), "what": item.text, "by": item.officer or ""})
            for item in view.timeline)

    def _selected_key(self) -> str | None:
        return self.query_one("#timeline", ListTable).current_key

    def _need_view(self) -> bool:
        if self.view is None:
            self.notify("The case is still loading.", severity="warning")
            return False
        return True

    def action_reload(self) -> None:
        """Load again."""
        self.load()

    def action_back(self) -> None:
        """Back."""
        self.app.pop_screen()

    def action_approach(self) -> None:
        """Open the triage answers."""
        from duty_tui.areas.housing_options.tui.approach import ApproachScreen

        self.app.push_screen(ApproachScreen(case_ref=self.case_ref))

    # ------------------------------------------------------------------ letters
    def action_letter(self, code: str | None = None, extra: dict | None = None) -> None:
        """Choose a letter, preview it, issue it."""
        if not self._need_view():
            return
        letters = [(c, title) for c, title in self.view.letters if c != "s193b_warning"]
        if code is None:
            if not letters:
                self.notify("No letter can be issued at this stage.", severity="warning")
                return
            default = "s184_decision" if any(c == "s184_decision" for c, _t in letters) else letters[0][0]

            def chosen(values: dict | None) -> None:
                if values and values.get("letter"):
                    self.preview(values["letter"], None)
            self.app.push_screen(FormDialog("Which letter?", [FormField(
                "letter", "Letter", "choice", tuple(letters), value=default, required=True)], submit="Preview"), chosen)
            return
        self.preview(code, extra)

    @work(thread=True, exclusive=True, exit_on_error=False, group="case-letter")
    def preview(self, code: str, extra: dict | None) -> None:
        from duty_tui.areas.housing_options.services.letters import preview_letter

        letter = preview_letter(self.duty_app.ctx, self.case_ref, code, extra)
        self.post_message(self.Previewed(letter, extra))

    @dataclass
    class Previewed(Message):
        """A letter drafted for the case, with what was asked for it."""

        letter: Any
        extra: dict | None

    @on(Previewed)
    def _previewed(self, message: Previewed) -> None:
        self._show_preview(message.letter, message.extra)

    def _show_preview(self, letter, extra) -> None:
        from duty_tui.areas.housing_options.tui.letter import LetterDialog

        def answered(choice: str | None) -> None:
            if choice == "issue":
                self.issue(letter.code, extra)
        self.app.push_screen(LetterDialog(letter.title, letter.text, can_issue=True), answered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="case-letter")
    def issue(self, code: str, extra: dict | None) -> None:
        from duty_tui.areas.housing_options.services.letters import issue_letter

        notice = issue_letter(self.duty_app.ctx, self.case_ref, code, extra)
        message = f"Issued: {notice.title}."
        if notice.review_last_day:
            message += f" Review requests by {notice.review_last_day:%d/%m/%Y}."
        self.post_message(self.Recorded(message, title="Letter issued", timeout=10, issued=(notice.id, notice.title)))

    def send_letter(self, notice_id: int, title: str) -> None:
        """Send an issued letter: a printer, email, a download in a browser, or a file (one dialog)."""
        from duty_tui.core.tui.dialogs.send_document import SendDocumentDialog

        ctx, case_ref = self.duty_app.ctx, self.case_ref

        def make():
            from duty_tui.areas.housing_options.services.letters import notice_pdf
            from duty_tui.core.services.printable import pdf_document

            name, data = notice_pdf(ctx, notice_id)
            return pdf_document("letters", name, data, title=f"{title} ({case_ref})", about=("case", case_ref))

        def sent(outcome) -> None:
            if outcome is not None:
                self.notify(f"{outcome.message}.", title="Letter")

        self.app.push_screen(SendDocumentDialog(f"letter: {title}", make), sent)

    @on(DataTable.RowSelected, "#timeline")
    def _open_item(self, event: DataTable.RowSelected) -> None:
        key = str(event.row_key.value)
        kind, _, ident = key.partition(":")
        if kind == "notice" and self.view is not None:
            from duty_tui.areas.housing_options.tui.letter import LetterDialog

            notice = next(n for n in self.view.notices if str(n.id) == ident)

            def answered(choice: str | None) -> None:
                if choice == "pdf":
                    self.send_letter(notice.id, notice.title)
            self.app.push_screen(LetterDialog(notice.title, notice.body, can_issue=False), answered)
        elif kind == "step":
            self.action_step_done()

    # ------------------------------------------------------------------ moves
    def action_move(self, typed: dict | None = None, seen: int | None = None) -> None:
        """Record a duty decision or ending (``typed``: the values kept from a save someone else beat)."""
        if not self._need_view():
            return
        if not self.view.allowed_moves:
            self.notify("This case is closed: nothing follows.", severity="warning")
            return
        ref = load_housing_reference(self.duty_app.settings.data_dir)
        options = tuple((f"{code}|{stage}", f"→ {STAGE_WORDS[stage]}: {words}")
                        for code, words, stage in self.view.allowed_moves)
        finals = tuple((code, name) for code, (name, _stage) in ref.final_decisions.items())
        fields = [FormField("move", "What happened", "choice", options, required=True),
                  FormField("on", "On", "date", value=self.duty_app.ctx.today(), required=True)]
        if self.view.stage == "relief":
            fields.append(FormField("final", "Decision", "choice", finals,
                                    placeholder="when relief ends after 56 days"))
        if self.view.stage in ("prevention", "relief"):
            fields.append(FormField("accommodation", "Housed in", "choice", tuple(ref.accommodation.items())))
        fields.append(FormField("note", "Reasons / note"))
        if typed:
            from dataclasses import replace

            def fits(f: FormField) -> bool:  # a choice the case's stage no longer offers is left blank
                value = typed.get(f.id)
                return value not in (None, "") and (f.kind != "choice" or value in {v for v, _w in f.options})

            fields = [replace(f, value=typed[f.id]) if fits(f) else f for f in fields]
        # The version the user is looking at now: the move saves against it, however the screen reloads meanwhile.
        version = self.view.version if seen is None else seen

        def chosen(values: dict | None) -> None:
            if values:
                reason, _, stage = values["move"].partition("|")
                self._move_attempt = (values, version)
                self.move(stage, reason, values["on"], values.get("note"), values.get("final"),
                          values.get("accommodation"), version)
        note = "Each move is recorded with its date, reason and you."
        if typed:
            note = "Your typing is back in the form. " + note
        self.app.push_screen(FormDialog(f"Move {self.case_ref} on from {STAGE_WORDS[self.view.stage]}",
                                        fields, intro=note, submit="Record", refilled=bool(typed)), chosen)

    @work(thread=True, exclusive=True, exit_on_error=False, group="case-action")
    def move(self, stage, reason, on, note, final, accommodation, version: int | None = None) -> None:
        from duty_tui.areas.housing_options.services.moves import record_move

        if version is None:
            version = self.view.version if self.view else None
        record_move(self.duty_app.ctx, self.case_ref, version, stage, reason, on, note, final, accommodation)
        self._move_attempt = None
        self.post_message(self.Recorded(f"Recorded: {STAGE_WORDS[stage]}. Issue the notice with l.",
                                        title="Case moved"))

    # ------------------------------------------------------------------ plan
    def action_step(self) -> None:
        """Add a plan step."""
        fields = [FormField("party", "Whose step", "choice", (("applicant", "Applicant"), ("council", "Council")),
                            value="applicant", required=True),
                  FormField("text", "Step", required=True),
                  FormField("due", "By", "date"),
                  FormField("mandatory", "Recorded as a step they must take (s189A(6)(b))", "check")]

        def chosen(values: dict | None) -> None:
            if values:
                self.run_action("add_plan_step", values["party"], values["text"], values["due"], values["mandatory"])
        self.app.push_screen(FormDialog("Personalised housing plan: add a step", fields, submit="Add"), chosen)

    def action_step_done(self) -> None:
        """Toggle the highlighted plan step done."""
        key = self._selected_key()
        if not key or not key.startswith("step:"):
            self.notify("Highlight a plan step first.", severity="warning")
            return
        step_id = int(key.split(":")[1])
        seen = next((step.version for step in (self.view.steps if self.view else ()) if step.id == step_id), None)
        self.run_action("complete_plan_step", step_id, None, seen)

    def action_plan_review(self) -> None:
        """Record a plan review."""
        fields = [FormField("on", "Reviewed on", "date", value=self.duty_app.ctx.today(), required=True),
                  FormField("next", "Next review", "date", placeholder="blank: council policy interval")]

        def chosen(values: dict | None) -> None:
            if values:
                self.run_action("record_plan_review", values["on"], values["next"])
        self.app.push_screen(FormDialog("Plan review (s189A(9))", fields, submit="Record"), chosen)

    # ------------------------------------------------------------------ TA
    def action_place(self) -> None:
        """Record a temporary accommodation placement."""
        ref = load_housing_reference(self.duty_app.settings.data_dir)
        fields = [FormField("address", "Address", required=True),
                  FormField("ta_type", "Type", "choice", tuple((c, t.name) for c, t in ref.ta_types.items()),
                            required=True),
                  FormField("start", "Moved in", "date", value=self.duty_app.ctx.today(), required=True),
                  FormField("basis", "Duty", "choice", tuple(TA_DUTY_WORDS.items()),
                            placeholder="blank: from the stage")]

        def chosen(values: dict | None) -> None:
            if values:
                self.run_action("place_in_ta", values["address"], values["ta_type"], values["start"], values["basis"])
        self.app.push_screen(FormDialog("Temporary accommodation placement", fields, submit="Record"), chosen)

    def action_end_ta(self) -> None:
        """End the current placement."""
        if not self._need_view():
            return
        current = [p for p in self.view.placements if p.end_on is None]
        if not current:
            self.notify("No current placement.", severity="warning")
            return
        fields = [FormField("end", "Left on", "date", value=self.duty_app.ctx.today(), required=True),
                  FormField("reason", "Why")]

        def chosen(values: dict | None) -> None:
            if values:
                self.run_action("end_ta", current[0].id, values["end"], values["reason"])
        self.app.push_screen(FormDialog(f"End placement at {current[0].address}", fields, submit="End"), chosen)

    # ------------------------------------------------------------------ reviews
    def action_review(self) -> None:
        """Record a s202 review request."""
        if not self._need_view():
            return
        notices = tuple((str(n.id), f"{n.title} ({n.issued_on:%d/%m/%Y})") for n in self.view.notices if n.review_kind)
        if not notices:
            self.notify("No letter with a review right has been issued yet.", severity="warning")
            return
        fields = [FormField("notice", "Decision", "choice", notices, value=notices[-1][0], required=True),
                  FormField("on", "Requested on", "date", value=self.duty_app.ctx.today(), required=True),
                  FormField("kind", "Kind", "choice", tuple(REVIEW_KIND_WORDS.items()),
                            placeholder="blank: from the letter"),
                  FormField("late", "Late, but the council allows it in writing (s202(3))", "check")]

        def chosen(values: dict | None) -> None:
            if values:
                self.run_action("request_review", int(values["notice"]), values["on"], values["kind"], values["late"])
        self.app.push_screen(FormDialog("Review request (s202)", fields, submit="Record"), chosen)

    def action_decide_review(self) -> None:
        """Record a review outcome."""
        if not self._need_view():
            return
        open_reviews = tuple((str(r.id), f"{r.notice_title or 'decision'}: requested {r.requested_on:%d/%m/%Y}")
                             for r in self.view.reviews if r.decided_on is None)
        if not open_reviews:
            self.notify("No open review.", severity="warning")
            return
        fields = [FormField("review", "Review", "choice", open_reviews, value=open_reviews[0][0], required=True),
                  FormField("outcome", "Outcome", "choice", tuple(REVIEW_OUTCOMES.items()),
                            required=True),
                  FormField("on", "Decided on", "date", value=self.duty_app.ctx.today(), required=True),
                  FormField("notes", "Notes")]

        def chosen(values: dict | None) -> None:
            if values:
                self.run_action("decide_review", int(values["review"]), values["outcome"], values["on"],
                                values["notes"])
        self.app.push_screen(FormDialog("Review decision", fields, submit="Record"), chosen)

    # ------------------------------------------------------------------ s193B
    def action_warning(self) -> None:
        """Issue the s193B(5) warning letter."""
        fields = [FormField("reasons", "Steps refused", required=True,
                            placeholder="which agreed steps they deliberately and unreasonably refused")]

        def chosen(values: dict | None) -> None:
            if values:
                from duty_tui.areas.housing_options.domain.letters import bullet_lines

                self.preview("s193b_warning", {"reasons": bullet_lines([values["reasons"]])})
        self.app.push_screen(FormDialog("s193B(5) warning", fields, submit="Preview"), chosen)

    def action_propose(self) -> None:
        """Propose a s193B notice."""
        fields = [FormField("reasons", "Steps refused", required=True,
                            placeholder="since the warning, which steps were refused")]

        def chosen(values: dict | None) -> None:
            if values:
                self.run_action("propose_non_cooperation", values["reasons"])
        self.app.push_screen(FormDialog("Propose a s193B notice (needs a second officer's sign-off)", fields, submit="Propose"),
                             chosen)

    def action_sign_off(self) -> None:
        """Sign off a proposed s193B notice as the second officer."""
        if not self._need_view():
            return
        pending = [p for p in self.view.proposals if p.status == "proposed"]
        if not pending:
            self.notify("No s193B notice is awaiting sign-off on this case.", severity="warning")
            return
        from duty_tui.core.tui.kit.dialogs import ConfirmDialog

        proposal = pending[0]

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_action("sign_off_non_cooperation", proposal.id)
        self.app.push_screen(ConfirmDialog(
            f"Authorise the s193B notice proposed by {proposal.proposed_by}? Reasons: {proposal.reasons}. "
            "This ends the duty and issues the notice.", yes="Authorise", no="Not now"), answered)

    def action_take(self) -> None:
        """Assign the case to me (a conflict if someone else took it since this screen loaded)."""
        if self.view is None:
            return
        self.run_action("take_case", self.view.assignee)

    # ------------------------------------------------------------------ running a service
    @work(thread=True, exclusive=True, exit_on_error=False, group="case-action")
    def run_action(self, name: str, *args) -> None:
        from duty_tui.areas.housing_options.services import caseload, non_cooperation, placements, plan, reviews

        services: dict[str, Callable[..., Any]] = {
            "add_plan_step": plan.add_plan_step, "complete_plan_step": plan.complete_plan_step,
            "record_plan_review": plan.record_plan_review, "place_in_ta": placements.place_in_ta,
            "end_ta": placements.end_ta, "request_review": reviews.request_review, "decide_review": reviews.decide_review,
            "propose_non_cooperation": non_cooperation.propose_non_cooperation,
            "sign_off_non_cooperation": non_cooperation.sign_off_non_cooperation, "take_case": caseload.take_case}
        result = services[name](self.duty_app.ctx, self.case_ref, *args)
        words = {"add_plan_step": "Plan step added.", "complete_plan_step": "Plan step updated.",
                 "record_plan_review": "Plan review recorded.", "place_in_ta": "Placement recorded.",
                 "end_ta": "Placement ended.", "request_review": "Review request recorded.",
                 "decide_review": "Review decision recorded.",
                 "propose_non_cooperation": "s193B notice proposed: a second officer must sign it off (o).",
                 "sign_off_non_cooperation": "s193B notice authorised and issued; the duty has ended.",
                 "take_case": "The case is yours."}
        message = words.get(name, "Done.")
        if name == "request_review":
            message += f" Decide by {result.decision_due:%d/%m/%Y}."
        if name == "record_plan_review":
            message += f" Next review {result:%d/%m/%Y}."
        self.post_message(self.Recorded(message))
