"""Team and officer queues (F7): sorted by due, overdue and due-today marked in text, a page at a time.

Take, reassign, escalate and close with an outcome from the keyboard; Enter opens the case
timeline; f shows today's callbacks and appointments. Another terminal's changes appear by
themselves (the ``cases`` change channel).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import ContentSwitcher, DataTable, Header, Static

from duty_tui.areas.frontdesk.services.routing import FollowUpView, QueueChoice, QueuePage, QueueRow, StaffChoice
from duty_tui.areas.frontdesk.tui.live import LiveRefresh
from duty_tui.core.domain.local_time import display_date, format_local
from duty_tui.core.domain.masking import mask_phone
from duty_tui.core.tui.kit.footer import DutyFooter
from duty_tui.core.tui.kit.list_screen import ListPage, ListScreen
from duty_tui.core.tui.kit.list_table import Column, ListRow, ListTable
from duty_tui.core.tui.text import due_cells, plain

FIRST_PAGE = 100
PAGE = 300
LOAD_MORE_WITHIN = 25


def words(code: str | None) -> str:
    """A stored code as staff read it: 'in_progress' -> 'in progress'."""
    return (code or "").replace("_", " ")


class QueuesScreen(LiveRefresh, ListScreen):
    """A queue of open cases, soonest due first, with who has each and the actions a team works it with."""

    SCOPE_NAME = "queues"
    TITLE = "Queues"
    LIVE_CHANNELS = frozenset({"cases"})
    LIST_ID = "queue-table"
    COUNT_ID = "queue-bar"
    NOUN = ("open case", "open cases")
    COLUMNS = (
        Column("mark", "!", priority=0, never_cut=True),
        Column("due", "Due", priority=0, never_cut=True),
        Column("person", "Person", min=10, ideal=16, priority=1),
        Column("assignee", "Assigned to", min=8, ideal=14, priority=2),
        Column("what", "What", min=12, ideal=34, priority=2),
        Column("ref", "Case", priority=3, never_cut=True),
    )
    FOLLOW_UP_COLUMNS = (
        Column("mark", "!", priority=0, never_cut=True),
        Column("when", "When", priority=0, never_cut=True),
        Column("kind", "What", min=6, ideal=11, priority=2),
        Column("person", "Person", min=10, ideal=16, priority=1),
        Column("where", "Phone / place", priority=1, never_cut=True),
        Column("notes", "Case · notes", min=10, ideal=30, priority=3),
    )
    DEFAULT_CSS = """
    QueuesScreen ContentSwitcher { height: 1fr; }
    QueuesScreen #queue-table, QueuesScreen #follow-ups { height: 1fr; }
    QueuesScreen #queue-detail { height: 3; padding: 0 1; border-top: solid $panel; }
    QueuesScreen #queue-message { height: auto; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="queues-back", show=False, tooltip="Back to the previous screen"),
        Binding("q", "choose_queue", "Queue", id="queues-choose",
                tooltip="Choose a team's queue, an officer's, or your own work"),
        Binding("right_square_bracket", "next_queue", "Next queue", id="queues-next", show=False,
                tooltip="The next queue in the list"),
        Binding("left_square_bracket", "previous_queue", "Previous queue", id="queues-previous", show=False,
                tooltip="The previous queue in the list"),
        Binding("t", "take", "Take", id="queues-take", tooltip="Take the highlighted case (assign it to me)"),
        Binding("a", "reassign", "Reassign", id="queues-reassign", tooltip="Move the case to another team or officer"),
        Binding("e", "escalate", "Escalate", id="queues-escalate", tooltip="Escalate the case, with a reason"),
        Binding("c", "close_case", "Close", id="queues-close", tooltip="Close the case with an outcome"),
        Binding("n", "note", "Note", id="queues-note", show=False, tooltip="Add a note to the case timeline"),
        Binding("u", "toggle_unassigned", "Unassigned", id="queues-unassigned", show=False,
                tooltip="Show only cases no one has taken (press again for all)"),
        Binding("f", "toggle_follow_ups", "Callbacks", id="queues-follow-ups",
                tooltip="Today's callbacks and appointments (press again for the queue)"),
        Binding("d", "follow_up_done", "Done", id="queues-follow-up-done", show=False,
                tooltip="Mark the highlighted callback or appointment done"),
        Binding("s", "statistics", "Statistics", id="queues-statistics", show=False, tooltip="Duty statistics"),
        Binding("r", "refresh", "Refresh", id="queues-refresh", show=False, tooltip="Load the queue again"),
    ]

    class MoreLoaded(Message):
        """The next page of the queue (posted by the worker)."""

        def __init__(self, generation: int, page: QueuePage) -> None:
            super().__init__()
            self.generation = generation
            self.page = page

    class FollowUpsLoaded(Message):
        """Today's callbacks and appointments (posted by the worker)."""

        def __init__(self, items: list[FollowUpView]) -> None:
            super().__init__()
            self.items = items

    class ChoicesLoaded(Message):
        """The queues to choose from and the staff to reassign to (posted by the worker)."""

        def __init__(self, choices: list[QueueChoice], staff: list[StaffChoice]) -> None:
            super().__init__()
            self.choices = choices
            self.staff = staff

    def __init__(self, person_ref: str | None = None, *, team: str | None = None) -> None:
        super().__init__()
        self.person_ref = person_ref
        self.choices: list[QueueChoice] = []
        self.kind = "team" if team else "officer"
        self.code: str | None = team
        self.unassigned_only = False
        self._page_size = FIRST_PAGE
        self._loading_more = False
        self.follow_ups: list[FollowUpView] = []
        self.staff: list[StaffChoice] = []
        self._attempt: tuple | None = None  # the last save tried: ("case", action, row, values, seen) or ("follow_up",)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(plain("Loading…"), id=self.COUNT_ID, classes="list-count")
        with ContentSwitcher(initial="queue-view"):
            with Vertical(id="queue-view"):
                yield ListTable(self.COLUMNS, id=self.LIST_ID)
                yield Static("", id="queue-detail")
            with Vertical(id="follow-up-view"):
                yield ListTable(self.FOLLOW_UP_COLUMNS, id="follow-ups")
        yield Static("", id="queue-message")
        yield DutyFooter()

    def on_mount(self) -> None:
        self.table.focus()
        if self.code is None:
            actor = self.duty_app.ctx.actor
            if actor is not None and actor.team_code:
                self.kind, self.code = "team", actor.team_code  # my team's queue first
            else:
                self.code = actor.username if actor else ""
        self.load_choices()
        self.load_first()
        self.start_live()

    @property
    def rows(self) -> list[QueueRow]:
        """The cases loaded so far, in queue order."""
        return self.items

    @property
    def total(self) -> int:
        """How many open cases the queue has (more than are loaded, on a long queue)."""
        page = self.page
        return page.total or 0 if page is not None else 0

    # -- loading ---------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="queue-choices")
    def load_choices(self) -> None:
        """The queues to choose from (teams and their officers), with counts; staff with their open work."""
        from duty_tui.areas.frontdesk.services.routing import list_queues, list_staff

        self.post_message(self.ChoicesLoaded(list_queues(self.duty_app.ctx), list_staff(self.duty_app.ctx)))

    @on(ChoicesLoaded)
    def _choices_ready(self, message: ChoicesLoaded) -> None:
        self.choices = message.choices
        self.staff = message.staff

    def load_first(self, keep: str | None = None, size: int = FIRST_PAGE) -> None:
        """The first page of the queue (and as many more as were loaded, on a reload)."""
        self._page_size = size
        self._loading_more = False
        self.reload(keep)

    def fetch(self) -> ListPage:
        from duty_tui.areas.frontdesk.services.routing import queue_page

        page = queue_page(self.duty_app.ctx, self.kind, self.code or "", limit=self._page_size,
                          unassigned_only=self.unassigned_only)
        return ListPage(list(page.rows), total=page.total, extra=page)

    @work(thread=True, exclusive=False, exit_on_error=False, group="queue-more")
    def load_more(self, generation: int, offset: int) -> None:
        """The next page, as the cursor nears the end of what is loaded."""
        from duty_tui.areas.frontdesk.services.routing import queue_page

        page = queue_page(self.duty_app.ctx, self.kind, self.code or "", offset=offset, limit=PAGE,
                          unassigned_only=self.unassigned_only)
        self.post_message(self.MoreLoaded(generation, page))

    @on(MoreLoaded)
    def _more_ready(self, message: MoreLoaded) -> None:
        self._loading_more = False
        page = message.page
        if message.generation != self._list.generation or page.offset != len(self.rows):
            return  # the queue was reloaded meanwhile
        self.show_page(ListPage(self.rows + list(page.rows), total=page.total, extra=page))

    def row_key(self, row: QueueRow) -> str:
        return row.ref

    def row_cells(self, row: QueueRow) -> dict:
        mark, due = due_cells(row.due_at, self.duty_app.ctx.now(), self.duty_app.calendar,
                              hours=row.clock_kind == "hours")
        if row.escalated:
            mark = Text.assemble(mark, Text("▲", style="bold"))
        return {"mark": mark, "due": due, "ref": row.ref, "person": row.person_name or "—",
                "assignee": row.assignee or "unassigned", "what": f"{words(row.case_type)}: {row.summary}"}

    def describe_count(self, page: ListPage, shown: int) -> str:
        queue: QueuePage = page.extra
        scope = " (unassigned only)" if self.unassigned_only else ""
        more = f" · showing {shown:,} (more as you scroll)" if shown < queue.total else ""
        return (f"{queue.title}{scope}: {queue.total:,} open · {queue.overdue:,} overdue (!!) · "
                f"{queue.due_today:,} due today (!){more}")

    def after_load(self, page: ListPage) -> None:
        self._detail()

    def on_live_change(self, channels: set[str]) -> None:
        self.load_first(keep=self._current_ref(), size=max(FIRST_PAGE, min(len(self.rows), 1000)))
        self.load_choices()
        if self.query_one(ContentSwitcher).current == "follow-up-view":
            self.load_follow_ups()

    # -- the highlighted case -----------------------------------------------------------------------

    def _current(self) -> QueueRow | None:
        return self.highlighted()

    def _current_ref(self) -> str | None:
        row = self._current()
        return row.ref if row else None

    @on(DataTable.RowHighlighted, "#queue-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail()
        table = self.table
        if (not self._loading_more and len(self.rows) < self.total
                and table.cursor_row >= len(self.rows) - LOAD_MORE_WITHIN):
            self._loading_more = True
            self.load_more(self._list.generation, len(self.rows))

    def _detail(self) -> None:
        row = self._current()
        detail = self.query_one("#queue-detail", Static)
        if row is None:
            detail.update(plain("Nothing in this queue." if not self.rows else ""))
            return
        line = Text()
        line.append(plain(f"{row.ref} {words(row.case_type)} · {row.priority} · {words(row.status)}", style="bold"))
        if row.escalated:
            line.append(plain(" · ▲ ESCALATED", style="bold"))
        line.append(plain(f" · {row.team or '—'} · {row.assignee or 'unassigned'}"))
        line.append(plain(f"\n{row.clock_name or 'Due'}: {display_date(row.due_at, weekday=True, hours=row.clock_kind == 'hours') if row.due_at else 'no date'}"
                          f" · opened {display_date(row.opened_at)}"))
        line.append(plain(f"\n{row.summary}"))
        detail.update(line)

    def open_item(self, row: QueueRow) -> None:
        from duty_tui.areas.frontdesk.tui.case import CaseScreen

        self.app.push_screen(CaseScreen(row.ref))

    # -- actions ----------------------------------------------------------------------------------------

    def action_back(self) -> None:
        """Back."""
        self.app.pop_screen()

    def action_refresh(self) -> None:
        """Reload the queue."""
        self.load_choices()
        self.load_first(keep=self._current_ref(), size=max(FIRST_PAGE, min(len(self.rows), 1000)))

    def _switch(self, kind: str, code: str) -> None:
        self.kind, self.code = kind, code
        self.show_page(ListPage([], total=0, extra=QueuePage("Loading…", [], 0, 0, 0, 0)))
        self.say_count("Loading…")
        self.load_first()

    def action_choose_queue(self) -> None:
        """Choose a queue from a list."""
        from duty_tui.areas.frontdesk.tui.choose import ChooseDialog

        options = [(f"{c.kind}:{c.code}", f"{c.name} — {c.open:,} open, {c.overdue:,} overdue") for c in self.choices]

        def chosen(value: str | None) -> None:
            if value:
                kind, _, code = value.partition(":")
                self._switch(kind, code)

        self.app.push_screen(ChooseDialog("Which queue?", options, f"{self.kind}:{self.code}"), chosen)

    def _step_queue(self, delta: int) -> None:
        if not self.choices:
            return
        keys = [(c.kind, c.code) for c in self.choices]
        index = keys.index((self.kind, self.code)) if (self.kind, self.code) in keys else 0
        kind, code = keys[(index + delta) % len(keys)]
        self._switch(kind, code)

    def action_next_queue(self) -> None:
        """The next queue."""
        self._step_queue(1)

    def action_previous_queue(self) -> None:
        """The previous queue."""
        self._step_queue(-1)

    def action_toggle_unassigned(self) -> None:
        """Only cases no one has taken, or all."""
        self.unassigned_only = not self.unassigned_only
        self.load_first()

    def _say(self, text: str) -> None:
        self.query_one("#queue-message", Static).update(plain(text))

    def _need_row(self) -> QueueRow | None:
        row = self._current()
        if row is None:
            self._say("Highlight a case first.")
        return row

    def action_take(self) -> None:
        """Take the highlighted case."""
        row = self._need_row()
        if row:
            self.start("take", row, {})

    def action_reassign(self) -> None:
        """Reassign to a team and/or officer."""
        from duty_tui.areas.frontdesk.tui.case_dialog import reassign_dialog

        row = self._need_row()
        if row:
            reassign_dialog(self, row, self.staff, lambda values: self.start("reassign", row, values))

    def action_escalate(self) -> None:
        """Escalate with a reason."""
        from duty_tui.areas.frontdesk.tui.case_dialog import escalate_dialog

        row = self._need_row()
        if row:
            escalate_dialog(self, row, lambda values: self.start("escalate", row, values))

    def action_close_case(self) -> None:
        """Close with an outcome."""
        from duty_tui.areas.frontdesk.tui.case_dialog import close_dialog

        row = self._need_row()
        if row:
            close_dialog(self, row, lambda values: self.start("close", row, values))

    def action_note(self) -> None:
        """Add a note."""
        from duty_tui.areas.frontdesk.tui.case_dialog import note_dialog

        row = self._need_row()
        if row:
            note_dialog(self, row, lambda values: self.start("note", row, values))

    def start(self, action: str, row: QueueRow, values: dict, seen: int | None = None) -> None:
        """Save a case action against the version the row had when the user chose it (kept for a conflict)."""
        seen = row.version if seen is None else seen
        self._attempt = ("case", action, row, values, seen)
        self.run_action(action, row, values, seen)

    @work(thread=True, exclusive=False, exit_on_error=False, group="queue-write")
    def run_action(self, action: str, row: QueueRow, values: dict, seen: int | None = None) -> None:
        """Run a case action in a worker."""
        from duty_tui.areas.frontdesk.tui.case_dialog import perform

        message = perform(self.duty_app.ctx, action, row.ref, row.version if seen is None else seen, values)
        self.post_message(self.Acted(message, row.ref))

    class Acted(Message):
        """A case action was saved (posted by the worker)."""

        def __init__(self, text: str, ref: str) -> None:
            super().__init__()
            self.text = text
            self.ref = ref

    @on(Acted)
    def _acted(self, message: Acted) -> None:
        self._say(message.text)
        self.load_first(keep=message.ref, size=max(FIRST_PAGE, min(len(self.rows), 1000)))
        self.load_choices()

    def on_worker_error(self, error: BaseException | None) -> None:
        from duty_tui.core.domain.errors import ConflictError, DutyError

        if isinstance(error, ConflictError) and self._attempt is not None:
            self._say(error.message)
            self._loading_more = False
            if self._attempt[0] == "case":
                from duty_tui.areas.frontdesk.tui.case_dialog import after_conflict

                _kind, action, row, values, seen = self._attempt
                after_conflict(self, error, action, row, self.staff, values, seen,
                               lambda a, v, s: self.start(a, row, v, s),
                               lambda: self.load_first(keep=row.ref))
            else:
                from duty_tui.core.tui.dialogs.conflict import show_conflict

                show_conflict(self, error, None, on_reload=self.load_follow_ups, on_back=self.load_follow_ups)
            return
        if isinstance(error, DutyError):
            self._say(error.message)
            self._loading_more = False
            self.load_first(keep=self._current_ref())
            return
        super().on_worker_error(error)

    # -- callbacks and appointments --------------------------------------------------------------

    def action_toggle_follow_ups(self) -> None:
        """Switch between the queue and today's callbacks and appointments."""
        switcher = self.query_one(ContentSwitcher)
        if switcher.current == "follow-up-view":
            switcher.current = "queue-view"
            self.table.focus()
            if self.page is not None:
                self.say_count(self.describe_count(self.page, len(self.rows)))
        else:
            switcher.current = "follow-up-view"
            self.query_one("#follow-ups", ListTable).focus()
            self.load_follow_ups()

    @work(thread=True, exclusive=True, exit_on_error=False, group="queue-follow-ups")
    def load_follow_ups(self) -> None:
        """Today's (and earlier, still open) callbacks and appointments for this queue."""
        from duty_tui.areas.frontdesk.services.routing import follow_ups_for_day

        ctx = self.duty_app.ctx
        if self.kind == "team":
            items = follow_ups_for_day(ctx, team_code=self.code)
        else:
            items = follow_ups_for_day(ctx, username=self.code)
        self.post_message(self.FollowUpsLoaded(items))

    def _follow_up_cells(self, item: FollowUpView) -> dict:
        now = self.duty_app.ctx.now()
        late = item.due_at < now
        when = format_local(item.due_at, "%H:%M" if format_local(item.due_at, "%d%m") == format_local(now, "%d%m")
                            else "%d/%m/%Y %H:%M")
        if format_local(item.due_at, "%H:%M") == "23:59":
            when = "by " + format_local(item.due_at, "%d/%m/%Y")
        # Lists mask phone numbers (shared screens); the highlighted one shows in full in the count line.
        return {"mark": plain("!!" if late else "", style="bold red" if late else ""), "when": when,
                "kind": item.kind, "person": item.person_name or "—",
                "where": mask_phone(item.phone) if item.phone else item.place or "—",
                "notes": " · ".join(x for x in (item.case_ref, item.notes) if x) or "—"}

    @on(FollowUpsLoaded)
    def _follow_ups_ready(self, message: FollowUpsLoaded) -> None:
        self.follow_ups = message.items
        self.query_one("#follow-ups", ListTable).set_rows(
            [ListRow(str(item.id), self._follow_up_cells(item)) for item in message.items])
        self.say_count(f"Callbacks and appointments due today or overdue: {len(message.items)} · d done · "
                       "f back to the queue")

    def _follow_up(self) -> FollowUpView | None:
        key = self.query_one("#follow-ups", ListTable).current_key
        return next((item for item in self.follow_ups if str(item.id) == key), None)

    @on(DataTable.RowHighlighted, "#follow-ups")
    def _follow_up_highlighted(self, event: DataTable.RowHighlighted) -> None:
        item = self._follow_up()
        if item is None:
            return
        action = f"Call {item.phone}" if item.phone else f"At {item.place or 'the office'}"
        self.say_count(f"{action} · {item.person_name or 'no person'} · {len(self.follow_ups)} due today or overdue · "
                       "d done · f back to the queue")

    def action_follow_up_done(self) -> None:
        """Mark the highlighted callback or appointment done."""
        if self.query_one(ContentSwitcher).current != "follow-up-view":
            return
        item = self._follow_up()
        if item is None:
            return
        self._attempt = ("follow_up",)
        self.complete(item.id, item.version)

    @work(thread=True, exclusive=False, exit_on_error=False, group="queue-write")
    def complete(self, follow_up_id: int, version: int) -> None:
        """Save a done callback or appointment."""
        from duty_tui.areas.frontdesk.services.routing import complete_follow_up

        complete_follow_up(self.duty_app.ctx, follow_up_id, version, "done")
        self.post_message(self.FollowUpDone(follow_up_id))

    @dataclass
    class FollowUpDone(Message):
        """A callback or appointment was saved as done (posted by the worker)."""

        follow_up_id: int

    @on(FollowUpDone)
    def _follow_up_done(self, message: FollowUpDone) -> None:
        self.load_follow_ups()

    def action_statistics(self) -> None:
        """Open the duty statistics."""
        from duty_tui.areas.frontdesk.tui.stats import StatsScreen

        self.app.push_screen(StatsScreen())
