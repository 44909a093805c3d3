"""One case: its clocks (every due date, done or not) and its timeline (contacts, notes, status
changes, clock events), with the actions that move it on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Header, Static, TabbedContent, TabPane

from duty_tui.areas.frontdesk.services.routing import CaseDetail
from duty_tui.areas.frontdesk.tui.live import LiveRefresh
from duty_tui.core.domain.local_time import display_date, format_local
from duty_tui.core.tui.drafts import DraftForm
from duty_tui.core.tui.kit.footer import DutyFooter
from duty_tui.core.tui.kit.list_table import Column, ListRow, ListTable
from duty_tui.core.tui.kit.workers import Done
from duty_tui.core.tui.screens.base import DutyScreen
from duty_tui.core.tui.text import due_cells, plain
from duty_tui.core.tui.widgets.table import DutyTable

CLOCK_COLUMNS = (
    Column("mark", "!", priority=0, never_cut=True),
    Column("step", "Step", min=12, ideal=30, priority=0),
    Column("due", "Due", priority=0, never_cut=True),
    Column("done", "Done / status", min=10, ideal=24, priority=1),
)
TIMELINE_COLUMNS = (
    Column("when", "When", priority=0, never_cut=True),
    Column("what", "What", min=20, ideal=44, priority=0),
    Column("who", "Who", min=8, ideal=16, priority=2),
)
"""The case's lists: a due date and a time are never cut; the step and what happened get the room
(the whole of a timeline line is in the detail below it)."""


def _when(value: date | datetime | None, kind: str) -> str:
    if value is None:
        return "—"
    return display_date(value, weekday=True, hours=isinstance(value, datetime) and kind == "hours")


class CaseScreen(DraftForm, LiveRefresh, DutyScreen):
    """A case's clocks and timeline."""

    SCOPE_NAME = "case"
    TITLE = "Case"
    LIVE_CHANNELS = frozenset({"cases"})
    DEFAULT_CSS = """
    CaseScreen #case-head { height: auto; max-height: 5; padding: 0 1; background: $panel; }
    CaseScreen #timeline-detail { height: 4; padding: 0 1; border-top: solid $panel; }
    CaseScreen #case-message { height: auto; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="case-back", show=False, tooltip="Back to the queue"),
        Binding("1", "tab('clocks')", "Clocks", id="case-clocks", show=False, tooltip="Every due date on the case"),
        Binding("2", "tab('timeline')", "Timeline", id="case-timeline", show=False,
                tooltip="Contacts, notes, status changes and clock events"),
        Binding("t", "act('take')", "Take", id="case-take", tooltip="Take the case (assign it to me)"),
        Binding("a", "reassign", "Reassign", id="case-reassign", tooltip="Move the case to another team or officer"),
        Binding("e", "escalate", "Escalate", id="case-escalate", show=False, tooltip="Escalate the case, with a reason"),
        Binding("c", "close_case", "Close", id="case-close", tooltip="Close the case with an outcome"),
        Binding("n", "note", "Note", id="case-note", show=False, tooltip="Add a note to the timeline"),
        Binding("k", "complaint('acknowledge')", "Acknowledge", id="case-acknowledge",
                tooltip="Complaint: record the acknowledgement"),
        Binding("x", "complaint('extend')", "Extend", id="case-extend", show=False,
                tooltip="Complaint: the stage's one extension, with a reason"),
        Binding("p", "complaint('respond')", "Respond", id="case-respond", tooltip="Complaint: record the response"),
        Binding("g", "complaint('escalate_complaint')", "Next stage", id="case-next-stage", show=False,
                tooltip="Complaint: escalate to the next stage (a different handler)"),
        Binding("i", "repair_step", "Repair step", id="case-repair-step",
                tooltip="Repair: record a step (investigated, summary sent, works, completed)"),
        Binding("o", "open_person", "Person", id="case-person", show=False, tooltip="Open the person this case is about"),
        Binding("r", "reload", "Reload", id="case-reload", show=False, tooltip="Load the case again"),
    ]

    def __init__(self, ref: str, person_ref: str | None = None) -> None:
        """``person_ref`` is what every area's case screen takes (duty_tui.core.registry); this one shows the
        case's own person, whatever view it was opened from."""
        super().__init__()
        self.ref = ref
        self.detail: CaseDetail | None = None
        self.staff: list = []
        self._attempt: tuple[str, dict, int] | None = None  # the last save tried: (action, typed values, seen)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(plain(f"Loading {self.ref}…"), id="case-head")
        with TabbedContent(initial="clocks"):
            with TabPane("1 Clocks", id="clocks"):
                yield ListTable(CLOCK_COLUMNS, id="clocks-table", zebra_stripes=False)
            with TabPane("2 Timeline", id="timeline"):
                yield ListTable(TIMELINE_COLUMNS, id="timeline-table")
                yield Static("", id="timeline-detail")
        yield Static("", id="case-message")
        yield DutyFooter()

    def on_mount(self) -> None:
        self.query_one("#clocks-table", ListTable).focus()
        self.load()
        self.start_live()

    @work(thread=True, exclusive=True, exit_on_error=False, group="case")
    def load(self) -> None:
        """Load the case."""
        from duty_tui.areas.frontdesk.services.routing import case_detail, list_staff

        detail = case_detail(self.duty_app.ctx, self.ref)
        staff = list_staff(self.duty_app.ctx)
        self.post_message(self.CaseLoaded(detail, staff))

    @dataclass
    class CaseLoaded(Message):
        """The case and the staff it can be routed to."""

        detail: CaseDetail
        staff: list

    @on(CaseLoaded)
    def _case_loaded(self, message: CaseLoaded) -> None:
        self._show(message.detail, message.staff)

    def on_live_change(self, channels: set[str]) -> None:
        self.load()

    def _show(self, detail: CaseDetail, staff) -> None:
        self.detail = detail
        self.staff = staff
        self.refresh_bindings()  # complaint and repair keys follow the case type
        row = detail.row
        self.title = f"Case {row.ref}"
        now = self.duty_app.ctx.now()
        head = Text()
        head.append(plain(f"{row.ref} {row.case_type.replace('_', ' ')} · {row.status.replace('_', ' ')}",
                          style="bold"))
        if row.escalated:
            head.append(plain(" · ▲ ESCALATED", style="bold"))
        head.append(plain(f" · {row.priority} · {row.team or '—'} · {row.assignee or 'unassigned'}"))
        head.append(plain(f"\n{row.person_name or 'no person'}{' (' + row.person_ref + ')' if row.person_ref else ''}"
                          f" · opened {format_local(row.opened_at)}" + (f" by {detail.opened_by}" if detail.opened_by else "")))
        if detail.closed_at:
            head.append(plain(f" · CLOSED {format_local(detail.closed_at)}: {detail.outcome}", style="bold"))
        elif row.due_at:
            mark, label = due_cells(row.due_at, now, self.duty_app.calendar, hours=row.clock_kind == "hours")
            head.append(plain(f"\nNext: {row.clock_name} — " if row.clock_name else "\nDue: "))
            head.append(mark)
            head.append(" ")
            head.append(label)
        head.append(plain(f"\n{row.summary}"))
        self.query_one("#case-head", Static).update(head)
        clock_rows = []
        for index, line in enumerate(detail.clocks):
            if line.done_at is not None:
                mark, status = plain("✔"), plain(f"done {_when(line.done_at, line.kind)}")
            elif line.due is None:
                mark, status = plain(""), plain(line.note or "waits on an earlier step")
            else:
                due = line.due
                if isinstance(due, date) and not isinstance(due, datetime):
                    from duty_tui.areas.frontdesk.domain.rules import end_of_day_utc

                    due = end_of_day_utc(due)
                mark, status = due_cells(due, now, self.duty_app.calendar, hours=line.kind == "hours")
                if line.note:
                    status = Text.assemble(status, plain(f" · {line.note}"))
            clock_rows.append(ListRow(str(index), {"mark": mark, "step": line.name,
                                                   "due": _when(line.due, line.kind), "done": status}))
        self.query_one("#clocks-table", ListTable).set_rows(clock_rows)
        self.query_one("#timeline-table", ListTable).set_rows(
            ListRow(str(index), {"when": display_date(line.at, hours=True), "what": line.summary,
                                 "who": line.who or "—"})
            for index, line in enumerate(detail.timeline))
        self._timeline_detail()
        if self._pending_draft is not None:
            self._reopen_form(self._pending_draft)

    @on(DataTable.RowHighlighted, "#timeline-table")
    def _timeline_detail(self, event: DataTable.RowHighlighted | None = None) -> None:
        detail = self.query_one("#timeline-detail", Static)
        table = self.query_one("#timeline-table", DutyTable)
        if self.detail is None or not self.detail.timeline or not table.row_count:
            detail.update("")
            return
        line = self.detail.timeline[min(table.cursor_row, len(self.detail.timeline) - 1)]
        detail.update(plain(f"{line.kind}: {line.summary}" + (f"\n{line.detail}" if line.detail else "")))

    # -- actions -----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Keys are offered only where they apply: complaint steps on complaints, repair steps on repairs.
        if action == "complaint":
            return self.detail is not None and self.detail.complaint_stage is not None
        if action == "repair_step":
            return self.detail is not None and self.detail.repair_priority is not None
        return True

    def action_back(self) -> None:
        """Back."""
        self.app.pop_screen()

    def action_reload(self) -> None:
        """Reload."""
        self.load()

    def action_tab(self, tab: str) -> None:
        """Switch tab."""
        self.query_one(TabbedContent).active = tab
        self.query_one(f"#{tab}-table", DutyTable).focus()

    def _say(self, text: str) -> None:
        self.query_one("#case-message", Static).update(plain(text))

    def action_act(self, action: str, values: dict | None = None) -> None:
        """Run a case action."""
        if self.detail is None:
            return
        self.start(action, values or {})

    def _seen(self) -> int:
        """The version on screen now: an action's form saves against the version it was opened on."""
        assert self.detail is not None
        return self.detail.row.version

    def start(self, action: str, values: dict, seen: int | None = None) -> None:
        """Save an action against the version the user saw (kept, with the typing, in case of a conflict)."""
        if self.detail is None:
            return
        seen = self._seen() if seen is None else seen
        self._attempt = (action, values, seen)
        self.run_action(action, values, seen)

    @work(thread=True, exclusive=False, exit_on_error=False, group="case-write")
    def run_action(self, action: str, values: dict, seen: int | None = None) -> None:
        """Run the action in a worker."""
        from duty_tui.areas.frontdesk.tui.case_dialog import perform

        assert self.detail is not None
        message = perform(self.duty_app.ctx, action, self.ref, self.detail.row.version if seen is None else seen,
                          values)
        self.post_message(Done(message))

    @on(Done)
    def _acted(self, message: Done) -> None:
        self._say(message.text)
        if message.reload:
            self.load()

    def on_worker_error(self, error: BaseException | None) -> None:
        from duty_tui.core.domain.errors import ConflictError, DutyError

        if isinstance(error, ConflictError) and self._attempt is not None and self.detail is not None:
            from duty_tui.areas.frontdesk.tui.case_dialog import after_conflict

            action, values, seen = self._attempt
            self._say(error.message)
            after_conflict(self, error, action, self.detail.row, self.staff, values, seen, self.start, self.load)
            return
        if isinstance(error, DutyError):
            self._say(error.message)
            if self.detail is not None:
                self.load()
                return
        super().on_worker_error(error)

    def action_reassign(self) -> None:
        """Reassign."""
        from duty_tui.areas.frontdesk.tui.case_dialog import reassign_dialog

        self._form_action = "reassign"
        if self.detail:
            seen = self._seen()
            reassign_dialog(self, self.detail.row, self.staff, lambda v: self.start("reassign", v, seen))

    def action_escalate(self) -> None:
        """Escalate."""
        from duty_tui.areas.frontdesk.tui.case_dialog import escalate_dialog

        self._form_action = "escalate"
        if self.detail:
            seen = self._seen()
            escalate_dialog(self, self.detail.row, lambda v: self.start("escalate", v, seen))

    def action_close_case(self) -> None:
        """Close."""
        from duty_tui.areas.frontdesk.tui.case_dialog import close_dialog

        self._form_action = "close"
        if self.detail:
            seen = self._seen()
            close_dialog(self, self.detail.row, lambda v: self.start("close", v, seen))

    def action_note(self) -> None:
        """Add a note."""
        from duty_tui.areas.frontdesk.tui.case_dialog import note_dialog

        self._form_action = "note"
        if self.detail:
            seen = self._seen()
            note_dialog(self, self.detail.row, lambda v: self.start("note", v, seen))

    def action_complaint(self, step: str) -> None:
        """A complaint step."""
        from duty_tui.areas.frontdesk.tui.case_dialog import complaint_dialog

        self._form_action = step
        if self.detail is None:
            return
        if self.detail.complaint_stage is None:
            self._say("This case is not a complaint.")
            return
        seen = self._seen()
        complaint_dialog(self, self.detail.row, "escalate" if step == "escalate_complaint" else step, self.staff,
                         lambda v: self.start(step, v, seen))

    def action_repair_step(self) -> None:
        """Record a repair step."""
        from duty_tui.areas.frontdesk.tui.case_dialog import repair_step_dialog

        self._form_action = "repair_step"
        if self.detail is None:
            return
        if self.detail.repair_priority is None:
            self._say("This case is not a repair reported at the desk.")
            return
        seen = self._seen()
        repair_step_dialog(self, self.detail.row, lambda v: self.start("repair_step", v, seen))

    def action_open_person(self) -> None:
        """Open the person."""
        from duty_tui.core.tui.screens.person import PersonScreen

        if self.detail and self.detail.row.person_ref:
            self.app.push_screen(PersonScreen(self.detail.row.person_ref))
        else:
            self._say("This case is not linked to a person.")

    # -- drafts: a note (or any action's form) typed over this case --------------------------------
    DRAFT_KIND = "case_note"
    _form_action: str | None = None
    _pending_draft: dict | None = None

    def _open_form(self):
        """The action form open over this screen, if any."""
        from duty_tui.core.tui.kit.form_screen import FormDialog

        stack = self.app.screen_stack
        above = stack[stack.index(self) + 1:] if self in stack else []
        return next((s for s in above if isinstance(s, FormDialog) and s.is_mounted), None)

    def dirty(self) -> bool:
        """A case action's form is open with something typed in it."""
        form = self._open_form()
        return form is not None and self._form_action is not None and form.form_dirty()

    def draft_title(self) -> str:
        what = (self._form_action or "note").replace("_", " ")
        return f"Case {self.ref}: {what} (not saved)"

    def draft_person_ref(self) -> str | None:
        return self.detail.row.person_ref if self.detail is not None else None

    def draft_args(self) -> dict:
        return {"ref": self.ref}

    def draft_values(self) -> dict:
        form = self._open_form()
        return {"action": self._form_action, "values": form.values() if form is not None else {}}

    def restore_draft(self, values: dict) -> None:
        """Open the same action's form again with the typing in it, once the case has loaded."""
        if self.detail is None:
            self._pending_draft = values
        else:
            self._reopen_form(values)

    def _reopen_form(self, draft: dict) -> None:
        from duty_tui.areas.frontdesk.tui import case_dialog as dialogs

        self._pending_draft = None
        action, typed = draft.get("action"), draft.get("values") or {}
        if self.detail is None or not action:
            return
        row, seen = self.detail.row, self._seen()
        self._form_action = action

        def then(values: dict) -> None:
            self.start(action, values, seen)

        if action == "reassign":
            dialogs.reassign_dialog(self, row, self.staff, then, values=typed)
        elif action == "escalate":
            dialogs.escalate_dialog(self, row, then, values=typed)
        elif action == "close":
            dialogs.close_dialog(self, row, then, values=typed)
        elif action == "repair_step":
            dialogs.repair_step_dialog(self, row, then, values=typed)
        elif action in ("acknowledge", "extend", "respond", "escalate_complaint"):
            step = "escalate" if action == "escalate_complaint" else action
            dialogs.complaint_dialog(self, row, step, self.staff, then, values=typed)
        else:
            dialogs.note_dialog(self, row, then, values=typed)
