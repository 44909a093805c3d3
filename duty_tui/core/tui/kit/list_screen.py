"""ListScreen: the one list screen — a count line, a ListTable, Enter opens, o sorts, reloads keep the cursor.

A screen declares its COLUMNS and fills three hooks:

- ``fetch()`` runs in a thread worker (the UI thread never waits on the database) and
  returns a ``ListPage``: the items, the total (or a lower bound: "more than N"), a hint
  saying how to narrow a capped list, and anything else the screen shows;
- ``row_key(item)`` and ``row_cells(item)`` turn an item into a row;
- ``open_item(item)`` is what Enter does.

The worker posts a typed ``ListScreen.Loaded`` message; the handler fills the table,
keeping the cursor on the same row by key (after a reload, a change made elsewhere, a
return from a child screen), and writes the count line: "12 cases", or "showing 50 of
171: add a postcode or forename to narrow" when the service capped the list.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Header, Static

from duty_tui.core.tui.kit.footer import DutyFooter
from duty_tui.core.tui.kit.list_table import CellValue, Column, ListRow, ListTable
from duty_tui.core.tui.screens.base import DutyScreen
from duty_tui.core.tui.text import plain


@dataclass(frozen=True)
class ListPage:
    """What a list screen's fetch returns."""

    items: Sequence[Any]
    total: int | None = None
    """How many there are in all (None: exactly the items given)."""
    more_than: bool = False
    """``total`` is a lower bound: the service stopped counting ("more than 250")."""
    narrow: str = ""
    """How to narrow a capped list ("add a postcode or forename to narrow")."""
    extra: Any = None
    """Anything else the screen shows beside the list (a title, totals)."""


@dataclass(frozen=True)
class Sort:
    """One order a list can be put in (o cycles through them)."""

    name: str
    key: Callable[[Any], Any]
    reverse: bool = False


def count_line(shown: int, total: int | None = None, *, noun: tuple[str, str] = ("row", "rows"),
               more_than: bool = False, narrow: str = "") -> str:
    """'3 cases', or 'showing 50 of 171: add a postcode or forename to narrow' when capped."""
    def words(n: int) -> str:
        return f"{n:,} {noun[0] if n == 1 else noun[1]}"

    if total is None or (total <= shown and not more_than):
        return words(shown) if shown else f"No {noun[1]}."
    of = f"more than {total:,}" if more_than else f"{total:,}"
    line = f"showing {shown:,} of {of} {noun[1]}"
    return f"{line}: {narrow}" if narrow else line


@dataclass
class _State:
    generation: int = 0
    sort: int = -1  # -1: the order the service gave
    page: ListPage | None = None
    items: list[Any] = field(default_factory=list)


class ListScreen(DutyScreen):
    """A screen that is one list: subclass, declare COLUMNS, fill fetch / row_key / row_cells / open_item."""

    SCOPE_NAME: ClassVar[str] = "list"
    COLUMNS: ClassVar[Sequence[Column]] = ()
    LIST_ID: ClassVar[str] = "list"
    """The table's id (each screen keeps its own, so selectors and tests stay stable)."""
    COUNT_ID: ClassVar[str] = "list-count"
    NOUN: ClassVar[tuple[str, str]] = ("row", "rows")
    SORTS: ClassVar[Sequence[Sort]] = ()
    RELOAD_ON_RESUME: ClassVar[bool] = False
    """Load again on return from a child screen (what was done there may change the list)."""
    EMPTY: ClassVar[str] = ""
    """The count line when there is nothing (blank: "No rows.")."""
    DEFAULT_CSS = """
    ListScreen .list-count { height: auto; padding: 0 1; background: $panel; }
    ListScreen ListTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("o", "sort", "Sort", id="list-sort", tooltip="Put the list in another order (press again for the next)"),
    ]

    class Loaded(Message):
        """A fetch finished (posted by the worker, handled on the UI thread)."""

        def __init__(self, page: ListPage, generation: int, keep: str | None) -> None:
            super().__init__()
            self.page = page
            self.generation = generation
            self.keep = keep

    def __init__(self) -> None:
        super().__init__()
        self._list = _State()

    # -- composition --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield from self.compose_above()
        yield Static(plain("Loading…"), id=self.COUNT_ID, classes="list-count")
        yield ListTable(self.COLUMNS, id=self.LIST_ID)
        yield from self.compose_below()
        yield DutyFooter()

    def compose_above(self) -> ComposeResult:
        """Widgets between the header and the count line (a search box)."""
        yield from ()

    def compose_below(self) -> ComposeResult:
        """Widgets under the list (the highlighted row's detail, a message line)."""
        yield from ()

    def on_mount(self) -> None:
        self.table.focus()
        if self.load_on_mount():
            self.reload()

    def load_on_mount(self) -> bool:
        """Whether to fetch as soon as the screen opens (a search screen waits for typing)."""
        return True

    # -- the list -------------------------------------------------------------------------------

    @property
    def table(self) -> ListTable:
        """The screen's list."""
        return self.query_one(f"#{self.LIST_ID}", ListTable)

    @property
    def items(self) -> list[Any]:
        """The items shown, in the order shown."""
        return self._list.items

    @property
    def page(self) -> ListPage | None:
        """The last page fetched."""
        return self._list.page

    def highlighted(self) -> Any | None:
        """The item under the cursor."""
        key = self.table.current_key if self.is_mounted else None
        if key is None:
            return None
        return next((item for item in self._list.items if str(self.row_key(item)) == key), None)

    def row_key(self, item: Any) -> str:
        """The row's stable key (a ref, an id)."""
        raise NotImplementedError

    def row_cells(self, item: Any) -> dict[str, CellValue]:
        """The row's cells by column key."""
        raise NotImplementedError

    def open_item(self, item: Any) -> None:
        """What Enter on a row does."""

    def fetch(self) -> ListPage:
        """The items (runs in a thread worker: database reads only, no widgets)."""
        raise NotImplementedError

    def after_load(self, page: ListPage) -> None:
        """Show anything beside the list (runs on the UI thread after the rows are in)."""

    def describe_count(self, page: ListPage, shown: int) -> str:
        """The count line; override to add totals or keys."""
        if not shown and self.EMPTY and not page.total:
            return self.EMPTY
        return count_line(shown, page.total, noun=self.NOUN, more_than=page.more_than, narrow=page.narrow)

    def say_count(self, text: str) -> None:
        """Write the count line."""
        self.query_one(f"#{self.COUNT_ID}", Static).update(plain(text))

    # -- loading ---------------------------------------------------------------------------------

    def reload(self, keep: str | None = None) -> None:
        """Fetch again; the cursor stays on ``keep`` (default: the highlighted row)."""
        self._list.generation += 1
        if keep is None and self.is_mounted:
            keep = self.table.current_key
        self._fetch(self._list.generation, keep)

    @work(thread=True, exclusive=True, exit_on_error=False, group="list-fetch")
    def _fetch(self, generation: int, keep: str | None) -> None:
        page = self.fetch()
        self.post_message(self.Loaded(page, generation, keep))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        message.stop()
        if message.generation != self._list.generation:
            return  # an older fetch finished after a newer one started
        self.show_page(message.page, keep=message.keep)

    def show_page(self, page: ListPage, *, keep: str | None = None) -> None:
        """Put a page on screen (also for screens that fetch in their own way)."""
        self._list.page = page
        items = list(page.items)
        if 0 <= self._list.sort < len(self.SORTS):
            order = self.SORTS[self._list.sort]
            items.sort(key=order.key, reverse=order.reverse)
        self._list.items = items
        self.table.set_rows([ListRow(str(self.row_key(i)), self.row_cells(i)) for i in items], keep=keep)
        self.say_count(self.describe_count(page, len(items)))
        self.after_load(page)

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        if self.RELOAD_ON_RESUME and self._list.page is not None:
            self.reload()

    def on_worker_error(self, error: BaseException | None) -> None:
        from duty_tui.core.domain.errors import DutyError

        if isinstance(error, DutyError):
            self.say_count(error.message)
            return
        self.say_count("Could not load the list (the error is in the message above); r or F9 tries again.")
        super().on_worker_error(error)

    # -- keys ------------------------------------------------------------------------------------

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table is not self.table:
            return
        event.stop()
        item = self.highlighted()
        if item is not None:
            self.open_item(item)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "sort":
            return bool(self.SORTS)
        return True

    def action_sort(self) -> None:
        """The next order (after the last, the service's own)."""
        if not self.SORTS or self._list.page is None:
            return
        self._list.sort = self._list.sort + 1 if self._list.sort + 1 < len(self.SORTS) else -1
        name = self.SORTS[self._list.sort].name if self._list.sort >= 0 else "as listed"
        self.show_page(self._list.page, keep=self.table.current_key)
        self.notify(f"Sorted: {name}", timeout=2)
