"""The arrears worklist: an income officer's home (docs/INCOME.md, "The worklist screen").

Every rent account in arrears with the recovery policy's next step and why, by tab (1–6: immediate,
paused, agreements kept, court, evictions, all), in the service's orders (o). Enter opens the account's
recovery (tui/recovery.py: why, the story so far, notices, protocol, court); h the holder's person
view; a records the recommended step as taken today, p pauses recovery, l lifts a pause — each
through ``services/actions.py`` (``arrears.manage``), then the list reloads.

The "!" column marks an account to act on beyond the policy's step: UC (ask the DWP for a Universal
Credit managed payment); the detail under the list names the pause, eviction, hearing, benefit claim or
agreement holding recovery (docs/INCOME_WORKLIST_FEED.md). The immediate tab's first page comes before
its total is known ("more than N"); a second worker counts it.
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

from duty_tui.areas.income.domain.policy import NONE, ORDERS_ON_TERMS, PAUSE_REASONS
from duty_tui.areas.income.services.worklist import SORTS, TABS, Worklist, WorklistRow
from duty_tui.core.domain.errors import DutyError
from duty_tui.core.domain.money import format_pence
from duty_tui.core.tui.kit.list_screen import ListPage, ListScreen
from duty_tui.core.tui.kit.list_table import CellValue, Column
from duty_tui.core.tui.kit.workers import Done
from duty_tui.core.tui.text import plain

PAGE = 200
MANAGE = "arrears.manage"
TAB_NAMES = {"immediate": "Immediate", "paused": "Paused", "kept": "Agreements kept", "court": "Court",
             "evictions": "Evictions", "all": "All"}
EMPTY = {"immediate": "No account has a recovery step due today or earlier: nothing to do now (6 shows every "
                      "account in arrears).",
         "paused": "No account in arrears has its recovery paused or held by a benefit claim awaiting decision.",
         "kept": "No account in arrears has an arrangement to pay, or a court order's terms, being kept.",
         "court": "No account in arrears has a court hearing today or later.",
         "evictions": "No account in arrears has an eviction booked today or later.",
         "all": "No rent account is in arrears."}
REFUSED = "Your role may not record arrears recovery (arrears.manage): ask an income officer or a team leader."


def words(code: str | None) -> str:
    """A step's code as staff read it: 'letter_1' -> 'letter 1'; none -> '—'."""
    return (code or "").replace("_", " ") if code and code != NONE else "—"


def day(value: date | None) -> str:
    return f"{value:%d/%m/%y}" if value is not None else "—"


class ArrearsWorklistScreen(ListScreen):
    """Rent accounts in arrears and the next recovery step for each, with why."""

    SCOPE_NAME = "worklist"
    TITLE = "Arrears worklist"
    LIST_ID = "wl-table"
    COUNT_ID = "wl-count"
    NOUN = ("account in arrears", "accounts in arrears")
    COLUMNS = (
        Column("ref", "Ref", priority=0, never_cut=True),
        Column("holder", "Holder", min=8, ideal=16, priority=1),
        Column("owes", "Owes £", priority=0, never_cut=True, justify="right"),
        Column("weeks", "Wks", priority=1, never_cut=True, justify="right"),
        Column("days", "Days", priority=2, never_cut=True, justify="right"),
        Column("last", "Last step", min=6, ideal=10, priority=3),
        Column("next", "Next step", min=8, ideal=12, priority=1),
        Column("due", "Due", priority=0, never_cut=True),
        Column("flag", "!", priority=2, never_cut=True),
    )
    DEFAULT_CSS = """
    ArrearsWorklistScreen #wl-tabs { height: 1; padding: 0 1; }
    ArrearsWorklistScreen #wl-detail { height: 7; padding: 0 1; border-top: solid $panel; }
    ArrearsWorklistScreen #wl-message { height: auto; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="worklist-back", show=False, tooltip="Back to the previous screen"),
        *(Binding(str(n), f"tab('{tab}')", TAB_NAMES[tab], id=f"worklist-tab-{tab}", show=False,
                  tooltip=f"Tab {n}: {TABS[tab]}") for n, tab in enumerate(TABS, 1)),
        Binding("a", "record", "Record step", id="worklist-record",
                tooltip="Record the recommended next step as taken today on the highlighted account "
                        "(needs arrears.manage)"),
        Binding("p", "pause", "Pause", id="worklist-pause",
                tooltip="Pause recovery on the highlighted account until a date, with a reason (needs arrears.manage)"),
        Binding("l", "lift", "Lift pause", id="worklist-lift", show=False,
                tooltip="Lift the highlighted account's pause, so recovery resumes today (needs arrears.manage)"),
        Binding("right_square_bracket", "page(1)", "Next 200", id="worklist-next-page", show=False,
                tooltip="The next 200 accounts of this tab, in this order"),
        Binding("left_square_bracket", "page(-1)", "Previous 200", id="worklist-previous-page", show=False,
                tooltip="The previous 200 accounts of this tab"),
        Binding("f", "scope", "Mine/team/all", id="worklist-scope",
                tooltip="Whose accounts: all, mine (my open arrears cases), my team's (its open arrears cases)"),
        Binding("h", "holder", "Person", id="worklist-holder",
                tooltip="Open the highlighted account holder's person view"),
        Binding("f9", "reload", "Reload", id="worklist-reload", tooltip="Read the worklist again"),
    ]

    @dataclass
    class Counted(Message, bubble=False):
        """A tab's exact total, counted after its first page was shown (posted by the count worker)."""

        tab: str
        total: int

    @dataclass
    class HolderFound(Message, bubble=False):
        """The person an account belongs to (posted by the Enter worker)."""

        account_ref: str
        person_ref: str | None

    def __init__(self, tab: str = "immediate", sort: str = "balance") -> None:
        super().__init__()
        self.tab = tab if tab in TABS else "immediate"
        self.sort = sort if sort in SORTS else "balance"
        self.first = 0  # the first account of the page shown ([ and ] move by PAGE)
        self._to_top = False
        self.scope = "all"  # all / mine / team (f): an account is an officer's or a team's by its open arrears case
        self._stale = False  # back from the person view: a payment taken there may move the list
        self._counted: dict[str, int] = {}  # exact totals counted for "more than N" pages, by tab

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        if self._stale:
            self._stale = False
            self.reload()

    def compose_above(self) -> ComposeResult:
        yield Static("", id="wl-tabs")

    def compose_below(self) -> ComposeResult:
        yield Static("", id="wl-detail")
        yield Static(plain("Enter account · h person · a record step · p pause · o sort · 1–6 tabs"), id="wl-message")

    def on_mount(self) -> None:
        super().on_mount()
        self._show_tabs()

    # -- the list ------------------------------------------------------------------------------

    def fetch(self) -> ListPage:
        from duty_tui.areas.income.services.worklist import arrears_worklist

        whose = self._whose()
        page = arrears_worklist(self.duty_app.ctx, tab=self.tab, sort=self.sort, limit=PAGE, offset=self.first,
                                officer=whose["officer"], team=whose["team"])
        if not page.rows and self.first:  # the tab shrank under us (steps recorded): back to its last page
            self.first = max(0, (page.total - 1) // PAGE * PAGE) if page.total else 0
            page = arrears_worklist(self.duty_app.ctx, tab=self.tab, sort=self.sort, limit=PAGE, offset=self.first,
                                    officer=whose["officer"], team=whose["team"])
        return ListPage(page.rows, total=page.total, more_than=page.more_than,
                        narrow="the largest first; o sorts, 1–6 choose a tab, ] the next 200", extra=page)

    def row_key(self, item: WorklistRow) -> str:
        return item.ref

    def row_cells(self, item: WorklistRow) -> dict[str, CellValue]:
        return {"ref": item.ref, "holder": item.holder, "owes": format_pence(item.balance_pence).lstrip("£"),
                "weeks": f"{item.weeks_in_arrears:.1f}",
                "days": "never" if item.days_since_last_payment is None else str(item.days_since_last_payment),
                "last": words(item.last_action), "next": words(item.next_action), "due": day(item.next_action_due),
                "flag": "UC" if item.uc_managed_payment else ""}

    def describe_count(self, page: ListPage, shown: int) -> str:
        whose = {"mine": "Mine (f): ", "team": "My team's (f): "}.get(self.scope, "")
        return whose + self._count_words(page, shown)

    def _count_words(self, page: ListPage, shown: int) -> str:
        worklist: Worklist = page.extra
        if not shown:
            return worklist.note or EMPTY.get(self.tab, "No accounts.")
        if page.more_than and worklist.tab in self._counted:
            page = ListPage(page.items, total=self._counted[worklist.tab], narrow=page.narrow)
        line = super().describe_count(page, shown)
        if worklist.offset:
            of = f"more than {page.total:,}" if page.more_than else f"{page.total:,}"
            line = f"{worklist.offset + 1:,}–{worklist.offset + shown:,} of {of} accounts in arrears ([ and ] page)"
        return f"{line} (counting…)" if page.more_than else f"{line} · {SORTS[self.sort]}"

    def after_load(self, page: ListPage) -> None:
        if self._to_top:  # a new page starts at its first account, not where the last page's cursor was
            self._to_top = False
            self.table.move_cursor(row=0)
            self.table.scroll_home(animate=False)
        self._detail()
        self._counted.clear()
        if page.more_than:
            self.count_tab(page.extra.tab)

    @work(thread=True, exclusive=True, exit_on_error=False, group="worklist-count")
    def count_tab(self, tab: str) -> None:
        """Count the tab exactly (every account evaluated: seconds at council scale) after the page is shown."""
        from duty_tui.areas.income.services.worklist import worklist_total

        self.post_message(self.Counted(tab, worklist_total(self.duty_app.ctx, tab=tab, officer=self._whose()["officer"],
                                                                   team=self._whose()["team"])))

    @on(Counted)
    def _counted_tab(self, message: Counted) -> None:
        page = self.page
        if page is None or message.tab != self.tab or page.extra.tab != self.tab:
            return  # another tab is showing now
        self._counted[message.tab] = message.total
        self.say_count(self.describe_count(page, len(self.items)))

    def _show_tabs(self) -> None:
        parts = [f"[{n} {TAB_NAMES[tab]}]" if tab == self.tab else f" {n} {TAB_NAMES[tab]} "
                 for n, tab in enumerate(TABS, 1)]
        self.query_one("#wl-tabs", Static).update(plain("".join(parts)))

    @on(DataTable.RowHighlighted, "#wl-table")
    def _detail(self) -> None:
        row = self.highlighted()
        box = self.query_one("#wl-detail", Static)
        if row is None:
            box.update("")
            return
        paid = ("never paid" if row.days_since_last_payment is None
                else f"last paid {row.days_since_last_payment} days ago")
        lines = [f"{row.ref} {row.holder}: owes {format_pence(row.balance_pence)} "
                 f"({row.weeks_in_arrears:.1f} weeks of {format_pence(row.weekly_rent_pence)}), {paid}",
                 f"Next: {row.words or words(row.next_action)}" + (f", due {row.next_action_due:%d/%m/%Y}"
                                                                   if row.next_action_due else ""),
                 *self._holds(row), f"Why: {row.why}"]
        box.update(plain("\n".join(lines)))

    @staticmethod
    def _holds(row: WorklistRow) -> list[str]:
        """One line on what holds or marks the account: pause, eviction, hearing, claim, agreement, UC."""
        parts = []
        if row.paused_until is not None:
            reason = PAUSE_REASONS.get(row.pause_reason or "", row.pause_reason or "")
            parts.append(f"Paused until {row.paused_until:%d/%m/%Y}: {reason} (l lifts it)")
        if row.eviction_date is not None:
            parts.append(f"Eviction {row.eviction_date:%d/%m/%Y}")
        if row.court_date is not None:
            outcome = f": {words(row.court_outcome)}" if row.court_outcome else ""
            parts.append(f"Hearing {row.court_date:%d/%m/%Y}{outcome}")
        if row.benefit_claim is not None:
            parts.append(f"{words(row.benefit_claim).capitalize()} claim awaiting decision")
        if row.agreement != "none":
            parts.append(("Order's terms" if row.court_outcome in ORDERS_ON_TERMS
                          else "Arrangement to pay") + f": {row.agreement}")
        if row.uc_managed_payment:
            parts.append("UC: ask for a managed payment")
        return [" · ".join(parts)] if parts else []

    def _message(self, text: str) -> None:
        self.query_one("#wl-message", Static).update(plain(text))

    # -- keys ------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "sort":
            return True
        return super().check_action(action, parameters)

    def action_back(self) -> None:
        """Back."""
        self.app.pop_screen()

    def action_reload(self) -> None:
        """Read the worklist again."""
        self.reload()

    def _whose(self) -> dict[str, str | None]:
        """The service's filter for the scope: my username, my team's code, or neither."""
        actor = self.duty_app.ctx.actor
        mine = self.scope == "mine" and actor is not None
        team = actor.team_code if self.scope == "team" and actor is not None else None
        return {"officer": actor.username if mine and actor is not None else None, "team": team}

    def action_scope(self) -> None:
        """Whose accounts: all → mine → my team's → all."""
        actor = self.duty_app.ctx.actor
        order = ["all", "mine"] + (["team"] if actor is not None and actor.team_code else [])
        self.scope = order[(order.index(self.scope) + 1) % len(order)] if self.scope in order else "all"
        self.first = 0
        self.say_count("Loading…")
        self.reload()

    def action_page(self, step: int) -> None:
        """The next (1) or previous (-1) 200 accounts of this tab."""
        page = self.page
        total = page.total if page is not None and page.total is not None else 0
        more = page is not None and page.more_than
        wanted = self.first + step * PAGE
        if wanted < 0 or (step > 0 and wanted >= total and not more):
            self._message("That is the first page." if wanted < 0 else "That is the last page.")
            return
        self.first = wanted
        self.say_count("Loading…")
        self._to_top = True
        self.reload()

    def action_tab(self, tab: str) -> None:
        """Show another tab."""
        if tab == self.tab:
            return
        self.first = 0
        self.tab = tab
        self._show_tabs()
        self.say_count("Loading…")
        self.reload()

    def action_sort(self) -> None:
        """The service's next order (largest balance, most weeks, longest since paid …)."""
        names = list(SORTS)
        self.first = 0
        self.sort = names[(names.index(self.sort) + 1) % len(names)]
        self.notify(f"Sorted: {SORTS[self.sort]}", timeout=2)
        self.reload()

    def open_item(self, item: WorklistRow) -> None:
        from duty_tui.areas.income.tui.recovery import RecoveryAccountScreen

        self._stale = True
        self.app.push_screen(RecoveryAccountScreen(item.ref))

    def action_holder(self) -> None:
        """Open the highlighted account holder's person view."""
        row = self.highlighted()
        if row is None:
            return
        self._message(f"Opening the holder of {row.ref}…")
        self.find_holder(row.ref)

    @work(thread=True, exclusive=True, exit_on_error=False, group="worklist-holder")
    def find_holder(self, account_ref: str) -> None:
        from duty_tui.areas.income.services.worklist import holder_ref

        self.post_message(self.HolderFound(account_ref, holder_ref(self.duty_app.ctx, account_ref)))

    @on(HolderFound)
    def _holder_found(self, message: HolderFound) -> None:
        if message.person_ref is None:
            self._message(f"{message.account_ref} has no person recorded as its holder.")
            return
        from duty_tui.core.tui.screens.person import PersonScreen

        self._message("")
        self._stale = True
        self.app.push_screen(PersonScreen(message.person_ref))

    def _may_manage(self) -> bool:
        if self.duty_app.ctx.can(MANAGE):
            return True
        self._message(REFUSED)
        return False

    def action_record(self) -> None:
        """Record the recommended step as taken today (asks first)."""
        row = self.highlighted()
        if row is None or not self._may_manage():
            return
        if row.next_action == NONE:
            self._message(f"Nothing to record on {row.ref}: {row.why}")
            return
        from duty_tui.core.tui.kit.dialogs import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes:
                self._message("Recording…")
                self.act("record", row.ref, row.next_action)

        what = row.words or words(row.next_action)
        self.app.push_screen(ConfirmDialog(
            f"Record on {row.ref} ({row.holder}), as taken today:\n{what} ({row.next_action})?",
            yes="Record it", no="No, not yet"), answered)

    def action_pause(self) -> None:
        """Pause recovery until a date, with a reason and a note."""
        row = self.highlighted()
        if row is None or not self._may_manage():
            return
        from duty_tui.core.tui.kit.fields import FormField
        from duty_tui.core.tui.kit.form_screen import FormDialog
        from duty_tui.core.tui.kit.validators import NoCardDataValidator

        def save(ctx: Any, values: dict[str, Any]) -> str:
            from duty_tui.areas.income.services.actions import pause

            done = pause(ctx, row.ref, values["reason"], values["until"], values["note"] or None)
            return f"{done.account_ref} paused until {done.until:%d/%m/%Y}: {PAUSE_REASONS[done.reason]}."

        def answered(text: str | None) -> None:
            if text:
                self.post_message(Done(text))

        self.app.push_screen(FormDialog(f"Pause recovery on {row.ref} ({row.holder})", [
            FormField("reason", "Reason", "choice", tuple(PAUSE_REASONS.items()), required=True),
            FormField("until", "Until", "date", required=True, hint="the day recovery resumes (after today)"),
            FormField("note", "Note", max_length=200, validators=(NoCardDataValidator("note"),)),
        ], intro="No step is recommended while the pause is in force.", submit="Pause", save=save), answered)

    def action_lift(self) -> None:
        """Lift the highlighted account's pause (asks first)."""
        row = self.highlighted()
        if row is None or not self._may_manage():
            return
        if row.paused_until is None:
            self._message(f"{row.ref} is not paused.")
            return
        from duty_tui.core.tui.kit.dialogs import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes:
                self.act("lift", row.ref, "")

        self.app.push_screen(ConfirmDialog(f"Lift the pause on {row.ref} ({row.holder}), so recovery resumes "
                                           "today?", yes="Lift it"), answered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="worklist-act")
    def act(self, what: str, ref: str, code: str) -> None:
        from duty_tui.areas.income.services.actions import lift_pause, record_action

        ctx = self.duty_app.ctx
        try:
            if what == "record":
                done = record_action(ctx, ref, code)
                text = f"Recorded on {done.account_ref}: {words(done.action)}, {done.taken_on:%d/%m/%Y}."
            else:
                lift_pause(ctx, ref)
                text = f"{ref}'s pause lifted: recovery resumes today."
        except DutyError as exc:
            self.post_message(Done(exc.message, reload=False))
            return
        self.post_message(Done(text))

    @on(Done)
    def _done_said(self, message: Done) -> None:
        self._message(message.text)
        if message.reload:
            self.reload()
