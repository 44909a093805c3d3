"""Callers waiting at reception: the same live queue on every terminal (F8)."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Header, Static

from duty_tui.areas.frontdesk.domain.rules import format_minutes, waited_minutes
from duty_tui.areas.frontdesk.services.callers import CallersBoard, VisitView
from duty_tui.areas.frontdesk.tui.live import LiveRefresh
from duty_tui.core.domain.local_time import format_local
from duty_tui.core.tui.kit.footer import DutyFooter
from duty_tui.core.tui.kit.list_table import Column, ListRow, ListTable
from duty_tui.core.tui.kit.workers import Done
from duty_tui.core.tui.screens.base import DutyScreen
from duty_tui.core.tui.text import plain

TICK_SECONDS = 10


class CallersScreen(LiveRefresh, DutyScreen):
    """Arrivals, live waiting times, call next to a desk, seen or left without being seen."""

    SCOPE_NAME = "callers"
    TITLE = "Callers waiting"
    LIVE_CHANNELS = frozenset({"callers"})
    WAITING_COLUMNS = (
        Column("ticket", "Ticket", priority=0, never_cut=True),
        Column("name", "Name", min=10, ideal=18, priority=0),
        Column("wait", "Waiting", priority=0, never_cut=True),
        Column("reason", "Reason", min=10, ideal=24, priority=1),
        Column("needs", "Needs", min=10, ideal=30, priority=2),
    )
    WITH_STAFF_COLUMNS = (
        Column("ticket", "Ticket", priority=0, never_cut=True),
        Column("name", "Name", min=10, ideal=18, priority=0),
        Column("desk", "Desk", priority=0, never_cut=True),
        Column("called", "Called", priority=1, never_cut=True),
        Column("by", "By", min=8, ideal=18, priority=2),
    )
    DEFAULT_CSS = """
    CallersScreen #callers-summary { height: auto; padding: 0 1; background: $panel; }
    CallersScreen #waiting { height: 1fr; }
    CallersScreen #with-staff-title { height: 1; padding: 0 1; text-style: bold; }
    CallersScreen #with-staff { height: 6; }
    CallersScreen #callers-message { height: auto; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="callers-back", show=False, tooltip="Back to the previous screen"),
        Binding("a", "add", "Arrival", id="callers-add", tooltip="Add someone who has arrived (name or ticket, reason, needs)"),
        Binding("n", "call_next", "Call next", id="callers-call-next", tooltip="Call the longest-waiting caller to your desk"),
        Binding("s", "finish('seen')", "Seen", id="callers-seen", tooltip="The highlighted caller has been seen"),
        Binding("l", "finish('left')", "Left", id="callers-left", tooltip="The highlighted caller left without being seen"),
        Binding("b", "finish('waiting')", "Back to queue", id="callers-requeue", show=False,
                tooltip="Put a called caller back in the queue (they did not come to the desk)"),
        Binding("c", "log_contact", "Log contact", id="callers-contact",
                tooltip="Log the contact for the highlighted caller at your desk"),
        Binding("d", "choose_desk", "Desk", id="callers-desk", show=False, tooltip="Choose which desk you call people to"),
        Binding("r", "refresh", "Refresh", id="callers-refresh", show=False, tooltip="Load the queue again"),
    ]

    def __init__(self, person_ref: str | None = None) -> None:
        super().__init__()
        self.person_ref = person_ref
        self.board: CallersBoard | None = None
        self._visits: dict[int, VisitView] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading the queue…", id="callers-summary")
        yield ListTable(self.WAITING_COLUMNS, id="waiting")
        yield Static("With staff", id="with-staff-title")
        yield ListTable(self.WITH_STAFF_COLUMNS, id="with-staff", zebra_stripes=False)
        yield Static("", id="callers-message")
        yield DutyFooter()

    def on_mount(self) -> None:
        self.query_one("#waiting", ListTable).focus()
        self.set_interval(TICK_SECONDS, self._tick)
        self.load()
        self.start_live()

    # -- data --------------------------------------------------------------------------------

    @property
    def desk(self) -> str:
        """The desk this terminal calls people to (chosen with d; the first desk by default)."""
        chosen = self.duty_app.remembered.get("frontdesk.desk")
        if chosen:
            return chosen
        return self.board.desks[0] if self.board else "Desk 1"

    class BoardLoaded(Message):
        """Today's queue (posted by the worker)."""

        def __init__(self, board: CallersBoard) -> None:
            super().__init__()
            self.board = board

    @work(thread=True, exclusive=True, exit_on_error=False, group="callers")
    def load(self) -> None:
        """Load today's queue."""
        from duty_tui.areas.frontdesk.services.callers import callers_board

        self.post_message(self.BoardLoaded(callers_board(self.duty_app.ctx)))

    def on_live_change(self, channels: set[str]) -> None:
        self.load()

    @on(BoardLoaded)
    def _loaded(self, message: BoardLoaded) -> None:
        self._show(message.board)

    def _show(self, board: CallersBoard) -> None:
        self.board = board
        self._visits = {v.id: v for v in board.waiting + board.called + board.finished}
        # Each list keeps its cursor on the same caller (by visit id) through a reload.
        self.query_one("#waiting", ListTable).set_rows([ListRow(str(v.id), {
            "ticket": v.ticket, "name": v.name or "—", "wait": self._wait_cell(v), "reason": v.reason or "—",
            "needs": self._needs(v)}) for v in board.waiting])
        self.query_one("#with-staff", ListTable).set_rows([ListRow(str(v.id), {
            "ticket": v.ticket, "name": v.name or "—", "desk": v.desk or "—",
            "called": format_local(v.called_at, "%H:%M"), "by": v.called_by or "—"}) for v in board.called])
        self._summary()

    def _needs(self, visit: VisitView) -> str:
        parts = []
        if visit.interpreter:
            parts.append(f"Interpreter: {visit.interpreter}")
        if visit.needs:
            parts.append(visit.needs)
        return " · ".join(parts) or "—"

    def _wait_cell(self, visit: VisitView):
        minutes = waited_minutes(visit.arrived_at, self.duty_app.ctx.now())
        warn = self.board is not None and minutes >= self.board.wait_warning_minutes
        return plain(("! " if warn else "") + format_minutes(minutes), style="bold" if warn else "")

    def _summary(self) -> None:
        board = self.board
        if board is None:
            return
        now = self.duty_app.ctx.now()
        longest = max((waited_minutes(v.arrived_at, now) for v in board.waiting), default=None)
        text = (f"Waiting {len(board.waiting)} · longest {format_minutes(longest)} · with staff {len(board.called)} · "
                f"median wait today {format_minutes(board.median_wait_minutes)} · left without being seen "
                f"{board.left_without_being_seen} · your desk: {self.desk}")
        self.query_one("#callers-summary", Static).update(plain(text))
        self.query_one("#with-staff-title", Static).update(
            plain(f"With staff ({len(board.called)}) — s seen · l left · b back to queue · c log contact"))

    def _tick(self) -> None:
        """Keep waiting times live without going to the database."""
        if self.board is None:
            return
        waiting = self.query_one("#waiting", ListTable)
        for visit in self.board.waiting:
            waiting.update_value(str(visit.id), "wait", self._wait_cell(visit))
        self._summary()

    def _selected(self) -> tuple[str, VisitView | None]:
        """Which list has focus ('waiting' or 'with-staff') and its highlighted visit."""
        focused = self.focused
        table = focused if isinstance(focused, ListTable) else self.query_one("#waiting", ListTable)
        key = table.current_key
        return (table.id or "waiting"), (self._visits.get(int(key)) if key else None)

    def on_screen_resume(self) -> None:  # Textual also runs DutyScreen's (handlers run down the MRO)
        visit, self._contact_for = getattr(self, "_contact_for", None), None
        if visit is not None:  # back from the contact form (saved or not): what is left to do for the visit
            self._say(f"Back from the contact for {visit.label} at {visit.desk}: s seen · l left · b back to queue.")

    def _say(self, text: str) -> None:
        self.query_one("#callers-message", Static).update(plain(text))

    # -- actions ------------------------------------------------------------------------------

    def action_back(self) -> None:
        """Back."""
        self.app.pop_screen()

    def action_refresh(self) -> None:
        """Reload."""
        self.load()

    def action_add(self) -> None:
        """Add an arrival: the form stays open until it is saved (a taken ticket is said in the form)."""
        from duty_tui.areas.frontdesk.services.contact_form import contact_form
        from duty_tui.areas.frontdesk.tui.arrival import ArrivalDialog

        ctx = self.duty_app.ctx
        if not ctx.can("callers.manage"):  # said before anything is typed, not after F9
            role = ctx.actor.role_name if ctx.actor else "signed out"
            self._say(f"Your role ({role}) may not add arrivals (callers.manage): ask reception or a team leader.")
            return
        reasons = tuple((r.code, r.label) for r in contact_form(ctx).reasons)

        def done(visit: VisitView | None) -> None:
            if visit is not None:
                self._done(f"Added {visit.label} to the queue.")

        self.app.push_screen(ArrivalDialog(self.person_ref, reasons), done)

    def _done(self, message: str) -> None:
        self._say(message)
        self.load()

    def action_call_next(self) -> None:
        """Call the longest-waiting caller to my desk (Enter on a row calls that one instead)."""
        self.call(None)

    @on(DataTable.RowSelected, "#waiting")
    def _call_selected(self, event: DataTable.RowSelected) -> None:
        self.call(int(str(event.row_key.value)))

    @on(DataTable.RowSelected, "#with-staff")
    def _contact_selected(self, event: DataTable.RowSelected) -> None:
        self.action_log_contact()

    @work(thread=True, exclusive=False, exit_on_error=False, group="callers-write")
    def call(self, visit_id: int | None) -> None:
        """Call a caller to this terminal's desk."""
        from duty_tui.areas.frontdesk.services.callers import call_next

        visit = call_next(self.duty_app.ctx, self.desk, visit_id)
        self.post_message(self.Called(visit))

    @dataclass
    class Called(Message):
        """This desk called a caller (posted by the worker)."""

        visit: VisitView

    @on(Called)
    def _called_here(self, message: Called) -> None:
        visit = message.visit
        # c acts on the caller this terminal called last, never on another desk's (issue 11 B5).
        self.duty_app.remembered["frontdesk.called_visit"] = visit.id
        self._done(f"Called {visit.label} to {visit.desk}. c logs the contact for their visit.")

    def on_worker_error(self, error: BaseException | None) -> None:
        from duty_tui.core.domain.errors import ConflictError, DutyError, PermissionDenied

        if isinstance(error, ConflictError) and error.has_versions:
            from duty_tui.core.tui.dialogs.conflict import show_conflict

            self._say(error.message)
            show_conflict(self, error, None, on_reload=self.load, on_back=self.load)  # nothing typed to keep
            return
        if isinstance(error, PermissionDenied):
            self._say(error.message)  # not reloaded: it would be refused again, over and over
            return
        if isinstance(error, DutyError):
            self._say(error.message)  # said on the screen, where the desk is looking
            self.load()
            return
        super().on_worker_error(error)

    def action_finish(self, outcome: str) -> None:
        """Seen, left, or back to the queue, for the highlighted caller."""
        _table, visit = self._selected()
        if visit is None:
            self._say("Highlight a caller first (Tab moves between the two lists).")
            return
        if outcome in ("seen", "waiting") and visit.status != "called":
            self._say(f"{visit.label} has not been called yet: call them first (Enter or n).")
            return
        self.finish(visit.id, visit.version, outcome, visit.label)

    @work(thread=True, exclusive=False, exit_on_error=False, group="callers-write")
    def finish(self, visit_id: int, version: int, outcome: str, label: str) -> None:
        """Save seen / left / back to waiting."""
        from duty_tui.areas.frontdesk.services.callers import finish_visit

        finish_visit(self.duty_app.ctx, visit_id, version, outcome)
        words = {"seen": "seen", "left": "left without being seen", "waiting": "back in the queue"}[outcome]
        self.post_message(Done(f"{label}: {words}."))

    @on(Done)
    def _done_said(self, message: Done) -> None:
        self._done(message.text)

    def action_choose_desk(self) -> None:
        """Choose this terminal's desk."""
        from duty_tui.areas.frontdesk.tui.choose import ChooseDialog

        desks = self.board.desks if self.board else ("Desk 1",)

        def chosen(desk: str | None) -> None:
            if desk:
                self.duty_app.remembered["frontdesk.desk"] = desk
                self._summary()

        self.app.push_screen(ChooseDialog("Which desk are you at?", [(d, d) for d in desks], self.desk), chosen)

    def action_log_contact(self) -> None:
        """Log the contact (face to face) for the caller at this terminal's desk, linked to their visit."""
        from duty_tui.areas.frontdesk.services.callers import caller_at_desk
        from duty_tui.areas.frontdesk.tui.contact import LogContactScreen

        table, highlighted = self._selected()
        called = self.board.called if self.board else []
        visit = caller_at_desk(called, self.desk, self.duty_app.remembered.get("frontdesk.called_visit"),
                               highlighted if table == "with-staff" else None)
        if visit is None:
            self._say(f"No one is at your desk ({self.desk}): call the next caller with n (or Enter on a name).")
            return
        self._say(f"Logging the contact for {visit.label}'s visit at {visit.desk}.")
        self._contact_for = visit  # said again on the way back, so the line is never stale
        self.app.push_screen(LogContactScreen(person_ref=visit.person_ref, visit_id=visit.id,
                                              channel="face_to_face", reason=visit.reason_code,
                                              caller_name=visit.name, visit_label=f"{visit.label} at {visit.desk}"))
