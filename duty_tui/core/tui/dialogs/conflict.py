""""Someone else saved this first": both versions side by side, the user's typing never lost.

Shown when a save is refused because the record changed since it was loaded (a
``ConflictError`` from the service). Field | Theirs (now saved) | Yours (not saved), with
every difference marked in text ("≠" in its own column and a legend), not colour alone; stacked
one field under another when the terminal is narrow. All values go through ``plain()``.

The dialog dismisses with a ConflictChoice:

- ``RELOAD`` (r): take the newer record's version and keep my typing in the form — the next
  save then deliberately puts my values over theirs;
- ``BACK`` (Escape): back to my form exactly as it was (nothing lost, nothing reloaded);
- ``NOTE`` (c, only when the screen offers it): add my note text to the record as a new note,
  so the note is kept even if I drop the rest of my change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from duty_tui.core.domain.errors import ConflictError
from duty_tui.core.domain.local_time import format_local
from duty_tui.core.tui.screens.base import DutyModal
from duty_tui.core.tui.text import plain

BLANK = "—"
DIFF_MARK = "≠"
NARROW = 70
"""Below this many columns the comparison is stacked (field, then theirs, then yours)."""


class ConflictChoice(str, Enum):  # noqa: UP042  (str() of a StrEnum member differs; the value is compared, not shown)
    """What the user chose in the conflict dialog."""

    RELOAD = "reload"
    BACK = "back"
    NOTE = "note"


UNCHANGED = "(you did not change this)"


def comparison_rows(theirs: Mapping[str, str], yours: Mapping[str, str]) -> list[tuple[str, str, str, bool]]:
    """(field, theirs, yours, differs) for every field on either side, theirs' order first.

    A field only on their side is one the user's save does not touch: shown, never marked as differing.
    """
    labels = list(theirs) + [k for k in yours if k not in theirs]
    rows = []
    for label in labels:
        t = theirs.get(label) or BLANK
        if label not in yours:
            rows.append((label, t, UNCHANGED, False))
            continue
        y = yours.get(label) or BLANK
        rows.append((label, t, y, t != y))
    return rows


def who_and_when(error: ConflictError) -> str:
    """'Saved by Lee Leader at 10:42 on 07/04/2026' (as much as is known)."""
    parts = []
    if error.changed_by:
        parts.append(f"by {error.changed_by}")
    if error.changed_at:
        parts.append(f"at {format_local(error.changed_at, '%H:%M on %d/%m/%Y')}")
    saved = "Saved " + " ".join(parts) if parts else "Saved by someone else just now"
    return f"{error.record}: {saved}." if error.record else f"{saved}."


class ConflictDialog(DutyModal[ConflictChoice]):
    """Both versions of a record after a refused save, and what to do next (r / Esc / c)."""

    SCOPE_NAME = "conflict"
    DEFAULT_CSS = """
    ConflictDialog { align: center middle; }
    ConflictDialog > Vertical { width: 100%; max-width: 110; height: auto; max-height: 100%;
                                border: thick $error; background: $surface; padding: 0 1; }
    ConflictDialog #conflict-title { text-style: bold; }
    ConflictDialog #conflict-who { color: $text-muted; }
    ConflictDialog #conflict-scroll { height: auto; max-height: 16; }
    ConflictDialog #conflict-keys { color: $text-muted; }
    """
    BINDINGS = [
        Binding("r", "choose('reload')", "Reload, keep mine", id="conflict-reload",
                tooltip="Take their newer version and keep my typing in the form; saving again puts mine over theirs"),
        Binding("escape", "choose('back')", "Back to my form", id="conflict-back",
                tooltip="Back to my form exactly as I left it (nothing is lost or reloaded)"),
        Binding("c", "copy_note", "Keep note", id="conflict-copy-note",
                tooltip="Add my note text to the record as a new note (when the form has a note)"),
    ]

    def __init__(self, error: ConflictError, yours: Mapping[str, str] | None = None, *,
                 note_text: str | None = None, reload_label: str = "reload, keep my typing") -> None:
        super().__init__()
        self.error = error
        # The service's account of "yours" is what it tried to save; the screen's adds what it alone knows.
        merged = dict(yours or {})
        merged.update({k: v for k, v in error.yours.items() if v and v != BLANK or k not in merged})
        self.theirs = dict(error.theirs)
        self.yours = merged
        self.note_text = (note_text or "").strip() or None
        self.reload_label = reload_label

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain("Someone else saved this first — yours is not saved, but nothing is lost",
                               style="bold"), id="conflict-title")
            yield Static(plain(who_and_when(self.error)), id="conflict-who")
            with VerticalScroll(id="conflict-scroll"):
                yield Static("", id="conflict-table")
            yield Static(self._keys_line(), id="conflict-keys")

    def _keys_line(self) -> Text:
        line = f"{DIFF_MARK} differs · r {self.reload_label} · Esc back to my form"
        if self.note_text:
            line += " · c keep my note"
        return plain(line)

    def on_mount(self) -> None:
        self._render_rows()
        self.query_one("#conflict-scroll").focus()

    def on_resize(self) -> None:
        self._render_rows()

    def _render_rows(self) -> None:
        rows = comparison_rows(self.theirs, self.yours)
        width = self.size.width or 80
        self.query_one("#conflict-table", Static).update(self.render_comparison(rows, narrow=width < NARROW))

    @staticmethod
    def render_comparison(rows: list[tuple[str, str, str, bool]], *, narrow: bool) -> RenderableType:
        """A table (wide) or a stack of fields (narrow); differences marked by text."""
        if not rows:
            return plain("(no field values to compare: reload to see the record as saved now)")
        if narrow:
            parts: list[RenderableType] = []
            for label, theirs, yours, differs in rows:
                parts.append(plain(f"{DIFF_MARK if differs else ' '} {label}", style="bold"))
                parts.append(plain(f"    theirs (now saved): {theirs}"))
                parts.append(plain(f"    yours (not saved):  {yours}" if differs
                                   else f"    yours: {UNCHANGED if yours == UNCHANGED else '(the same)'}"))
            return Group(*parts)
        table = Table(expand=True, show_edge=False, pad_edge=False, box=None, show_lines=False)
        table.add_column(" ", width=1, no_wrap=True)
        table.add_column("Field", ratio=2, overflow="fold")
        table.add_column("Theirs (now saved)", ratio=4, overflow="fold")
        table.add_column("Yours (not saved)", ratio=4, overflow="fold")
        for label, theirs, yours, differs in rows:
            mine = yours if differs or yours == UNCHANGED else "(the same)"
            table.add_row(plain(DIFF_MARK if differs else ""), plain(label), plain(theirs),
                          plain(mine, style="bold" if differs else "dim" if mine == UNCHANGED else ""))
        return table

    # -- choices -----------------------------------------------------------------------------

    def action_choose(self, choice: str) -> None:
        """Close with the choice (reload or back)."""
        self.dismiss(ConflictChoice(choice))

    def action_copy_note(self) -> None:
        """Add my note as a new note, when the form has one."""
        if self.note_text:
            self.dismiss(ConflictChoice.NOTE)
        else:
            self.notify("There is no note in your form to keep separately.", timeout=4, markup=False)


def show_conflict(screen, error: ConflictError, yours: Mapping[str, str] | None, *,
                  on_reload: Callable[[], None], on_back: Callable[[], None] | None = None,
                  note_text: str | None = None, on_note: Callable[[str], None] | None = None) -> None:
    """Push the dialog on ``screen``'s app and run the callback for the user's choice."""

    def chosen(choice: ConflictChoice | None) -> None:
        if choice == ConflictChoice.RELOAD:
            on_reload()
        elif choice == ConflictChoice.NOTE and on_note is not None and note_text:
            on_note(note_text)
        elif on_back is not None:
            on_back()

    screen.app.push_screen(ConflictDialog(error, yours, note_text=note_text if on_note else None), chosen)
