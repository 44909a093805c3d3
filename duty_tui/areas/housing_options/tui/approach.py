"""F6: a homelessness approach — intake and live triage.

The officer answers questions on the left; the status, the duties owed with their dates,
what is still outstanding (and what each answer would change) and the reasons update on the
right within a frame of each answer. The duty engine is pure and fast, so it runs on the UI
thread on every change; only loading and saving go to a worker.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Header, Input, Static

from duty_tui.areas.housing_options.domain.homelessness import HEADLINES, PRIORITY_NEED_GROUNDS
from duty_tui.areas.housing_options.domain.intake import IntakeCheck, check_answers
from duty_tui.areas.housing_options.domain.reference import PRIORITY_NEED_WORDS, ROUTE_WORDS, load_housing_reference
from duty_tui.areas.housing_options.tui.assessment import assessment_text
from duty_tui.core.domain.errors import ConflictError, InputError
from duty_tui.core.tui.drafts import DraftForm
from duty_tui.core.tui.kit.choices import Choice, ManyChoice
from duty_tui.core.tui.kit.fields import FieldChanged, FormField
from duty_tui.core.tui.kit.footer import DutyFooter
from duty_tui.core.tui.kit.form import Form
from duty_tui.core.tui.kit.form_screen import FormScreen
from duty_tui.core.tui.kit.values import initial_value
from duty_tui.core.tui.screens.base import DutyScreen
from duty_tui.core.tui.text import plain

STATUS_WORDS = HEADLINES  # the words live in domain/homelessness.py (headline() adds "loss date not yet known")
FACT_WORDS = {"eligible": "Eligible?", "homeless": "Homeless now?", "priority_need": "Priority need?",
              "intentional": "Intentionally homeless?"}


def _d(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


class ApproachScreen(DraftForm, FormScreen, DutyScreen):
    """Triage an approach: answers on the left, the law's consequences on the right."""

    SCOPE_NAME = "approach"
    TITLE = "Homelessness approach"
    BINDINGS = [
        Binding("f9", "save", "Save", id="approach-save", priority=True,
                tooltip="Save the approach (creates or updates the case and records the duty owed)"),
        Binding("ctrl+s", "save", "Save", id="approach-save-ctrl", show=False,
                tooltip="Save the approach (same as F9)"),
        Binding("f11", "choose_applicant", "Applicant", id="approach-applicant", priority=True,
                tooltip="Find the applicant, or add someone new"),
        Binding("f12", "caseload", "Caseload", id="approach-caseload", priority=True,
                tooltip="The options caseload with every clock (open a case for letters, plan, moves)"),
        Binding("escape", "back", "Back", id="approach-back", tooltip="Leave (asks first if answers are unsaved)"),
    ]
    DEFAULT_CSS = """
    ApproachScreen #applicant { height: auto; max-height: 2; padding: 0 1; background: $panel; }
    ApproachScreen #approach-body { height: 1fr; }
    ApproachScreen #form { width: 44; border-right: solid $primary; padding: 0 1 0 0; }
    ApproachScreen #assessment-scroll { width: 1fr; padding: 0 0 0 1; }
    ApproachScreen #approach-form .form-section { margin-top: 1; }
    ApproachScreen #save-state { height: 1; color: $text-muted; }
    """

    def __init__(self, person_ref: str | None = None, case_ref: str | None = None) -> None:
        super().__init__()
        self.person_ref = person_ref
        self.case_ref = case_ref
        self.version: int | None = None
        self.stage: str | None = None
        self.applicant_born: date | None = None
        self.applicant_name: str | None = None
        self._baseline: dict[str, Any] = {}
        self.last_check: IntakeCheck | None = None
        self.update_seconds: list[float] = []  # engine + widget update per answer (bench/bench_housing.py)
        self.paint_seconds: list[float] = []  # ... until the screen has been refreshed (when measure_paint)
        self.measure_paint = False
        self._panel_height = 0

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        ref = load_housing_reference(self.duty_app.settings.data_dir)
        today = self.duty_app.ctx.today()
        yn = self._yn()
        facts, household, came = "The facts (answer what you know)", "Household", "How they came"
        home, support, safety = "Home and why it is being lost", "Support needs (Space to tick)", "Safety and notes"
        yield Header()
        yield Static(plain("No applicant chosen yet — F11 to find them (or add someone new)."), id="applicant")
        with Horizontal(id="approach-body"):
            with VerticalScroll(id="form", can_focus=False):  # a focusable container restyles the whole form on every blur (F6 took 1.3-1.7 s)
                items: list[FormField | Static] = [
                    # Dates are checked by the intake rules (domain.homelessness_intake), beside each field.
                    FormField("approach_date", "Approach date", value=today.strftime("%d/%m/%Y"),
                              placeholder="DD/MM/YYYY", max_length=10, section=facts),
                    Static("", id="msg-applicant", classes="form-msg -empty"),
                    FormField("eligible", "Eligible?", "choice", yn, value="unknown", required=True, section=facts),
                    FormField("homeless", "Homeless now?", "choice", yn, value="unknown", required=True,
                              section=facts),
                    FormField("rough_sleeping", "Sleeping rough", "check", section=facts),
                    FormField("nowhere_tonight", "Nowhere to stay tonight", "check", section=facts),
                    FormField("domestic_abuse_risk_at_home", "Abuse risk if they stay (s177)", "check",
                              section=facts),
                    FormField("loss_date", "Loss date", placeholder="DD/MM/YYYY when home is lost", max_length=10,
                              section=facts),
                    FormField("s21_expiry", "s21 expires", placeholder="DD/MM/YYYY", max_length=10, section=facts),
                    FormField("priority_state", "Priority need", "choice",
                              (("unknown", "Unknown"), ("none", "None"), ("grounds", "Grounds")), value="unknown",
                              required=True, section=facts),
                    FormField("priority_grounds", "", "many",
                              tuple((g, PRIORITY_NEED_WORDS[g]) for g in PRIORITY_NEED_GROUNDS), section=facts),
                    FormField("intentional", "Intentional?", "choice", yn, value="unknown", required=True,
                              section=facts),
                    FormField("local_connection", "Connection", "choice",
                              (("here", "Here"), ("elsewhere", "Elsewhere"), ("none", "None"), ("unknown", "Unknown")),
                              value="unknown", required=True, inline=True, section=facts),
                    FormField("da_risk_in_connected_area", "Abuse risk in the connected area", "check", section=facts),
                    FormField("relief_start", "Relief began", placeholder="only if before the approach",
                              max_length=10, section=facts),
                    FormField("household", "Others", placeholder="partner 34, child 7", max_length=400,
                              section=household),
                    FormField("pregnant", "Someone is pregnant", "check", section=household),
                    FormField("route", "Route", "choice", tuple(ROUTE_WORDS.items()), value="self", required=True,
                              section=came),
                    FormField("referral_body", "Referred by", "choice",
                              tuple((c, b.name) for c, b in ref.referral_bodies.items()), prompt="(none)",
                              section=came),
                    FormField("referral_consent", "Consent?", "choice", yn, value="unknown", required=True,
                              section=came),
                    FormField("referral_details", "Referral note", max_length=500, section=came),
                    FormField("current_accommodation", "Living now", "choice", tuple(ref.accommodation.items()),
                              section=home),
                    FormField("last_settled_accommodation", "Last settled", "choice",
                              tuple(ref.accommodation.items()), section=home),
                    FormField("loss_reason", "Reason", "choice", tuple(ref.loss_reasons.items()), section=home),
                    FormField("support_needs_assessed", "Support needs assessed", "check", section=support),
                    FormField("support_needs", "", "many", tuple(ref.support_needs.items()), section=support),
                    FormField("safeguarding", "Safeguarding concern", "check", section=safety),
                    FormField("safeguarding_notes", "Safeguarding", max_length=500, section=safety),
                    FormField("eligibility_notes", "Eligibility", placeholder="immigration status, evidence",
                              max_length=500, section=safety),
                    FormField("notes", "Notes", max_length=2000, section=safety),
                ]
                # F6 with no applicant yet puts the applicant picker up first: none of the form (35
                # fields) is built until the picker closes and the form is in front of the officer
                # (_build_rest), so F6 costs what F2 does. With an applicant or a case it is built at once.
                cut = 0 if not (self.case_ref or self.person_ref) else len(items)
                self._later_widgets = items[cut:]
                self._later_items = [item for item in items[cut:] if isinstance(item, FormField)]
                yield Form(items[:cut], label_width=15, id="approach-form")
            with VerticalScroll(id="assessment-scroll"):
                yield Static("", id="assessment")
        yield Static("F9 save · F11 applicant · F12 caseload · Tab next question · y/n/u answers", id="save-state")
        yield DutyFooter()

    @property
    def answer_form(self) -> Form:
        """The answers."""
        return self.query_one("#approach-form", Form)

    @staticmethod
    def _yn() -> list[tuple[str, str]]:
        return [("yes", "Yes"), ("no", "No"), ("unknown", "Unknown")]

    def on_mount(self) -> None:
        if not self._later_items:
            self.query_one("#approach_date", Input).focus()
        self._baseline = self.answers()
        self.reassess()
        if self.case_ref:
            self.load_case(self.case_ref)
        elif self.person_ref:
            self.load_applicant(self.person_ref)
        else:
            # At once: the form and the picker over it are laid out and drawn together, once.
            self.action_choose_applicant()

    _later_items: list[FormField] = []  # the fields among _later_widgets
    _later_widgets: list[FormField | Static] = []
    _rest_built = False

    async def _build_rest(self) -> None:
        """Build the sections below the facts, once: when the picker closes or when something must fill
        them; returns once they are mounted. Until then ``answers()`` reads those fields as they will be
        built (``initial_value``), so reassessing, drafts and saving need not wait for them."""
        form = self.answer_form
        if self._later_items and not self._rest_built:
            self._rest_built = True
            form.add_section("approach-rest", self._later_widgets)
        mounting = form.section_mounted.get("approach-rest")
        if mounting is not None:
            await mounting
            self.reassess()  # their messages
            if self.focused is None or form not in self.focused.ancestors_with_self:
                self.query_one("#approach_date", Input).focus()  # the first question, not the panel

    # ------------------------------------------------------------------ answers
    CHOICE_KEYS = ("route", "referral_body", "current_accommodation", "last_settled_accommodation", "loss_reason")
    ANSWER_KEYS = ("eligible", "homeless", "intentional", "local_connection", "priority_state", "referral_consent")

    def answers(self) -> dict[str, Any]:
        """Everything on the form as the services take it."""
        values = self.answer_form.values()
        for spec in self._later_items:  # not built yet, or not mounted yet
            values.setdefault(spec.id, initial_value(spec))
        for key in self.CHOICE_KEYS:
            values[key] = values.get(key) or ""
        return values

    def fill(self, answers: dict[str, Any]) -> None:
        """Put stored answers into the form; what is filled is the baseline for 'unsaved changes'.

        The caller awaits ``_build_rest()`` first: every field must be there to be filled.
        """
        form = self.answer_form
        values: dict[str, Any] = {}
        for spec in form.fields:
            value = answers.get(spec.id)
            if spec.kind == "text":
                values[spec.id] = str(value or "")
            elif spec.id in self.ANSWER_KEYS:
                values[spec.id] = value or "unknown"
            elif spec.kind == "check":
                values[spec.id] = bool(value)
            elif spec.kind == "many":
                values[spec.id] = list(value or [])
            elif spec.id != "route" or value:
                values[spec.id] = value or None
        form.fill(values)
        self._baseline = self.answers()
        form.mark_clean()
        self.reassess()

    @property
    def dirty(self) -> bool:
        """True when the form differs from what was last loaded or saved."""
        return self.answers() != self._baseline

    def form_dirty(self) -> bool:
        return self.dirty

    @on(Input.Changed)
    @on(FieldChanged)
    def _answer_changed(self, event: Message) -> None:
        control_id = getattr(getattr(event, "control", None), "id", None)
        # Keep the priority-need answer and its grounds in step.
        if control_id == "priority_grounds":
            if self.query_one("#priority_grounds", ManyChoice).value:
                self.query_one("#priority_state", Choice).value = "grounds"
        elif control_id == "priority_state":
            grounds = self.query_one("#priority_grounds", ManyChoice)
            if self.query_one("#priority_state", Choice).value in ("unknown", "none") and grounds.value:
                grounds.deselect_all()
        self.reassess()

    # ------------------------------------------------------------------ the engine, live
    def reassess(self) -> None:
        """Run the intake checks and the duty engine on the answers; show the result (synchronous)."""
        started = time.perf_counter()
        ctx = self.duty_app.ctx
        jurisdiction = self.duty_app.settings.jurisdiction
        today = ctx.today()
        check = check_answers(self.answers(), today=today, applicant_born=self.applicant_born,
                              jurisdiction=jurisdiction if jurisdiction in ("england", "scotland") else "england")
        self.last_check = check
        self._show_messages(check)
        self._show_assessment(check, today)
        self.update_seconds.append(time.perf_counter() - started)
        if self.measure_paint:
            self.call_after_refresh(lambda: self.paint_seconds.append(time.perf_counter() - started))

    MESSAGE_KEYS = ("approach_date", "applicant", "eligible", "homeless", "loss_date", "s21_expiry",
                    "priority_state", "priority_grounds", "intentional", "local_connection",
                    "da_risk_in_connected_area", "relief_start", "household", "route", "referral_body",
                    "referral_consent", "referral_details", "current_accommodation", "last_settled_accommodation",
                    "loss_reason", "safeguarding_notes", "eligibility_notes", "notes")

    def _show_messages(self, check: IntakeCheck) -> None:
        form = self.answer_form
        for key in self.MESSAGE_KEYS:
            text = check.problems.get(key) or check.warnings.get(key) or ""
            form.say(key, text, hint=bool(text) and key not in check.problems)

    def _show_assessment(self, check: IntakeCheck, today: date) -> None:
        self._paint_panel(self.query_one("#assessment", Static),
                          assessment_text(check, today, stage=self.stage, case_ref=self.case_ref))

    def _paint_panel(self, panel: Static, out: Text) -> None:
        """Update the panel without a screen-wide layout unless it must grow.

        The panel has a fixed height that only ever grows, so an answer repaints one widget
        instead of re-laying out the whole form: that is what keeps an answer within a frame.
        """
        width = max(10, panel.content_size.width or panel.size.width or 34)
        needed = len(out.wrap(self.app.console, width)) + 1
        if needed > self._panel_height:
            self._panel_height = max(needed + 8, 40)
            panel.styles.height = self._panel_height
            panel.update(out)
        else:
            panel.update(out, layout=False)

    # ------------------------------------------------------------------ applicant and loading
    def action_choose_applicant(self) -> None:
        """Find the applicant (or add someone new)."""
        from duty_tui.areas.housing_options.tui.person_pick import PersonPickDialog

        def chosen(ref: str | None) -> None:
            self.run_worker(self._build_rest(), group="approach-build", exit_on_error=False)
            if ref:
                self.person_ref = ref
                self.load_applicant(ref)
        self.app.push_screen(PersonPickDialog(), chosen)

    @work(thread=True, exclusive=True, exit_on_error=False, group="approach-load")
    def load_applicant(self, person_ref: str) -> None:
        from duty_tui.areas.housing_options.services.applicant import applicant
        from duty_tui.areas.housing_options.services.case_view import get_housing_case

        who = applicant(self.duty_app.ctx, person_ref)
        case = get_housing_case(self.duty_app.ctx, who.open_case_ref) if who.open_case_ref and not self.case_ref \
            else None
        self.post_message(self.Loaded(who, case))

    @work(thread=True, exclusive=True, exit_on_error=False, group="approach-load")
    def load_case(self, case_ref: str) -> None:
        from duty_tui.areas.housing_options.services.applicant import applicant
        from duty_tui.areas.housing_options.services.case_view import get_housing_case

        case = get_housing_case(self.duty_app.ctx, case_ref)
        who = applicant(self.duty_app.ctx, case.person_ref) if case.person_ref else None
        self.post_message(self.Loaded(who, case))

    @dataclass
    class Loaded(Message):
        """The applicant (and their open case) as stored."""

        who: Any
        case: Any

    @on(Loaded)
    async def _on_loaded(self, message: Loaded) -> None:
        await self._build_rest()
        self._show_applicant(message.who, message.case)

    def _show_applicant(self, who, case) -> None:
        if who is not None:
            self.person_ref = who.ref
            self.applicant_born = who.born
            self.applicant_name = who.name
        line = Text()
        if who is not None:
            line.append(plain(f"{who.name}", style="bold"))
            line.append(plain(f"  {who.ref}" + (f"  age {who.age}" if who.age is not None else "  age not recorded")))
        else:
            line.append(plain("No applicant linked yet — F11 to find them", style="bold"))
        if case is not None:
            self.case_ref, self.version, self.stage = case.case_ref, case.version, case.stage
            line.append(plain(f"  · case {case.case_ref} ({case.stage.replace('_', ' ')})"))
            if case.relief_ends:
                line.append(plain(f" relief ends {_d(case.relief_ends)}", style="bold"))
            self.fill(case.answers)
        elif who is not None and who.household_text and not self.query_one("#household", Input).value:
            self.query_one("#household", Input).value = who.household_text
            self._baseline = self.answers()
        self.query_one("#applicant", Static).update(line)
        self._loaded = True
        if self._pending_draft is not None:
            self._apply_draft(self._pending_draft)
        self.reassess()

    # ------------------------------------------------------------------ drafts
    DRAFT_KIND = "approach"
    _pending_draft: dict[str, Any] | None = None
    _loaded = False

    def draft_title(self) -> str:
        who = getattr(self, "applicant_name", None) or self.person_ref or "applicant not chosen"
        return f"Homelessness approach: {who}" + (f" (case {self.case_ref})" if self.case_ref else "")

    def draft_args(self) -> dict[str, Any]:
        return {"person_ref": self.person_ref, "case_ref": self.case_ref}

    def draft_values(self) -> dict[str, Any]:
        return {"answers": self.answers(), "version": self.version}

    async def restore_draft(self, values: dict[str, Any]) -> None:
        """Answers come back once the case or applicant has loaded (loading fills the form first)."""
        await self._build_rest()
        if (self.case_ref or self.person_ref) and not self._loaded:
            self._pending_draft = values
        else:
            self._apply_draft(values)

    def _apply_draft(self, values: dict[str, Any]) -> None:
        self._pending_draft = None
        baseline = self._baseline
        self.fill(values.get("answers") or {})
        self._baseline = baseline  # still unsaved
        if values.get("version") is not None and self.case_ref:
            # Saved against the version the officer was typing over: a newer save shows as a conflict.
            self.version = values["version"]
        self.notify("Your unsaved answers are back; check them and press F9 to save.", title="Draft reopened")

    # ------------------------------------------------------------------ saving
    @on(Form.Submitted, "#approach-form")
    def _enter_in_the_last_field(self, event: Form.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        """Save in a worker; a failed save keeps everything typed."""
        check = self.last_check
        if check is not None and check.problems:
            self.notify(f"Fix the {len(check.problems)} answer(s) marked ✗ first; nothing was saved.",
                        severity="error", timeout=8)
            return
        if not self.person_ref:
            self.notify("Choose the applicant first (F11).", severity="error")
            return
        self.query_one("#save-state", Static).update("Saving…")
        self.save(self.answers(), self.person_ref, self.case_ref, self.version)

    @work(thread=True, exclusive=True, exit_on_error=False, group="approach-save")
    def save(self, answers: dict, person_ref: str, case_ref: str | None, version: int | None) -> None:
        from duty_tui.areas.housing_options.services.approach import save_approach

        self.post_message(self.Saved(save_approach(self.duty_app.ctx, answers, person_ref=person_ref,
                                                   case_ref=case_ref, version=version)))

    @dataclass
    class Saved(Message):
        """The approach is saved (the case, its stage and version)."""

        saved: Any

    @on(Saved)
    def _on_saved(self, message: Saved) -> None:
        self._saved(message.saved)

    def _saved(self, saved) -> None:
        self.case_ref, self.version, self.stage = saved.case_ref, saved.version, saved.stage
        self._baseline = self.answers()
        self.query_one("#save-state", Static).update(plain(f"{saved.message}  F12 caseload"))
        self.notify(saved.message, title="Approach saved", timeout=8)
        self.reassess()

    def on_worker_error(self, error: BaseException | None) -> None:
        if isinstance(error, ConflictError):
            self.show_conflict(error)
            return
        from duty_tui.core.domain.errors import DatabaseUnavailable

        if isinstance(error, DatabaseUnavailable):
            # Keep everything; save what is on the form when the database answers again.
            self.query_one("#save-state", Static).update(plain(
                "Not saved yet — the database is not answering. Your answers are kept and will be saved "
                "when it answers; keep working."))
            self.duty_app.retry_when_database_back(error.message, self._database_back)
            return
        self.query_one("#save-state", Static).update(plain("Not saved — your answers are kept. See the message."))
        if isinstance(error, InputError):
            placed = {}
            for line in error.problems:
                key, _, message = line.partition(": ")
                if message:
                    placed[key] = message
            self.answer_form.show_problems(placed, focus=False)
        super().on_worker_error(error)

    def _database_back(self) -> None:
        if self.is_mounted and self.dirty:
            self.action_save()

    # ------------------------------------------------------------------ someone else saved first
    def show_conflict(self, error: ConflictError) -> None:
        """Both versions side by side; the form keeps every answer typed whatever is chosen."""
        from duty_tui.core.tui.dialogs.conflict import show_conflict

        self.query_one("#save-state", Static).update(
            plain("Not saved — someone else saved this case first. Your answers are still in the form."))
        answers = self.answers()
        show_conflict(self, error, None, on_reload=lambda: self._reapply(error), on_back=self._back_to_form,
                      note_text=answers.get("notes") or None,
                      on_note=self._keep_note if self.case_ref else None)

    def _reapply(self, error: ConflictError) -> None:
        """Take the newer version's number; the answers stay as typed, so F9 now saves them over theirs."""
        if error.version is not None:
            self.version = error.version
        who = error.changed_by or "the other officer"
        self.query_one("#save-state", Static).update(plain(
            f"Your answers are kept over {who}'s newer version — F9 saves them over it, Esc leaves"))
        self.notify(f"Reloaded {error.record or 'the case'}: your answers are kept; F9 to save them over {who}'s.",
                    timeout=8, markup=False)

    def _back_to_form(self) -> None:
        self.query_one("#save-state", Static).update(plain(
            "Not saved — your answers are kept. F9 again shows the other version; r there reloads it."))

    def _keep_note(self, text: str) -> None:
        self.keep_note(self.case_ref, text)

    @work(thread=True, exclusive=True, exit_on_error=False, group="approach-note")
    def keep_note(self, case_ref: str | None, text: str) -> None:
        """Add the typed note to the case as a note of its own (nothing else is saved)."""
        from duty_tui.core.services.cases import add_case_note

        if not case_ref:
            return
        add_case_note(self.duty_app.ctx, case_ref, text)
        self.post_message(self.NoteKept(case_ref))

    @dataclass
    class NoteKept(Message):
        """The typed note was added to the case on its own."""

        case_ref: str

    @on(NoteKept)
    def _note_kept(self, message: NoteKept) -> None:
        self.notify(f"Your note was added to {message.case_ref}; your other answers are still in the form, not saved.",
                    timeout=8, markup=False)

    # ------------------------------------------------------------------ leaving
    def action_caseload(self) -> None:
        """Open the options caseload: in place of an approach with nothing typed (so a case opened from
        the caseload comes back to it, kit/navigation.py's depth rule), over one with answers in it."""
        from duty_tui.areas.housing_options.tui.cases import OptionsCasesScreen

        if self.app.screen is self and not self.form_dirty() and self.person_ref is None:
            self.app.switch_screen(OptionsCasesScreen())
            return
        self.app.push_screen(OptionsCasesScreen())

    DISCARD_QUESTION = "Discard the answers you have typed? They are not saved."
    DISCARD_NO = "Keep typing"

    def action_back(self) -> None:
        """Leave, asking first when answers are unsaved."""
        self.leave_form()
