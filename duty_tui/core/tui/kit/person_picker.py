"""PersonPicker: the one way to find a person — the same matching, debounce and keys everywhere.

Used by the search screen (F2), the applicant picker (approach), the caller box (contact)
and the payer box (payment). The keys, everywhere:

- type to search (services.search.search_people, DEBOUNCE_SECONDS after the last key);
- ↓ or Enter moves into the results (Enter with exactly one result chooses it; Enter typed
  before the results come acts when they do);
- Enter on a result chooses it; ↑ on the first result goes back to the box;
- ``n`` in the results, or Enter on the "+ New person" row, asks for a new person
  (only where the host allows it: ``allow_new``);
- Escape is the host's (back, or cancel the dialog).

The picker posts typed messages: ``PersonPicker.Chosen`` (a ref and the hit),
``PersonPicker.NewRequested`` (what was typed) and ``PersonPicker.NoneFound`` (Enter on a
search that found no one). The search runs in a thread worker that
posts ``PersonPicker.Found``; an older search that finishes after a newer one is ignored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from duty_tui.core.tui.kit.list_table import Column, ListRow, ListTable
from duty_tui.core.tui.text import plain

if TYPE_CHECKING:
    from duty_tui.core.services.search import PeopleFound, PersonHit

DEBOUNCE_SECONDS = 0.12
NEW_KEY = "+new"
MIN_LETTERS = 2

PEOPLE_COLUMNS = (
    Column("ref", "Ref", priority=0, never_cut=True),
    Column("name", "Name", min=12, ideal=22, priority=0),
    Column("born", "Born", priority=2, never_cut=True),
    Column("alerts", "!", priority=1, never_cut=True),
    Column("tenancy", "Tenancy", priority=4, never_cut=True),
    Column("address", "Address", min=10, ideal=28, priority=3),
    Column("postcode", "Postcode", priority=1, never_cut=True),
)
"""The results' columns: refs, birth years and postcodes are never cut (they tell two J Smiths apart)."""


def names_from_query(query: str) -> tuple[str, str]:
    """(forename, surname) for a new person from what was typed in the picker.

    One word is a surname ("Nowak" → ("", "Nowak")): people are searched for, and told, by
    surname. Two or more words are a forename then a surname ("anna maria nowak" → ("Anna",
    "Maria Nowak")). Anything with a digit (a postcode, a phone number, a ref) is not a name.
    """
    words = query.split()
    if not words or any(c.isdigit() for c in "".join(words)):
        return "", ""
    if len(words) == 1:
        return "", words[0].title()
    return words[0].title(), " ".join(words[1:]).title()


def street_part(hit: PersonHit) -> str:
    """The address without its postcode (the postcode has its own, never-cut column)."""
    address = hit.address or ""
    if hit.postcode and address.endswith(hit.postcode):
        address = address[: -len(hit.postcode)].rstrip(" ,")
    return address or "no current address"


def person_cells(hit: PersonHit) -> dict[str, str | Text]:
    """A search hit as list cells."""
    return {"ref": hit.ref, "name": hit.name, "born": str(hit.born or ""), "alerts": "⚠" if hit.alerts else "",
            "tenancy": hit.tenancy_ref or "—", "address": street_part(hit), "postcode": hit.postcode or ""}


class PickerResults(ListTable):
    """The picker's results: ↑ on the first row goes back to the search box."""

    def action_cursor_up(self) -> None:
        if self.cursor_row <= 0:
            picker = next((a for a in self.ancestors if isinstance(a, PersonPicker)), None)
            if picker is not None:
                picker.focus_query()
                return
        super().action_cursor_up()


class PersonPicker(Vertical):
    """A search box, a status line and the results; posts Chosen or NewRequested."""

    DEFAULT_CSS = """
    PersonPicker { height: auto; }
    PersonPicker .picker-status { height: auto; color: $text-muted; }
    PersonPicker PickerResults { height: auto; max-height: 12; }
    PersonPicker.fill { height: 1fr; }
    PersonPicker.fill PickerResults { height: 1fr; max-height: 100%; }
    """
    BINDINGS: ClassVar = [
        Binding("down", "to_results", "Results", show=False, id="picker-results",
                tooltip="Move from the search box into the results"),
        Binding("n", "new_person", "New person", id="picker-new",
                tooltip="Add someone who is not on the system yet (from the results)"),
    ]

    class PickerMessage(Message):
        """A message from the picker: which picker, and what was typed."""

        def __init__(self, picker: PersonPicker, query: str) -> None:
            super().__init__()
            self.picker = picker
            self.query = query

        @property
        def control(self) -> PersonPicker:
            """The picker it came from."""
            return self.picker

    class Chosen(PickerMessage):
        """A person was chosen."""

        def __init__(self, picker: PersonPicker, ref: str, hit: PersonHit | None, query: str) -> None:
            super().__init__(picker, query)
            self.ref = ref
            self.hit = hit

    class NewRequested(PickerMessage):
        """The person is not on the system: the host shows its new-person fields, starting with
        ``names`` (forename, surname) from what was typed (``names_from_query``)."""

        @property
        def names(self) -> tuple[str, str]:
            """(forename, surname) to start the new person's fields with."""
            return names_from_query(self.query)

    class NoneFound(PickerMessage):
        """Enter on a search that found no one (a host may look the text up another way: an account ref)."""

    class Found(Message):
        """A search finished (posted by the worker)."""

        def __init__(self, query: str, found: PeopleFound) -> None:
            super().__init__()
            self.query = query
            self.found = found

    def __init__(self, *, query_id: str = "pick-query", results_id: str = "pick-results",
                 status_id: str = "pick-status", limit: int = 30, allow_new: bool = False,
                 new_label: str = "+ New person", placeholder: str = "",
                 value: str = "", compact: bool = True, show_header: bool = True, show_status: bool = True,
                 hint: str = "", hide_empty: bool = False, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.query_id, self.results_id, self.status_id = query_id, results_id, status_id
        self.limit = limit
        self.allow_new = allow_new
        self.new_label = new_label
        self.placeholder = placeholder or "name, address, postcode, phone or ref (P/T/RNT/C…)"
        self.initial = value
        self.compact = compact
        self.show_header = show_header
        self.show_status = show_status
        self.hide_empty = hide_empty
        """Hide the results while there are none (a picker inside a form, where rows are scarce)."""
        self.hint = hint or "Type at least two letters. Misspellings are fine: 'smyth' finds Smith."
        self.hits: list[PersonHit] = []
        self.found: PeopleFound | None = None
        self.last_query = ""
        """The query the results on screen are for."""
        self._asked = ""
        self._timer = None
        self._enter_waiting = False

    def compose(self) -> ComposeResult:
        yield Input(value=self.initial, placeholder=self.placeholder, id=self.query_id, max_length=100,
                    compact=self.compact)
        status = Static(plain(self.hint), id=self.status_id, classes="picker-status")
        status.display = self.show_status
        yield status
        results = PickerResults(PEOPLE_COLUMNS, id=self.results_id, show_header=self.show_header)
        results.display = not self.hide_empty
        yield results

    def on_mount(self) -> None:
        if self.initial:
            self.search_now()

    # -- parts -----------------------------------------------------------------------------------

    @property
    def input(self) -> Input:
        """The search box."""
        return self.query_one(f"#{self.query_id}", Input)

    @property
    def results(self) -> PickerResults:
        """The results list."""
        return self.query_one(f"#{self.results_id}", PickerResults)

    @property
    def text(self) -> str:
        """What is typed, trimmed."""
        return self.input.value.strip()

    def holds_keys_after(self, focused, event) -> bool:
        """kit/typeahead.py: Enter in the search box starts work (search, then choose): the keys typed
        behind it wait until it has answered (``P0000004⏎3`` opens the person, then their accounts)."""
        return event.key == "enter" and focused is self.input  # (the box may not hold the typed text yet)

    def _answered(self) -> None:
        from duty_tui.core.tui.kit.typeahead import KeysAnswered

        self.post_message(KeysAnswered())  # reaches the screen after Chosen has (the person is open by then)

    def focus_query(self) -> None:
        """Put the cursor in the search box."""
        self.input.focus()

    def say(self, text: str) -> None:
        """Write the status line."""
        status = self.query_one(f"#{self.status_id}", Static)
        status.update(plain(text))
        status.display = self.show_status

    def set_query(self, text: str, *, search: bool = True) -> None:
        """Put text in the box (and search for it now)."""
        if self._timer is not None:
            self._timer.stop()
        with self.input.prevent(Input.Changed):
            self.input.value = text
        if search:
            self.search_now()

    def clear_results(self) -> None:
        """Empty the results (the box keeps its text)."""
        self.hits = []
        self.found = None
        self.last_query = ""
        self.results.set_rows([])
        if self.hide_empty:
            self.results.display = False
            self.query_one(f"#{self.status_id}", Static).display = False  # no stale count under a choice

    # -- searching -------------------------------------------------------------------------------

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        if event.input.id != self.query_id:
            return
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE_SECONDS, self.search_now)

    def search_now(self) -> None:
        """Search for what is typed, without waiting for the debounce."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        query = self.text
        self._asked = query
        if len(query) < MIN_LETTERS:
            self.clear_results()
            self.say(self.hint)
            return
        self._search(query)

    @work(thread=True, exclusive=True, exit_on_error=False, group="person-picker")
    def _search(self, query: str) -> None:
        from duty_tui.core.services.search import search_people

        found = search_people(self.app.ctx, query, limit=self.limit)  # type: ignore[attr-defined]  # the app is a DutyApp
        self.post_message(self.Found(query, found))

    @on(Found)
    def _found(self, message: Found) -> None:
        message.stop()
        if message.query != self._asked:
            return  # an older search finished after a newer one started
        found = message.found
        self.found = found
        self.hits = list(found.hits)
        self.last_query = message.query
        rows = [ListRow(hit.ref, person_cells(hit)) for hit in self.hits]
        if self.allow_new:
            rows.append(ListRow(NEW_KEY, {"name": self.new_label}))
        self.results.set_rows(rows, keep=self.hits[0].ref if self.hits else None)
        if self.hide_empty:
            self.results.display = bool(rows)
        self.say(self.describe(found, message.query))
        if self._enter_waiting:
            self._enter_waiting = False
            self._enter()

    def describe(self, found: PeopleFound, query: str) -> str:
        """The status line: how many, how found, and the keys."""
        from duty_tui.core.tui.kit.list_screen import count_line

        new = " · n new" if self.allow_new else ""
        if not found.hits:
            return (f"No one found for {query!r}: try a postcode, a phone number or part of the surname"
                    + (f", or add them: ↓ then Enter on {self.new_label}." if self.allow_new else "."))
        how = found.hits[0].matched_on
        if found.capped:
            count = count_line(len(found.hits), found.total, noun=("person", "people"), more_than=found.more_than,
                               narrow=found.narrow_hint())
            return f"{count} · ↓ Enter to choose{new}"
        return (f"{len(found.hits)} found by {how}{' (best first)' if how == 'name' else ''} · "
                f"↓ Enter to choose · ⚠ alert{new}")

    # -- keys ------------------------------------------------------------------------------------

    def action_to_results(self) -> None:
        """Into the results (when there are any)."""
        if self.results.row_count:
            self.results.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "new_person":
            return self.allow_new
        return True

    def action_new_person(self) -> None:
        """Ask the host for a new person (n in the results)."""
        if self.allow_new:
            self.post_message(self.NewRequested(self, self.text))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id != self.query_id:
            return
        event.stop()
        if self.text != self.last_query:
            self._enter_waiting = True  # Enter before the results came: act when they do
            if self.text != self._asked or self._timer is not None:
                self.search_now()
            if len(self.text) < MIN_LETTERS:
                self._enter_waiting = False
                self._answered()
            return
        self._enter()

    def _enter(self) -> None:
        self._enter_acted()
        self._answered()

    def _enter_acted(self) -> None:
        if len(self.hits) == 1:
            self.choose(self.hits[0].ref)
        elif self.hits:
            self.results.focus()
        else:
            if self.results.row_count:
                self.results.focus()  # only "+ New person" is there
            self.post_message(self.NoneFound(self, self.text))

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table is not self.results:
            return
        event.stop()
        key = str(event.row_key.value)
        if key == NEW_KEY:
            self.post_message(self.NewRequested(self, self.text))
        else:
            self.choose(key)

    def choose(self, ref: str) -> None:
        """Choose a person (Enter on a result)."""
        hit = next((h for h in self.hits if h.ref == ref), None)
        self.post_message(self.Chosen(self, ref, hit, self.text))
