"""The kit's list (tui/kit/list_table.py, list_screen.py): columns share the width, never-cut columns are
never cut, the count line says when a list is capped, and the cursor stays on its row by key.

The sharing rules are tested as a function; the widget and the screen through a small app at
80x24 and 160x40 (no database: the kit is what is under test; the screens built on it have
their own journeys).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from pilot import settle
from textual.app import App
from textual.screen import Screen
from textual.widgets import Static

from duty_tui.core.tui.kit import Column, ListPage, ListScreen, ListTable, count_line, share_widths

COLUMNS = (
    Column("ref", "Case", priority=0, never_cut=True),
    Column("due", "Due", priority=0, never_cut=True),
    Column("person", "Person", min=10, ideal=22, priority=1),
    Column("postcode", "Postcode", priority=2, never_cut=True),
    Column("officer", "Assigned to", min=8, ideal=16, priority=3),
    Column("what", "What", min=10, ideal=30, priority=4),
)


@dataclass(frozen=True)
class Row:
    ref: str
    due: str
    person: str
    postcode: str
    officer: str
    what: str


ROWS = [Row(f"C{n:07d}", f"{n % 28 + 1:02d}/11/2026 (overdue {n} days)", f"Alexandra Featherstonehaugh-{n}",
            f"SN{n % 9 + 1} {n % 9}AB", f"Officer Number {n}", f"repair · leak through a light fitting, room {n}")
        for n in range(1, 41)]


def needs(rows=ROWS) -> dict[str, int]:
    return {c.key: max([len(c.label)] + [len(getattr(r, c.key)) for r in rows]) for c in COLUMNS}


# --- the sharing rules ----------------------------------------------------------------------------


def test_at_80_columns_the_important_columns_come_first_and_never_cut_ones_are_whole():
    widths = share_widths(COLUMNS, needs(), 79)
    assert sum(w + 2 for w in widths.values()) <= 79
    assert widths["ref"] == 8 and widths["due"] == len("28/11/2026 (overdue 27 days)")
    assert widths["person"] >= 22  # its ideal before anything less important gets room
    assert "what" not in widths  # the least important went first
    for key in ("ref", "due", "postcode"):
        if key in widths:
            assert widths[key] == needs()[key]


def test_at_160_columns_every_column_is_shown_and_grows_towards_its_widest_cell():
    widths = share_widths(COLUMNS, needs(), 159)
    assert list(widths) == [c.key for c in COLUMNS]
    assert widths["person"] == needs()["person"] and widths["officer"] == needs()["officer"]
    assert widths["what"] >= 30
    assert sum(w + 2 for w in widths.values()) <= 159


def test_shorten_then_drop_the_least_important_first():
    narrow = share_widths(COLUMNS, needs(), 60)
    assert list(narrow)[:2] == ["ref", "due"] and "person" in narrow
    assert "what" not in narrow and "officer" not in narrow
    tiny = share_widths(COLUMNS, needs(), 30)
    assert set(tiny) == {"ref", "due"} or set(tiny) == {"ref", "due", "person"}


def test_priority_zero_is_never_dropped_even_when_it_does_not_fit():
    assert set(share_widths(COLUMNS, needs(), 10)) == {"ref", "due"}


@pytest.mark.parametrize("width", [40, 60, 79, 100, 120, 159, 200])
def test_a_never_cut_column_is_whole_or_absent_at_any_width(width):
    widths = share_widths(COLUMNS, needs(), width)
    for column in COLUMNS:
        if column.never_cut and column.key in widths:
            assert widths[column.key] == needs()[column.key]


# --- the count line ----------------------------------------------------------------------------


def test_count_line_says_when_a_list_is_capped():
    assert count_line(3, noun=("case", "cases")) == "3 cases"
    assert count_line(1, 1, noun=("case", "cases")) == "1 case"
    assert count_line(0, noun=("case", "cases")) == "No cases."
    assert (count_line(50, 171, noun=("person", "people"), narrow="add a postcode or forename to narrow")
            == "showing 50 of 171 people: add a postcode or forename to narrow")
    assert count_line(50, 250, noun=("person", "people"), more_than=True) == "showing 50 of more than 250 people"


# --- the widget and the screen, through a small app ----------------------------------------------


class Child(Screen):
    """A child screen a list opens (a case, a person)."""

    BINDINGS = []

    def compose(self):
        yield Static("child")


class CasesList(ListScreen):
    """A list screen as the real ones are built: fetch, row_key, row_cells, open_item."""

    COLUMNS = COLUMNS
    LIST_ID = "cases"
    NOUN = ("case", "cases")
    RELOAD_ON_RESUME = True

    def __init__(self, rows, total=None) -> None:
        super().__init__()
        self.source = list(rows)
        self.total = total
        self.fetches = 0

    def fetch(self) -> ListPage:
        self.fetches += 1
        return ListPage(list(self.source), total=self.total, narrow="add a postcode or forename to narrow")

    def row_key(self, item):
        return item.ref

    def row_cells(self, item):
        return {c.key: getattr(item, c.key) for c in COLUMNS}

    def open_item(self, item) -> None:
        self.app.push_screen(Child())


class KitApp(App):
    def __init__(self, screen) -> None:
        super().__init__()
        self.list_screen = screen

    def on_mount(self) -> None:
        self.push_screen(self.list_screen)


def screen_lines(app) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


@pytest.mark.parametrize(("size", "dropped"), [((80, 24), {"what"}), ((160, 40), set())])
async def test_the_table_shares_its_width_and_never_cuts_a_due_date_or_postcode(size, dropped):
    screen = CasesList(ROWS)
    app = KitApp(screen)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        table = screen.table
        shown = set(table.shown_columns)
        assert not shown & dropped and {"ref", "due", "person"} <= shown
        text = "\n".join(screen_lines(app))
        for row in ROWS[:10]:
            assert row.ref in text and row.due in text  # whole, never "28/11/2026 (over…"
            if "postcode" in shown:
                assert row.postcode in text
        assert sum(w + 2 for w in table.widths.values()) <= size[0]


async def test_a_resize_lays_the_table_out_again_at_once():
    screen = CasesList(ROWS)
    app = KitApp(screen)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        narrow = set(screen.table.shown_columns)
        await pilot.resize_terminal(160, 40)
        await pilot.pause()
        wide = set(screen.table.shown_columns)
        assert narrow < wide and "what" in wide
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert set(screen.table.shown_columns) == narrow


async def test_the_count_line_says_the_list_is_capped():
    screen = CasesList(ROWS[:25], total=171)
    app = KitApp(screen)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        line = "\n".join(screen_lines(app))
        assert "showing 25 of 171 cases: add a postcode or forename to narrow" in line


async def test_the_cursor_stays_on_its_row_after_a_reload_that_moves_it():
    screen = CasesList(ROWS)
    app = KitApp(screen)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        for _ in range(5):
            await pilot.press("down")
            await pilot.pause(0.08)
        assert screen.table.current_key == ROWS[5].ref
        screen.source = [Row("C9999998", "01/11/2026", "New", "SN1 1AA", "x", "y"),
                         Row("C9999999", "01/11/2026", "Newer", "SN1 1AA", "x", "y")] + ROWS
        screen.reload()
        await settle(app, pilot)
        assert screen.table.current_key == ROWS[5].ref and screen.table.cursor_row == 7
        screen.source = [r for r in ROWS if r.ref != ROWS[5].ref]  # gone: the cursor stays where it was
        screen.reload()
        await settle(app, pilot)
        assert screen.table.cursor_row == 7 and screen.table.current_key == screen.source[7].ref


async def test_the_cursor_stays_on_its_row_after_returning_from_a_child_screen():
    screen = CasesList(ROWS)
    app = KitApp(screen)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        for _ in range(12):
            await pilot.press("down")
            await pilot.pause(0.08)
        await pilot.press("enter")  # Enter opens
        await settle(app, pilot)
        assert isinstance(app.screen, Child)
        screen.source = [Row("C0000000", "01/11/2026", "First", "SN1 1AA", "x", "y")] + ROWS  # changed meanwhile
        app.pop_screen()
        await settle(app, pilot)
        assert app.screen is screen and screen.fetches == 2  # reloaded on return
        assert screen.table.current_key == ROWS[12].ref


async def test_o_sorts_where_the_screen_allows_and_keeps_the_row():
    from duty_tui.core.tui.kit import Sort

    class Sorted(CasesList):
        SORTS = (Sort("person", key=lambda r: r.person),)

    screen = Sorted(ROWS[:12])
    app = KitApp(screen)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("down", "down")
        keep = screen.table.current_key
        await pilot.press("o")
        await pilot.pause()
        assert [screen.row_key(i) for i in screen.items] == [r.ref for r in sorted(ROWS[:12], key=lambda r: r.person)]
        assert screen.table.current_key == keep
    plain = CasesList(ROWS[:3])
    app = KitApp(plain)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert plain.check_action("sort", ()) is False  # no sort offered where the screen has none


def test_list_table_is_the_kits_dutytable():
    from duty_tui.core.tui.widgets.table import DutyTable

    assert issubclass(ListTable, DutyTable)
