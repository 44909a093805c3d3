"""ListTable: every list in duty-tui — declared columns that share the width, rows kept by key.

Columns are declared once with a priority, a minimum and an ideal width, and a
"never cut" flag for what must be read whole (postcodes, due dates, refs, money).
``share_widths`` gives the width out: at 80 columns the important columns get
their ideal width first, less important ones are shortened (with "…") and then
dropped; on a wider terminal every column grows towards its widest cell. A
never-cut column is shown whole or not at all. The table re-lays itself out when
its width changes (a terminal resize) and keeps the cursor on the same row, by
key, whenever its rows are replaced (a reload, a change made elsewhere).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.widgets import DataTable

from duty_tui.core.tui.text import plain

CellValue = str | Text
"""A cell: a str is shown inert (never read as markup); a Text keeps its styles."""


@dataclass(frozen=True)
class Column:
    """One column of a list: how wide it would like to be and what may be done to it when space is short."""

    key: str
    label: str
    min: int = 6
    """The narrowest a shortened cell may be (ignored when ``never_cut``)."""
    ideal: int = 0
    """The width it should have before less important columns get any (0: its widest cell)."""
    priority: int = 1
    """0: always shown; higher numbers are shortened first and dropped first."""
    never_cut: bool = False
    """Shown whole or not at all: postcodes, due dates, refs, money."""
    justify: str = "left"


@dataclass(frozen=True)
class ListRow:
    """One row: a stable key (a ref, an id) and its cells by column key."""

    key: str
    cells: Mapping[str, CellValue]


def cell_text(value: CellValue | None) -> Text:
    """A cell as Text: strings go through plain() (inert); Text is kept as given."""
    if value is None:
        return Text("")
    if isinstance(value, Text):
        return value
    return plain(value)


def share_widths(columns: Sequence[Column], needs: Mapping[str, int], available: int,
                 padding: int = 1) -> dict[str, int]:
    """The width of each shown column (dropped columns are absent), in declared order.

    ``needs`` is each column's widest cell (label included); ``padding`` the cells
    added either side of every column. The rules, in order:

    1. Columns are dropped, least important first (highest priority number; the
       rightmost of equals), until every shown column fits at its floor (a never-cut
       column's floor is its whole width; another's is ``min``). Priority 0 is never dropped.
    2. Width goes to the shown columns most important first: each up to its ideal,
       then, if there is still room, each up to its widest cell.
    3. While a column is below its ideal and a less important column is shown, the
       least important one is dropped and the width shared again (shorten, then drop).
    """
    order = {c.key: i for i, c in enumerate(columns)}

    def need(c: Column) -> int:
        return max(1, needs.get(c.key, len(c.label)))

    def floor(c: Column) -> int:
        return need(c) if c.never_cut else min(max(1, c.min), need(c))

    def ideal(c: Column) -> int:
        return need(c) if (c.never_cut or not c.ideal) else max(floor(c), min(c.ideal, need(c)))

    def least_important(candidates: Iterable[Column]) -> Column | None:
        droppable = [c for c in candidates if c.priority > 0]
        return max(droppable, key=lambda c: (c.priority, order[c.key])) if droppable else None

    shown = list(columns)
    while sum(floor(c) + 2 * padding for c in shown) > available:
        victim = least_important(shown)
        if victim is None:
            break
        shown.remove(victim)

    while True:
        widths = {c.key: floor(c) for c in shown}
        budget = available - sum(widths[c.key] + 2 * padding for c in shown)
        by_importance = sorted(shown, key=lambda c: (c.priority, order[c.key]))
        for target in (ideal, need):
            for c in by_importance:
                give = max(0, min(budget, target(c) - widths[c.key]))
                widths[c.key] += give
                budget -= give
        short = [c for c in shown if widths[c.key] < ideal(c)]
        if not short:
            break
        most_important_short = min(c.priority for c in short)
        victim = least_important(c for c in shown if c.priority > most_important_short)
        if victim is None:
            break
        shown.remove(victim)
    return {c.key: widths[c.key] for c in columns if c in shown}


def fit(value: Text, width: int, justify: str = "left") -> Text:
    """The cell shortened to ``width`` with an ellipsis when it is longer (one line)."""
    text = value.copy()
    text.no_wrap = True
    if "\n" in text.plain:
        text = text.split("\n")[0] + Text("…")
    if text.cell_len > width:
        text.truncate(width, overflow="ellipsis")
    if justify == "right":
        text.justify = "right"
    return text


class DutyTable(DataTable):
    """Rows with movement keys that have binding ids, so keymaps can rebind them (vim: j/k); ListTable's base."""

    SCOPE_NAME: ClassVar[str] = "lists"
    BINDINGS = [
        Binding("down", "cursor_down", "Next row", show=False, id="row-down", tooltip="Move to the next row"),
        Binding("up", "cursor_up", "Previous row", show=False, id="row-up", tooltip="Move to the previous row"),
        Binding("pagedown", "page_down", "Page down", show=False, id="row-page-down", tooltip="Down a page"),
        Binding("pageup", "page_up", "Page up", show=False, id="row-page-up", tooltip="Up a page"),
        Binding("home", "scroll_top", "First row", show=False, id="row-first", tooltip="Go to the first row"),
        Binding("end", "scroll_bottom", "Last row", show=False, id="row-last", tooltip="Go to the last row"),
        Binding("enter", "select_cursor", "Open", id="row-open", tooltip="Open the highlighted row"),
    ]

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("cursor_type", "row")
        super().__init__(*args, **kwargs)


class ListTable(DutyTable):
    """A DataTable with declared columns: shares the width, re-lays out on resize, keeps the cursor by key.

    ``set_rows`` replaces the rows (the cursor stays on the same key, or on the same
    place when that row has gone); ``current_key`` is the highlighted row's key.
    Enter opens the row (``DataTable.RowSelected``); the movement keys have binding
    ids so keymaps can rebind them (vim: j/k).
    """

    DEFAULT_CSS = """
    ListTable { scrollbar-size-vertical: 1; overflow-x: hidden; }
    """

    def __init__(self, columns: Sequence[Column] = (), *, id: str | None = None, classes: str | None = None,
                 zebra_stripes: bool = True, show_header: bool = True, empty: str = "") -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=zebra_stripes,
                         show_header=show_header)
        self.declared: list[Column] = list(columns)
        self.widths: dict[str, int] = {}
        self._rows: list[ListRow] = []
        self._laid_out_width = -1
        self.empty = empty

    # -- what is shown -------------------------------------------------------------------------

    @property
    def keys(self) -> list[str]:
        """The row keys, in order."""
        return [row.key for row in self._rows]

    @property
    def current_key(self) -> str | None:
        """The highlighted row's key (None when the list is empty)."""
        if not self._rows or self.row_count == 0:
            return None
        index = self.cursor_row
        return self._rows[index].key if 0 <= index < len(self._rows) else None

    @property
    def shown_columns(self) -> list[str]:
        """The keys of the columns on screen now (the rest were dropped for width)."""
        return list(self.widths)

    def set_columns(self, columns: Sequence[Column]) -> None:
        """Declare the columns again (a screen whose columns depend on what it shows)."""
        self.declared = list(columns)
        self._rebuild(self.current_key)

    def set_rows(self, rows: Iterable[ListRow], *, keep: str | None = None) -> None:
        """Replace the rows; the cursor stays on ``keep`` (default: the row highlighted now)."""
        keep = keep if keep is not None else self.current_key
        index = self.cursor_row if self.row_count else 0
        self._rows = list(rows)
        self._rebuild(keep, index)

    def row_values(self, key: str) -> dict[str, str]:
        """Every declared cell of a row as plain text, shown or dropped for width (tests, the palette)."""
        row = next((r for r in self._rows if r.key == key), None)
        if row is None:
            raise KeyError(key)
        return {c.key: cell_text(row.cells.get(c.key)).plain for c in self.declared}

    def shown_text(self, key: str) -> list[str]:
        """A row's cells as they are on screen (shortened ones end in "…")."""
        return [cell.plain if isinstance(cell, Text) else str(cell) for cell in self.get_row(key)]

    def move_to_key(self, key: str) -> bool:
        """Highlight the row with this key; False when there is none."""
        keys = self.keys
        if key not in keys:
            return False
        self.move_cursor(row=keys.index(key))
        return True

    def update_value(self, key: str, column: str, value: CellValue) -> None:
        """Change one cell (a waiting time ticking); re-lays out when a never-cut value outgrows its column."""
        for position, row in enumerate(self._rows):
            if row.key == key:
                cells = dict(row.cells)
                cells[column] = value
                self._rows[position] = ListRow(key, cells)
                break
        else:
            return
        if column not in self.widths:
            return
        declared = next(c for c in self.declared if c.key == column)
        text = cell_text(value)
        if declared.never_cut and text.cell_len > self.widths[column]:
            self._rebuild(self.current_key)
            return
        self.update_cell(key, column, fit(text, self.widths[column], declared.justify))

    # -- layout ------------------------------------------------------------------------------------

    def available_width(self) -> int:
        """The width the columns may share: the table's, less the scrollbar when rows overflow."""
        width = self.content_region.width or self.size.width
        if not width:
            width = self.app.size.width - 2  # not laid out yet: a screen-wide table is the usual case
        height = self.content_region.height or self.size.height
        header = 1 if self.show_header else 0
        if height == 0 or len(self._rows) > max(0, height - header):
            width -= self.styles.scrollbar_size_vertical
        return max(1, width)

    def _needs(self) -> dict[str, int]:
        needs: dict[str, int] = {}
        for column in self.declared:
            widest = Text(column.label).cell_len if self.show_header else 1
            for row in self._rows:
                value = row.cells.get(column.key)
                if value is not None:
                    widest = max(widest, cell_text(value).cell_len)
            needs[column.key] = widest
        return needs

    def _rebuild(self, keep: str | None, index: int = 0) -> None:
        available = self.available_width()
        self._laid_out_width = available
        self.widths = share_widths(self.declared, self._needs(), available, self.cell_padding)
        self.clear(columns=True)
        shown = [c for c in self.declared if c.key in self.widths]
        for column in shown:
            label = fit(Text(column.label), self.widths[column.key])
            self.add_column(label, width=self.widths[column.key], key=column.key)
        for row in self._rows:
            self.add_row(*(fit(cell_text(row.cells.get(c.key)), self.widths[c.key], c.justify) for c in shown),
                         key=row.key)
        if not self._rows:
            return
        keys = self.keys
        target = keys.index(keep) if keep in keys else min(index, len(keys) - 1)
        if target:
            self.move_cursor(row=target)

    def relayout(self) -> None:
        """Share the width again (after a resize), keeping the highlighted row."""
        self._rebuild(self.current_key, self.cursor_row if self.row_count else 0)

    def on_resize(self, event: events.Resize) -> None:
        if self.available_width() != self._laid_out_width:
            self.relayout()


def rows_from(items: Iterable[object], key, cells) -> list[ListRow]:
    """ListRows from items, a key function and a cells function (the usual way a screen fills its list)."""
    return [ListRow(str(key(item)), cells(item)) for item in items]
