"""The kit's choice fields, drawn as text: one of several (``Choice``), ticks (``ManyChoice``), one tick (``Check``).

Every option shows in text whether it is chosen: ``(•)``/``( )`` for one of several, ``[x]``/``[ ]``
for ticks. ↑/↓ (or ←/→) choose, Space chooses the next (or ticks), typing the first letters
jumps to an option; Tab and Enter are the form's (``field_key``, kit/fields.py).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Static

from duty_tui.core.tui.kit.fields import FieldChanged, Restricted, field_key
from duty_tui.core.tui.text import plain

__all__ = ["TYPE_AHEAD_SECONDS", "Check", "Choice", "ManyChoice"]

TYPE_AHEAD_SECONDS = 1.0


class _ValueWidget(Widget):
    """A focusable field drawn as text, with a ``value`` and a Changed message."""

    class Changed(FieldChanged):
        """The value changed."""

    _typed = ""
    _typed_at = 0.0

    def _type_ahead(self, character: str, labels: Sequence[str]) -> int | None:
        """The index of the option whose label starts with what was typed lately, or None."""
        now = time.monotonic()
        typed = (self._typed + character) if now - self._typed_at < TYPE_AHEAD_SECONDS else character
        self._typed, self._typed_at = typed, now
        for attempt in (typed, character):
            attempt = attempt.lower()
            for index, label in enumerate(labels):
                if label.lower().startswith(attempt):
                    return index
            for index, label in enumerate(labels):
                if any(word.startswith(attempt) for word in re.split(r"[^a-z0-9]+", label.lower())):
                    return index
        return None


class Choice(_ValueWidget, can_focus=True):
    """One of several options, each shown with ``(•)`` or ``( )``.

    Short option sets are drawn on one line (``(•) Yes  ( ) No  ( ) Unknown``). Longer ones show
    the chosen option's whole label, and while the field has the cursor the full list opens
    below it. ↑/↓ (or ←/→) choose, Space the next, the first letters jump; Enter moves on (the
    form's rule). ``value`` is the chosen option's value, or None when nothing is chosen yet.
    """

    DEFAULT_CSS = """
    Choice { height: auto; width: 1fr; min-width: 8; }
    Choice > .choice-line { height: auto; width: 1fr; }
    Choice:focus > .choice-line { background: $accent 30%; text-style: bold; }
    Choice:disabled > .choice-line { color: $text-disabled; }
    Choice > .choice-list { display: none; overlay: screen; constrain: none inside; width: auto; min-width: 24;
                            max-width: 76; height: auto; border: tall $border; background: $surface; padding: 0 1; }
    Choice.-open > .choice-list { display: block; }
    """
    BINDINGS: ClassVar = [
        Binding("down,right", "step(1)", "Next option", id="choice-next", show=False,
                tooltip="Choose the next option"),
        Binding("up,left", "step(-1)", "Previous option", id="choice-previous", show=False,
                tooltip="Choose the previous option"),
        Binding("space", "step(1, True)", "Next option", id="choice-cycle", show=False,
                tooltip="Choose the next option (back to the first after the last)"),
        Binding("home", "jump(0)", "First option", id="choice-first", show=False, tooltip="Choose the first option"),
        Binding("end", "jump(-1)", "Last option", id="choice-last", show=False, tooltip="Choose the last option"),
    ]
    LIST_ROWS = 10

    def __init__(self, options: Iterable[tuple[str, str]], value: str | None = None, *, prompt: str = "",
                 allow_blank: bool = True, inline: bool | None = None, id: str | None = None,
                 classes: str | None = None, disabled: bool = False) -> None:
        super().__init__(id=id, classes=classes, disabled=disabled)
        self.prompt = prompt or "(choose)"
        self.allow_blank = allow_blank
        self._inline = inline
        self._options: list[tuple[str, str]] = [(str(v), str(lbl)) for v, lbl in options]
        values = [v for v, _ in self._options]
        if value in values:
            self._value: str | None = value
        elif not allow_blank and self._options:
            self._value = self._options[0][0]
        else:
            self._value = None

    def compose(self) -> ComposeResult:
        yield Static("", classes="choice-line")
        yield Static("", classes="choice-list")

    def on_mount(self) -> None:
        self._draw()

    # -- value and options ---------------------------------------------------------------------

    @property
    def options(self) -> list[tuple[str, str]]:
        """(value, label) of every option."""
        return list(self._options)

    @property
    def value(self) -> str | None:
        """The chosen option's value, or None."""
        return self._value

    @value.setter
    def value(self, value: str | None) -> None:
        value = None if value in (None, "") else str(value)
        if value is not None and value not in {v for v, _ in self._options}:
            raise ValueError(f"{value!r} is not one of the options")
        if value is None and not self.allow_blank and self._options:
            value = self._options[0][0]
        if value != self._value:
            self._value = value
            self._draw()
            self.post_message(self.Changed(self, value))

    def clear(self) -> None:
        """Nothing chosen."""
        self.value = None

    @property
    def is_blank(self) -> bool:
        """True when nothing is chosen."""
        return self._value is None

    def set_options(self, options: Iterable[tuple[str, str]]) -> None:
        """Replace the options (the choice stays if it is still offered)."""
        self._options = [(str(v), str(lbl)) for v, lbl in options]
        if self._value not in {v for v, _ in self._options}:
            self._value = None if self.allow_blank or not self._options else self._options[0][0]
        self._draw()

    def label_of(self, value: str | None) -> str:
        """The label of an option (the prompt for None)."""
        return next((lbl for v, lbl in self._options if v == value), self.prompt)

    @property
    def inline(self) -> bool:
        """True when every option is drawn on the one line."""
        if self._inline is not None:
            return self._inline
        return len(self._options) <= 4 and sum(len(lbl) + 5 for _, lbl in self._options) <= 44

    # -- drawing -------------------------------------------------------------------------------

    def _choices(self) -> list[tuple[str | None, str]]:
        blank = [(None, self.prompt)] if self.allow_blank and not self.inline else []
        return blank + [(v, lbl) for v, lbl in self._options]

    def _draw(self) -> None:
        found = self.query(".choice-line")
        if not found:
            return  # not composed yet: on_mount draws
        line = found.first(Static)
        if self.inline:
            line.update(self._inline_text())
            self.set_class(False, "-open")
            return
        mark = "( )" if self._value is None else "(•)"
        line.update(Text.assemble(f"{mark} ", plain(self.label_of(self._value)), ("  ▾" if self._options else "")))
        self._draw_list()

    def _inline_text(self) -> Text:
        """Every option on a line, wrapped only between options: a mark is never parted from its label."""
        width = self.content_region.width or self.size.width or 0
        text = Text(no_wrap=True, overflow="fold")
        used = 0
        for index, (value, label) in enumerate(self._options):
            chosen = value == self._value
            option = Text.assemble((f"({'•' if chosen else ' '}) ", "bold" if chosen else ""),
                                   plain(label, style="bold underline" if chosen else ""))
            if index:
                if width and used + 2 + option.cell_len > width:
                    text.append("\n")
                    used = 0
                else:
                    text.append("  ")
                    used += 2
            text.append_text(option)
            used += option.cell_len
        return text

    def on_resize(self, event: events.Resize) -> None:
        if self.inline:
            self._draw()

    def _draw_list(self) -> None:
        listing = self.query_one(".choice-list", Static)
        choices = self._choices()
        current = next((i for i, (v, _l) in enumerate(choices) if v == self._value), 0)
        rows = self.LIST_ROWS
        first = max(0, min(current - rows // 2, len(choices) - rows))
        shown = choices[first:first + rows]
        text = Text()
        if first:
            text.append(f"  ↑ {first} more\n", style="italic")
        for value, label in shown:
            chosen = value == self._value
            # The blank row (the prompt) is never marked (•): as on the closed line, "( )" says nothing is chosen.
            marked = chosen and value is not None
            text.append(f"{'›' if chosen else ' '} ({'•' if marked else ' '}) ", style="bold" if chosen else "")
            text.append(plain(label, style="bold reverse" if chosen else ""))
            text.append("\n")
        below = len(choices) - first - len(shown)
        if below:
            text.append(f"  ↓ {below} more", style="italic")
        text.rstrip()  # in place
        listing.update(text)

    def on_focus(self) -> None:
        if not self.inline and self._options:
            self._draw_list()
            self.set_class(True, "-open")

    def on_blur(self) -> None:
        self.set_class(False, "-open")

    # -- keys ----------------------------------------------------------------------------------

    def action_step(self, delta: int, wrap: bool = False) -> None:
        """Choose the next or previous option."""
        choices = self._choices() if not self.inline else [(v, lbl) for v, lbl in self._options]
        if not choices:
            return
        values = [v for v, _ in choices]
        index = values.index(self._value) if self._value in values else (-1 if delta > 0 else len(values))
        target = index + delta
        if wrap:
            target %= len(values)
        self.value = values[max(0, min(len(values) - 1, target))]

    def action_jump(self, index: int) -> None:
        """Choose the first or last option."""
        if self._options:
            self.value = self._options[index][0]

    def on_key(self, event: events.Key) -> None:
        if field_key(self, event):
            return
        character = event.character or ""
        if not event.is_printable or not character or character == " ":
            return
        found = self._type_ahead(character, [lbl for _, lbl in self._options])
        event.stop()
        event.prevent_default()
        if found is not None:
            self.value = self._options[found][0]
        else:
            self.post_message(Restricted(self, f"no option starts with {self._typed!r}; ↑↓ to choose"))


class ManyChoice(_ValueWidget, can_focus=True):
    """Ticks: any number of options, each shown ``[x]`` or ``[ ]``; ↑/↓ move, Space ticks, letters jump."""

    DEFAULT_CSS = """
    ManyChoice { height: auto; width: 1fr; }
    ManyChoice:focus { background: $accent 15%; }
    """
    BINDINGS: ClassVar = [
        Binding("down", "move(1)", "Next option", id="many-next", show=False, tooltip="Move to the next option"),
        Binding("up", "move(-1)", "Previous option", id="many-previous", show=False,
                tooltip="Move to the previous option"),
        Binding("space,x", "toggle", "Tick", id="many-toggle", show=False, tooltip="Tick or untick the option"),
    ]

    def __init__(self, options: Iterable[tuple[str, str]], value: Iterable[str] = (), *, id: str | None = None,
                 classes: str | None = None, disabled: bool = False) -> None:
        super().__init__(id=id, classes=classes, disabled=disabled)
        self._options: list[tuple[str, str]] = [(str(v), str(lbl)) for v, lbl in options]
        wanted = set(value or ())
        self._chosen = [v for v, _ in self._options if v in wanted]
        self.cursor = 0

    @property
    def options(self) -> list[tuple[str, str]]:
        """(value, label) of every option."""
        return list(self._options)

    @property
    def value(self) -> list[str]:
        """The ticked options' values, in the options' order."""
        return list(self._chosen)

    @value.setter
    def value(self, values: Iterable[str] | None) -> None:
        wanted = set(values or ())
        chosen = [v for v, _ in self._options if v in wanted]
        if chosen != self._chosen:
            self._chosen = chosen
            self.refresh(layout=True)
            self.post_message(self.Changed(self, self.value))

    @property
    def selected(self) -> list[str]:
        """The ticked values (SelectionList's name)."""
        return self.value

    def deselect_all(self) -> None:
        """Untick everything."""
        self.value = []

    def render(self) -> Text:
        text = Text()
        focused = self.has_focus
        for index, (value, label) in enumerate(self._options):
            here = focused and index == self.cursor
            text.append(f"{'›' if here else ' '}[{'x' if value in self._chosen else ' '}] ", style="bold" if here else "")
            text.append(plain(label, style="reverse" if here else ""))
            if index < len(self._options) - 1:
                text.append("\n")
        return text

    def get_content_height(self, container, viewport, width: int) -> int:
        return max(1, len(self._options))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def action_move(self, delta: int) -> None:
        """Move the cursor."""
        if self._options:
            self.cursor = max(0, min(len(self._options) - 1, self.cursor + delta))
            self.refresh()

    def action_toggle(self) -> None:
        """Tick or untick the option under the cursor."""
        if not self._options:
            return
        value = self._options[self.cursor][0]
        self.value = [v for v in self._chosen if v != value] if value in self._chosen else self._chosen + [value]

    def on_key(self, event: events.Key) -> None:
        if field_key(self, event):
            return
        character = event.character or ""
        if not event.is_printable or not character or character in " x":
            return
        found = self._type_ahead(character, [lbl for _, lbl in self._options])
        event.stop()
        event.prevent_default()
        if found is not None:
            self.cursor = found
            self.refresh()


class Check(_ValueWidget, can_focus=True):
    """One tick box, ``[x] label`` or ``[ ] label``; Space ticks or unticks."""

    DEFAULT_CSS = """
    Check { height: auto; width: 1fr; }
    Check:focus { background: $accent 30%; text-style: bold; }
    Check:disabled { color: $text-disabled; }
    """
    BINDINGS: ClassVar = [
        Binding("space,x", "toggle", "Tick", id="check-toggle", show=False, tooltip="Tick or untick"),
    ]

    def __init__(self, label: str, value: bool = False, *, id: str | None = None, classes: str | None = None,
                 disabled: bool = False) -> None:
        super().__init__(id=id, classes=classes, disabled=disabled)
        self.label = label
        self._value = bool(value)

    @property
    def value(self) -> bool:
        """True when ticked."""
        return self._value

    @value.setter
    def value(self, value: bool) -> None:
        value = bool(value)
        if value != self._value:
            self._value = value
            self.refresh()
            self.post_message(self.Changed(self, value))

    def render(self) -> Text:
        return Text.assemble(f"[{'x' if self._value else ' '}] ", plain(self.label))

    def action_toggle(self) -> None:
        """Tick or untick."""
        self.value = not self._value

    def on_key(self, event: events.Key) -> None:
        field_key(self, event)
