"""DutyTable: a DataTable whose movement keys have binding ids, so keymaps can rebind them."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding
from textual.widgets import DataTable


class DutyTable(DataTable):
    """Every list in duty-tui: rows, cursor movement rebindable (vim: j/k)."""

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
