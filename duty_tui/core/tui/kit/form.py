"""The one form: fields, labels, hints, messages beside the field, the one Enter rule, F9, Escape.

A form is a list of ``FormField`` specs. ``Form`` (a widget) lays them out — a label and the
input on one row, or several fields to a row, with a message line under each — and
``FormDialog`` puts a Form in a modal dialog that dismisses with a typed value. Full screens
(contact, approach, payment, cash-up) put a ``Form`` in their layout and mix in ``FormScreen``.

THE ONE FORM RULE (docs/KEYS.md): Tab and Shift+Tab move through every input in the order
they are shown. Enter moves to the next field; Enter in the last field saves, exactly as F9
does (with any question F9 asks first). In a notes box (several lines) Enter starts a new
line and Tab leaves the box. F9 saves from anywhere in the form. Escape closes the form at
once when nothing was typed, and asks first when something was. Choices: ↑/↓ (or ←/→)
choose, Space chooses the next (or ticks, in a list of ticks), typing the first letters jumps
to an option; every option shows in text whether it is chosen: ``(•)``/``( )`` for one of
several, ``[x]``/``[ ]`` for ticks.

Messages: a field is checked when the cursor leaves it (what was typed: a date that is not a
date) and again on every change while it shows a message, so a message goes as soon as the
field is fixed; "this is needed" waits for F9. Checks are the ``textual.validation``
validators on the input plus the domain's (``duty_tui.domain``): the same rules the services
apply, said beside the field.

Seams:
- ``FormField(kind="widget", widget=...)`` wraps any widget that has a ``value`` (and can take
  focus): the person picker is one. Set ``enter="own"`` when the widget gives Enter its own
  meaning (choose the highlighted match) and the form must leave it alone.
- ``Form.values()`` is what was typed (for drafts and "was anything typed?");
  ``Form.parsed()`` is the values as the services take them (dates, pence, None for blanks).
  ``read_values``/``write_values`` are how drafts read and refill any screen.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, ClassVar, Generic, TypeVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Input, Label, Static, TextArea

from duty_tui.core.tui.kit.typeahead import HandOffInput
from duty_tui.core.tui.screens.base import DutyModal
from duty_tui.core.tui.text import plain

__all__ = [
    "FORM_RULE", "Check", "Choice", "DateValidator", "Form", "FormDialog", "FormField", "FormScreen", "LinesInput",
    "ManyChoice", "MoneyInput", "MoneyValidator", "NoCardDataValidator", "TextInput", "read_values", "refill", "text_dialog",
    "write_values",
]

FORM_RULE = (
    "**The one form rule.** Tab and Shift+Tab move through every input in the order shown. Enter moves to the "
    "next field; Enter in the last field saves, exactly as F9 does (with any question F9 asks first). In a notes "
    "box Enter starts a new line and Tab leaves it. F9 saves from anywhere in a form. Escape closes a form at "
    "once when nothing was typed, and asks first when something was. In a choice ↑/↓ choose, Space moves to the "
    "next option (or ticks one, in a list of ticks) and typing the first letters jumps to an option; `(•)`/`( )` "
    "and `[x]`/`[ ]` say in text what is chosen. A message beside a field says what to fix and goes as soon as "
    "it is fixed."
)
"""The rule as docs/KEYS.md states it (tui/keymaps.py puts it there)."""

KINDS = {"text", "lines", "date", "money", "choice", "many", "check", "password", "widget"}
ALIASES = {"input": "text", "select": "choice", "checkbox": "check"}
TYPE_AHEAD_SECONDS = 1.0


# ----------------------------------------------------------------------------- validators


class DateValidator(Validator):
    """A date as DD/MM/YYYY or YYYY-MM-DD (domain.validators.parse_date); blank allowed when ``optional``."""

    def __init__(self, optional: bool = True) -> None:
        super().__init__()
        self.optional = optional

    def validate(self, value: str) -> ValidationResult:
        from duty_tui.core.domain.validators import parse_date

        if self.optional and not value.strip():
            return self.success()
        try:
            parse_date(value)
        except ValueError as exc:
            return self.failure(str(exc))
        return self.success()


class MoneyValidator(Validator):
    """Pounds, positive, at most two decimals, at most a limit (domain.money.parse_pounds)."""

    def __init__(self, limit_pence: int | None = None, optional: bool = True) -> None:
        super().__init__()
        self.limit_pence = limit_pence
        self.optional = optional

    def validate(self, value: str) -> ValidationResult:
        from duty_tui.core.domain.money import parse_pounds

        if self.optional and not value.strip():
            return self.success()
        try:
            parse_pounds(value, limit_pence=self.limit_pence)
        except ValueError as exc:
            return self.failure(str(exc))
        return self.success()


class NoCardDataValidator(Validator):
    """Refuses a full card number or a security code in a free-text field (PCI DSS: never stored)."""

    def __init__(self, label: str) -> None:
        super().__init__()
        self.label = label

    def validate(self, value: str) -> ValidationResult:
        from duty_tui.core.domain.card_data import check_no_card_data

        try:
            check_no_card_data(self.label, value)
        except ValueError as exc:
            return self.failure(str(exc))
        return self.success()


# ----------------------------------------------------------------------------- the spec


@dataclass(frozen=True)
class FormField:
    """One field of a form.

    ``kind``: text, lines (several lines), date, money, choice (one of ``options``), many (ticks
    from ``options``), check (one tick box), password, or widget (``widget``, any widget with a
    ``value``). ``options`` are (value, label). ``check`` is a domain rule: it gets the text and
    returns what to fix, or None. ``row``: fields sharing a row name sit on one line;
    ``section``: a heading shown before the first field of a new section.
    """

    id: str
    label: str
    kind: str = "text"
    options: tuple[tuple[str, str], ...] = ()
    value: Any = None
    placeholder: str = ""
    hint: str = ""
    required: bool = False
    max_length: int = 0
    restrict: str | None = None
    check: Callable[[str], str | None] | None = None
    validators: tuple[Validator, ...] = ()
    limit_pence: int | None = None
    row: str = ""
    section: str = ""
    width: int | str | None = None
    inline: bool | None = None
    prompt: str = ""
    widget: Widget | None = field(default=None, compare=False)
    enter: str = "next"  # "next": Enter moves on (the one rule); "own": the widget's Enter is its own
    disabled: bool = False

    def __post_init__(self) -> None:
        kind = ALIASES.get(self.kind, self.kind)
        if kind not in KINDS:
            raise ValueError(f"FormField {self.id!r}: unknown kind {self.kind!r}")
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "options", tuple((str(v), str(lbl)) for v, lbl in self.options))


# ----------------------------------------------------------------------------- inputs


class FieldChanged(Message):
    """A kit field's value changed (the base of Choice.Changed, ManyChoice.Changed, Check.Changed)."""

    def __init__(self, widget: Widget, value: Any) -> None:
        super().__init__()
        self.widget = widget
        self.value = value

    @property
    def control(self) -> Widget:
        """The field that changed."""
        return self.widget


class Restricted(Message):
    """A key or a paste an input refused (too long, not allowed there): the form says why beside it."""

    def __init__(self, widget: Widget, text: str) -> None:
        super().__init__()
        self.widget = widget
        self.text = text

    @property
    def control(self) -> Widget:
        """The input that refused."""
        return self.widget


def follow_the_cursor(widget: Widget, event: events.Key) -> bool:
    """A key that reaches a field after the cursor has moved on goes to the field with the cursor now.

    Keys typed faster than the screen keeps up ("reception", Tab, "secret" arriving in one read)
    are all handed to the field that had the cursor when they arrived. True when the key was
    passed on (and stopped here).
    """
    try:
        focused = widget.screen.focused
    except Exception:  # not on a screen (being removed)
        return False
    if focused is None or focused is widget:
        return False
    event.stop()
    event.prevent_default()
    passed_on = events.Key(event.key, event.character)
    passed_on._set_forwarded()  # handed to a widget, as the app forwards keys (kit/typeahead.py holds only new keys)
    focused.post_message(passed_on)
    return True


def field_key(widget: Widget, event: events.Key) -> bool:
    """The keys every kit field handles itself, at once: Tab, Shift+Tab and (the one rule) Enter.

    Handled here rather than as bindings (which run only once the key has travelled up to the
    app) so that the cursor has moved before the next key typed is looked at: with
    ``follow_the_cursor`` the keys typed behind a Tab or an Enter land in the next field, never
    in the one just left. A screen can take a Tab over with ``tab_from(widget, delta) -> bool``.
    """
    if follow_the_cursor(widget, event):
        return True
    key = event.key
    if key in ("tab", "shift+tab"):
        delta = 1 if key == "tab" else -1
        event.stop()
        event.prevent_default()
        hook = getattr(widget.screen, "tab_from", None)
        if hook is not None and hook(widget, delta):
            return True
        widget.screen.focus_next() if delta > 0 else widget.screen.focus_previous()
        return True
    if key == "enter" and not isinstance(widget, LinesInput):
        form = next((node for node in widget.ancestors if isinstance(node, Form)), None)
        spec = form._field_of(widget) if form is not None else None
        if form is not None and spec is not None and spec.enter != "own":
            event.stop()
            event.prevent_default()
            form.enter_from(widget)
            return True
    return False


class TextInput(Input):
    """One line of text. A paste keeps every line (joined by spaces) and a refused key says why."""

    async def _on_key(self, event: events.Key) -> None:
        if not field_key(self, event):
            await super()._on_key(event)

    def _on_paste(self, event: events.Paste) -> None:
        # Textual keeps only a paste's first line; a pasted address or note must not lose the rest.
        text = " ".join(line.strip() for line in event.text.splitlines() if line.strip()) if "\n" in event.text \
            or "\r" in event.text else event.text
        event.stop()
        event.prevent_default()
        if not text:
            return
        start, end = sorted(self.selection)
        self.replace(text, start, end)

    def restricted(self) -> None:
        digits = bool(self.restrict) and self.restrict.startswith("[0-9]")
        if self.max_length and len(self.value) >= self.max_length:
            what = "digit" if digits else "character"
            why = f"at most {self.max_length} {what}{'s' if self.max_length != 1 else ''} here"
        elif self.restrict:
            why = "digits only here" if digits else "that character is not allowed here"
            if self.max_length:
                why += f" (at most {self.max_length})"
        else:
            why = "that does not fit here"
        self.post_message(Restricted(self, why))


MONEY_CHARACTERS = frozenset("0123456789.£")
MONEY_PATTERN = r"£?[0-9]*(\.[0-9]{0,2})?"
"""What a money box can hold at every step of typing: digits, one point, two pence digits, a leading £."""


class MoneyInput(TextInput):
    """A money box (every ``kind="money"`` field): only digits, one point and a leading £ go in.

    A key it cannot take is said beside it (the form's Restricted message) and never typed in.
    A punctuation key that is a binding of the screen (``/`` Find on the payment screen) still
    works from here; a letter is refused even when the screen binds it (an ``a`` or a ``c``
    typed into an amount by mistake must not split the money or open the cash-up). A paste
    drops thousands commas and spaces ("£1,234.50" → "£1234.50").
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("restrict") is None:
            kwargs["restrict"] = MONEY_PATTERN
        super().__init__(*args, **kwargs)

    def check_consume_key(self, key: str, character: str | None) -> bool:
        # Only keys that can go into an amount are this box's; others reach the screen's bindings.
        return character is not None and character in MONEY_CHARACTERS

    async def _on_key(self, event: events.Key) -> None:
        character = event.character
        if event.is_printable and character is not None and character not in MONEY_CHARACTERS:
            if follow_the_cursor(self, event):
                return
            if not character.isalnum() and self._screen_binds(event.key):
                event.prevent_default()  # not typed here (no Input handler runs) ...
                return  # ... and it bubbles up to the screen's binding (/ find)
            event.stop()
            event.prevent_default()
            self.post_message(Restricted(self, f"{character!r} cannot go in an amount: digits and one point, "
                                               "e.g. 25.50"))
            return
        await super()._on_key(event)

    def _screen_binds(self, key: str) -> bool:
        try:
            chain = self.screen._modal_binding_chain
        except Exception:
            return False
        return any(key in bindings.key_to_bindings for _node, bindings in chain)

    def _on_paste(self, event: events.Paste) -> None:
        text = re.sub(r"[\s,]", "", event.text)
        event.stop()
        event.prevent_default()
        if text:
            start, end = sorted(self.selection)
            self.replace(text, start, end)

    def restricted(self) -> None:
        value = self.value
        if self.max_length and len(value) >= self.max_length:
            why = f"at most {self.max_length} characters here"
        elif "." in value and len(value.split(".", 1)[1]) >= 2:
            why = "pounds and pence only: two digits after the point"
        elif "." in value:
            why = "one point only"
        else:
            why = "digits and one point only, e.g. 25.50"
        self.post_message(Restricted(self, why))


class HandOffTextInput(HandOffInput, TextInput):
    """A kit text box that also hands keys typed after its Enter to the next field (sign-in and lock:
    ``name⏎secret⏎`` typed in one burst never puts the password in the username box).

    Enter moves the cursor at once, as the key is handled (not when the screen gets round to the
    Submitted message, which under load can be later than any hold window): the keys queued
    behind it then follow the cursor (``follow_the_cursor``) into the next box, however slow the
    machine is.
    """

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter" and self.screen.focused is self:
            event.stop()
            event.prevent_default()  # the other classes' key handlers (and the held-keys window) are not needed
            self.post_message(self.Submitted(self, self.value))
            self.screen.focus_next()


class LinesInput(TextArea):
    """Several lines of text (notes). Enter is a new line; Tab leaves the box."""

    async def _on_key(self, event: events.Key) -> None:
        if not field_key(self, event):
            await super()._on_key(event)

    DEFAULT_CSS = """
    LinesInput { height: 4; }
    """

    @property
    def value(self) -> str:
        """The text (the same name as every other field's value)."""
        return self.text

    @value.setter
    def value(self, text: str) -> None:
        self.text = "" if text is None else str(text)


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
        listing.update(text.rstrip() or text)

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


# ----------------------------------------------------------------------------- reading and writing values

FIELD_WIDGETS = (Input, LinesInput, Choice, ManyChoice, Check)


def field_value(widget: Widget) -> Any:
    """A field widget's value as drafts keep it."""
    return widget.value  # type: ignore[attr-defined]  # every field widget has a value


def read_values(root: Widget | Any) -> dict[str, Any]:
    """Every identified field under ``root`` (a screen or a form) and its value; passwords never.

    The one way anything reads a form's typing: drafts, "was anything typed?", retries.
    """
    values: dict[str, Any] = {}
    for widget in root.query("*"):
        key = widget.id
        if not key or not isinstance(widget, FIELD_WIDGETS) and not getattr(widget, "FORM_VALUE", False):
            continue
        if isinstance(widget, Input) and widget.password:
            continue
        values[key] = field_value(widget)
    return values


def initial_value(spec: FormField) -> Any:
    """What a field's widget holds when built from its spec (before anyone types), as ``values()`` reads it."""
    if spec.kind == "check":
        return bool(spec.value)
    if spec.kind == "many":
        return list(spec.value or ())
    if spec.kind == "choice":
        return spec.value if spec.value in {str(v) for v, _ in spec.options} else None
    if spec.kind == "widget":
        return None
    value = spec.value
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if spec.kind == "money" and isinstance(value, int) and not isinstance(value, bool):
        return f"{value // 100}.{value % 100:02d}"
    return "" if value is None else str(value)


def write_values(root: Widget | Any, values: Mapping[str, Any],
                 find: Callable[[str], Widget | None] | None = None) -> list[str]:
    """Put values back into the fields under ``root``; returns the keys that had nowhere to go.

    ``find``: how to look a DOM id up (a ``Form`` passes its own index; default: a query).
    """
    missing: list[str] = []
    for key, value in values.items():
        if find is not None:
            widget = find(key)
        else:
            found = root.query(f"#{key}") if key.replace("-", "").replace("_", "").isalnum() else None
            widget = found.first() if found else None
        if widget is None:
            missing.append(key)
            continue
        try:
            if isinstance(widget, (Input, LinesInput)):
                widget.value = "" if value is None else str(value)
            elif isinstance(widget, Check):
                widget.value = bool(value)
            elif isinstance(widget, ManyChoice):
                widget.value = list(value or [])
            elif isinstance(widget, FIELD_WIDGETS) or getattr(widget, "FORM_VALUE", False):
                widget.value = value  # type: ignore[attr-defined]  # a field widget: it has a value
            else:
                missing.append(key)
        except ValueError:  # a choice no longer offered (reference data changed)
            missing.append(key)
    return missing


# ----------------------------------------------------------------------------- the form


class Form(Vertical):
    """Fields laid out with labels and a message line each; the one Enter rule; messages that clear."""

    DEFAULT_CSS = """
    Form { height: auto; }
    Form .form-row { height: auto; }
    Form .form-label { width: 16; color: $text-muted; padding: 0 1 0 0; }
    Form .form-row > .form-inline-label:first-child { padding: 0 1 0 0; }
    Form .form-row .form-inline-label { width: auto; color: $text-muted; padding: 0 1 0 1; }
    Form .form-row > Input, Form .form-row > Choice { width: 1fr; }
    Form .form-above { color: $text-muted; }
    Form .form-section { margin-top: 1; text-style: bold; color: $secondary; }
    Form .form-msg { height: auto; color: $error; }
    Form .form-msg.-hint { color: $warning; }
    Form .form-msg.-empty { display: none; }
    Form .form-hint { height: auto; color: $text-muted; }
    Form LinesInput { height: 4; }
    Form .form-section-box { height: auto; }
    """
    BINDINGS: ClassVar = [
        Binding("enter", "enter", "Next field", id="form-next-field", show=False,
                tooltip="Move to the next field (in the last field: save, as F9 does)"),
    ]

    class Submitted(Message):
        """Enter in the last field (or F9 from a widget that has no screen binding): save."""

        def __init__(self, form: Form) -> None:
            super().__init__()
            self.form = form

        @property
        def control(self) -> Form:
            """The form to save."""
            return self.form

    def __init__(self, fields: Iterable[FormField | Widget], *, prefix: str = "", labels: str = "left",
                 label_width: int = 16, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.items: list[FormField | Widget] = list(fields)
        self.prefix = prefix
        self.labels = labels
        self.label_width = label_width
        self._initial: dict[str, Any] | None = {}
        self._shown: dict[str, str] = {}
        self._lines: dict[str, Static] = {}  # message lines, found once: an answer must not cost a DOM query
        self._extra_problems: dict[str, str] = {}
        self._by_id: dict[str, Widget] = {}  # the form's widgets by DOM id (see _find)
        self.section_mounted: dict[str, Any] = {}  # add_section's AwaitMount, by section name

    # -- layout --------------------------------------------------------------------------------

    @property
    def fields(self) -> list[FormField]:
        """The field specs, in order."""
        return [item for item in self.items if isinstance(item, FormField)]

    def spec(self, field_id: str) -> FormField:
        """The spec of one field."""
        return next(f for f in self.fields if f.id == field_id)

    def widget_id(self, field_id: str) -> str:
        """The DOM id of a field's input."""
        return f"{self.prefix}{field_id}"

    def compose(self) -> ComposeResult:
        yield from self.build(self.items)
        if any(f.hint for f in self.fields):
            yield Static("", id=f"{self.prefix}form-hint", classes="form-hint")

    def build(self, items: Sequence[FormField | Widget]) -> Iterable[Widget]:
        """The widgets for ``items`` (used by compose and by ``add``)."""
        section = None
        index = 0
        while index < len(items):
            item = items[index]
            if not isinstance(item, FormField):
                yield item
                index += 1
                continue
            if item.section and item.section != section:
                section = item.section
                yield Static(plain(item.section), classes="form-section")
            if item.row:
                group = [item]
                while index + len(group) < len(items):
                    following = items[index + len(group)]
                    if not isinstance(following, FormField) or following.row != item.row:
                        break
                    group.append(following)
                yield self._row(group)
                for member in group:
                    yield self._message_line(member)
                index += len(group)
                continue
            yield from self._single(item)
            index += 1

    def _single(self, spec: FormField) -> Iterable[Widget]:
        widget = self.make_input(spec)
        if spec.kind == "check" or not spec.label:
            if self.labels == "left" and spec.kind == "check":
                yield Horizontal(self._label("", "form-label"), widget, classes="form-row")
            else:
                yield widget
        elif self.labels == "above":
            yield Label(plain(spec.label + _star(spec)), classes="form-above")
            yield widget
        else:
            yield Horizontal(self._label(spec.label + _star(spec), "form-label"), widget,
                             classes="form-row")
        yield self._message_line(spec)

    def _row(self, group: list[FormField]) -> Horizontal:
        children: list[Widget] = []
        for position, spec in enumerate(group):
            if spec.label and spec.kind != "check":
                classes = "form-label" if position == 0 and self.labels == "left" else "form-inline-label"
                children.append(self._label(spec.label + _star(spec), classes))
            children.append(self.make_input(spec))
        return Horizontal(*children, classes="form-row")

    def _label(self, text: str, classes: str) -> Label:
        label = Label(plain(text), classes=classes)
        if classes == "form-label":
            label.styles.width = self.label_width
        return label

    def _message_line(self, spec: FormField) -> Static:
        line = Static("", id=f"msg-{self.widget_id(spec.id)}", classes="form-msg -empty")
        line.styles.padding = (0, 0, 0, self.label_width if self.labels == "left" else 0)
        return line

    def make_input(self, spec: FormField) -> Widget:
        """The input widget for a field spec."""
        wid = self.widget_id(spec.id)
        kind = spec.kind
        if kind == "widget":
            assert spec.widget is not None, f"FormField {spec.id!r}: kind widget needs widget="
            widget = spec.widget
            if widget.id is None:
                widget.id = wid
        elif kind == "lines":
            widget = LinesInput(str(spec.value or ""), id=wid, placeholder=spec.placeholder, compact=True,
                                disabled=spec.disabled)
        elif kind == "choice":
            widget = Choice(spec.options, spec.value, prompt=spec.prompt or spec.placeholder,
                            allow_blank=not spec.required or spec.value is None, inline=spec.inline, id=wid,
                            disabled=spec.disabled)
        elif kind == "many":
            widget = ManyChoice(spec.options, spec.value or (), id=wid, disabled=spec.disabled)
        elif kind == "check":
            widget = Check(spec.label, bool(spec.value), id=wid, disabled=spec.disabled)
        else:
            value = spec.value
            if isinstance(value, date):
                value = value.strftime("%d/%m/%Y")
            elif kind == "money" and isinstance(value, int) and not isinstance(value, bool):
                value = f"{value // 100}.{value % 100:02d}"
            validators = list(spec.validators)
            max_length = spec.max_length
            placeholder = spec.placeholder
            if kind == "date":
                validators.append(DateValidator(optional=True))
                max_length = max_length or 10
                placeholder = placeholder or "DD/MM/YYYY"
            elif kind == "money":
                validators.append(MoneyValidator(spec.limit_pence))
                max_length = max_length or 12
                placeholder = placeholder or "0.00"
            box = MoneyInput if kind == "money" else TextInput
            widget = box("" if value is None else str(value), placeholder=placeholder, id=wid,
                               max_length=max_length or 0, restrict=spec.restrict, validators=validators or None,
                               password=kind == "password", compact=True, disabled=spec.disabled,
                               validate_on=["changed", "blur"])
        if spec.width is not None:
            widget.styles.width = spec.width
        return widget

    def add_section(self, name: str, items: Sequence[FormField | Widget], *,
                    before: Widget | str | None = None) -> Vertical:
        """Add a section of fields the form needs only sometimes (built the first time it is shown).

        The section is a container with id ``name``: ``show_section`` shows or hides it, and
        its fields count only while it is shown (a hidden field is never "needed"). Its fields
        are in the DOM once ``section_mounted`` (awaitable) is done.
        """
        self.items.extend(items)
        section = Vertical(id=name, classes="form-section-box")
        if before is not None:
            self.mount(section, before=before)
        else:
            self.mount(section)
        # Mounted into the section now (not passed to its constructor, which mounts them only once
        # the section is composed): the fields are in the DOM at once, to be filled and focused.
        self.section_mounted[name] = section.mount(*self.build(items))
        if self._initial is not None:  # what the new fields hold as built is "nothing typed"
            for spec in items:
                if isinstance(spec, FormField) and spec.kind != "password":
                    self._initial.setdefault(spec.id, initial_value(spec))
        return section

    def show_section(self, name: str, show: bool) -> bool:
        """Show or hide a section; False when it has not been built yet."""
        found = self.query(f"#{name}")
        if not found:
            return False
        found.first().display = show
        return True

    def shows(self, widget: Widget) -> bool:
        """True when ``widget`` and every container up to the form are displayed."""
        node: Any = widget
        while node is not None and node is not self:
            if not node.display:
                return False
            node = node.parent
        return True

    def on_mount(self) -> None:
        self.mark_clean()

    def _find(self, dom_id: str) -> Widget | None:
        """The form's widget with this DOM id, or None (not built).

        A CSS query per field cost 0.4 s per ``values()`` on a 35-field form under load (the
        approach form reads its values several times as it opens, and on every answer): the
        form walks its widgets once into an index instead, and walks again only when an id is
        not in it (a section built since) or a widget found has left the form.
        """
        widget = self._by_id.get(dom_id)
        if widget is not None and widget.id == dom_id and self in widget.ancestors:
            return widget
        index: dict[str, Widget] = {}
        for child in self.walk_children(with_self=False):
            if child.id is not None:
                index.setdefault(child.id, child)
        self._by_id = index
        return index.get(dom_id)

    # -- values --------------------------------------------------------------------------------

    def input(self, field_id: str) -> Widget:
        """The input widget of a field."""
        widget = self._find(self.widget_id(field_id))
        return widget if widget is not None else self.query_one(f"#{self.widget_id(field_id)}")

    def has(self, field_id: str) -> bool:
        """True when the field is on the form (built)."""
        return self._find(self.widget_id(field_id)) is not None

    def values(self) -> dict[str, Any]:
        """What is in every field now (raw: text as typed), keyed by field id."""
        out: dict[str, Any] = {}
        for spec in self.fields:
            widget = self._find(self.widget_id(spec.id))
            if widget is not None and not (spec.kind == "password"):
                out[spec.id] = field_value(widget)
        return out

    def value(self, field_id: str) -> Any:
        """One field's raw value."""
        return field_value(self.input(field_id))

    def set_value(self, field_id: str, value: Any) -> None:
        """Put a value in a field."""
        write_values(self, {self.widget_id(field_id): value}, find=self._find)

    def fill(self, values: Mapping[str, Any]) -> list[str]:
        """Put several values in (keyed by field id); returns those with nowhere to go."""
        missing = write_values(self, {self.widget_id(k): v for k, v in values.items()}, find=self._find)
        return [m.removeprefix(self.prefix) for m in missing]

    def mark_clean(self) -> None:
        """What is in the form now counts as "nothing typed" (after a load fills it)."""
        self._initial = self.values()

    def mark_all_typed(self) -> None:
        """Everything in the form counts as typed (a form refilled with the user's typing)."""
        self._initial = None

    def dirty(self) -> bool:
        """True when something was typed or chosen since the form opened (or was last loaded)."""
        now = self.values()
        if self._initial is None:
            return any(_has_content(v) for v in now.values())
        return any(now[k] != self._initial[k] if k in self._initial else _has_content(now[k]) for k in now)

    def parsed(self) -> dict[str, Any]:
        """The values as the services take them: text stripped, dates as date, money in pence, None for blanks.

        Call after ``validate()``: a value that does not parse is None here.
        """
        from duty_tui.core.domain.money import parse_pounds
        from duty_tui.core.domain.validators import parse_date

        out: dict[str, Any] = {}
        raw = self.values()
        for spec in self.fields:
            if spec.id not in raw:
                continue
            value = raw[spec.id]
            if spec.kind in ("text",):
                out[spec.id] = value.strip()
            elif spec.kind == "date":
                try:
                    out[spec.id] = parse_date(value) if value.strip() else None
                except ValueError:
                    out[spec.id] = None
            elif spec.kind == "money":
                try:
                    out[spec.id] = parse_pounds(value, limit_pence=spec.limit_pence) if value.strip() else None
                except ValueError:
                    out[spec.id] = None
            else:
                out[spec.id] = value
        return out

    # -- checking ------------------------------------------------------------------------------

    def problem(self, field_id: str, *, saving: bool = False) -> str | None:
        """What is wrong with a field now, or None. "Needed" is only said when ``saving``."""
        spec = self.spec(field_id)
        widget = self._find(self.widget_id(field_id))
        if widget is None:
            return None
        if not self.shows(widget) or widget.disabled:
            return None
        value = field_value(widget)
        text = value if isinstance(value, str) else ""
        empty = not _has_content(value)
        if empty:
            if saving and spec.required and spec.kind != "check":
                return "choose one" if spec.kind in ("choice", "many") else "this is needed: fill it in"
            return None
        if isinstance(widget, Input):
            result = widget.validate(widget.value)
            if result is not None and not result.is_valid:
                return result.failure_descriptions[0]
        if spec.check is not None and isinstance(value, str) and text.strip():
            return spec.check(text)
        return None

    def validate(self) -> dict[str, str]:
        """Check every field (as saving does), show each problem beside its field, move to the first.

        Returns {field id: problem}; empty when the form may be saved.
        """
        problems: dict[str, str] = {}
        for spec in self.fields:
            problem = self.problem(spec.id, saving=True)
            if problem:
                problems[spec.id] = problem
        self._extra_problems.clear()
        for spec in self.fields:
            self.say(spec.id, problems.get(spec.id, ""))
        if problems:
            first = next(iter(problems))
            self.input(first).focus()
        return problems

    def show_problems(self, problems: Mapping[str, str], *, focus: bool = True) -> list[str]:
        """Show problems found elsewhere (the service's) beside their fields; returns those with no field."""
        unplaced = []
        first = None
        for key, text in problems.items():
            if self.has(key):
                self._extra_problems[key] = text
                self.say(key, text)
                first = first or key
            else:
                unplaced.append(text if key in ("", None) else f"{key}: {text}")
        if focus and first is not None:
            self.input(first).focus()
        return unplaced

    def say(self, field_id: str, text: str, *, hint: bool = False) -> None:
        """Show (or clear, with "") the message beside a field."""
        line = self._lines.get(field_id)
        if line is None or not line.is_attached:
            found = self._find(f"msg-{self.widget_id(field_id)}")
            if not isinstance(found, Static):
                return
            line = self._lines[field_id] = found
        shown = (("△ " if hint else "✗ ") + text) if text else ""
        if self._shown.get(field_id, "") == shown and (not shown) == line.has_class("-empty"):
            return
        self._shown[field_id] = shown
        line.update(plain(shown))
        line.set_class(not text, "-empty")
        line.set_class(hint and bool(text), "-hint")

    def shown(self, field_id: str) -> str:
        """The message beside a field now ("" when none)."""
        return self._shown.get(field_id, "")

    def _field_of(self, widget: Widget | None) -> FormField | None:
        if widget is None or widget.id is None:
            return None
        for spec in self.fields:
            if self.widget_id(spec.id) == widget.id:
                return spec
        return None

    def recheck(self, widget: Widget | None, *, leaving: bool = False) -> None:
        """A field changed (or the cursor left it): clear its message when fixed, show one when wrong."""
        spec = self._field_of(widget)
        if spec is None:
            return
        if not leaving and not self._shown.get(spec.id):
            return  # while typing, only a message already shown is updated (it goes as soon as it is fixed)
        if spec.id in self._extra_problems:
            if leaving:
                return
            del self._extra_problems[spec.id]  # the service's message: goes once the field is changed
        self.say(spec.id, self.problem(spec.id) or "")

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(FieldChanged)
    def _changed(self, event: Message) -> None:
        self.recheck(getattr(event, "control", None))

    @on(Restricted)
    def _restricted(self, event: Restricted) -> None:
        event.stop()
        spec = self._field_of(event.widget)
        if spec is not None:
            self.say(spec.id, event.text, hint=True)

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        spec = self._field_of(event.widget)
        if spec is not None and self._shown.get(spec.id, "").startswith("△"):
            self.say(spec.id, "")
        self.recheck(event.widget, leaving=True)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        found = self.query(f"#{self.prefix}form-hint")
        if found:
            spec = self._field_of(event.widget)
            found.first(Static).update(plain(spec.hint if spec is not None else ""))

    # -- the one Enter rule --------------------------------------------------------------------

    def focusable_fields(self) -> list[Widget]:
        """The inputs the cursor can be in now, in Tab order."""
        return [w for w in self.screen.focus_chain if self in w.ancestors]

    def next_after(self, widget: Widget) -> Widget | None:
        """The field after ``widget`` in Tab order, or None when it is the last."""
        chain = self.focusable_fields()
        current = widget
        while current is not None and current not in chain:
            current = current.parent if isinstance(current.parent, Widget) else None
        if current is None:
            return None
        index = chain.index(current)
        return chain[index + 1] if index + 1 < len(chain) else None

    def enter_from(self, widget: Widget) -> None:
        """Enter in ``widget``: the next field, or save when it is the last."""
        following = self.next_after(widget)
        if following is None:
            self.post_message(self.Submitted(self))
        else:
            following.focus()

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        spec = self._field_of(event.input)
        if spec is None or spec.enter == "own":
            return
        event.stop()
        self.enter_from(event.input)

    def action_enter(self) -> None:
        """Enter in a choice or tick box: move on (or save, from the last field)."""
        focused = self.screen.focused
        if focused is not None:
            spec = self._field_of(focused)
            if spec is not None and spec.enter == "own":
                return
            self.enter_from(focused)

    def focus_first(self) -> None:
        """Put the cursor in the first field."""
        chain = self.focusable_fields()
        if chain:
            chain[0].focus()


def _star(spec: FormField) -> str:
    """" *" after the label of a field that must be filled in (not a choice that always has a value)."""
    if not spec.required or spec.kind == "check" or spec.kind == "choice" and spec.value is not None:
        return ""
    return " *"


def _has_content(value: Any) -> bool:
    if value is None or value is False:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (list, tuple, set, dict)):
        return bool(value)
    return True


# ----------------------------------------------------------------------------- leaving a form


class FormScreen:
    """Mixin for a screen or dialog holding a Form: Escape closes at once, or asks when something was typed.

    The screen says how to tell (``form_dirty``, default: its Form's ``dirty()``) and how to close
    (``close_form``, default: pop the screen, or dismiss a dialog with None).
    """

    DISCARD_QUESTION: ClassVar[str] = "Discard what you typed? It is not saved."
    DISCARD_YES: ClassVar[str] = "Discard"
    DISCARD_NO: ClassVar[str] = "No, keep typing"

    def form_dirty(self) -> bool:
        """True when something was typed that closing would lose."""
        forms = self.query(Form)  # type: ignore[attr-defined]  # a mixin: the Screen it joins has query
        return any(form.dirty() for form in forms)

    def close_form(self) -> None:
        """Close without saving."""
        from textual.screen import ModalScreen

        if isinstance(self, ModalScreen):
            self.dismiss(None)
        else:
            self.app.pop_screen()  # type: ignore[attr-defined]  # a mixin: the Screen it joins has app

    def leave_form(self, question: str | None = None) -> None:
        """Escape: close at once when nothing was typed; otherwise ask (the one confirm dialog)."""
        from duty_tui.core.tui.kit.dialogs import ConfirmDialog

        if not self.form_dirty():
            self.close_form()
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.close_form()

        self.app.push_screen(ConfirmDialog(question or self.DISCARD_QUESTION, yes=self.DISCARD_YES,  # type: ignore[attr-defined]  # as above
                                           no=self.DISCARD_NO), answered)


# ----------------------------------------------------------------------------- the dialog

T = TypeVar("T")


class FormDialog(FormScreen, DutyModal[T], Generic[T]):
    """A titled form in a dialog: F9 (or Enter in the last field) saves, Esc closes (asking if typed).

    Dismisses with ``result(values)`` — the parsed values, or what ``result`` makes of them (a
    dataclass) — or None when closed. ``check(values)`` adds rules across fields: it returns
    {field id: what to fix}. ``refilled=True``: the form holds typing kept from a refused save,
    so Escape asks before discarding it.

    ``save(ctx, values)``: the dialog saves itself — in a worker, once (F9 twice is one save) —
    and stays open until the service has saved, dismissing with what ``save`` returned. A
    refusal (``DutyError``) is said beside the fields its problems name (``"ticket: taken"``)
    and under the form, and everything typed stays for the next F9.
    """

    @dataclass
    class SavedResult(Message):
        """The dialog's own save (``save=``) finished."""

        result: Any

    SCOPE_NAME = "form"
    DEFAULT_CSS = """
    FormDialog { align: center middle; }
    FormDialog > #form-box { width: 76; max-width: 100%; height: auto; max-height: 100%; border: thick $primary;
                             background: $surface; padding: 0 1; }
    FormDialog #form-title { text-style: bold; color: $primary; }
    FormDialog #form-intro { color: $text-muted; height: auto; }
    FormDialog #form-scroll { height: auto; max-height: 16; }
    FormDialog #form-problems { color: $error; text-style: bold; height: auto; }
    FormDialog #form-problems.-empty { display: none; }
    FormDialog #form-keys { color: $text-muted; }
    """
    BINDINGS = [
        Binding("f9", "save", "Save", id="form-save", priority=True, tooltip="Save this form (checks it first)"),
        Binding("escape", "cancel", "Cancel", id="form-cancel",
                tooltip="Close without saving (asks first when something was typed)"),
    ]

    def __init__(self, title: str, fields: Sequence[FormField | Widget], *, intro: str = "", submit: str = "Save",
                 result: Callable[[dict[str, Any]], T] | None = None,
                 check: Callable[[dict[str, Any]], Mapping[str, str]] | None = None, refilled: bool = False,
                 labels: str | None = None, label_width: int = 16, focus: str | None = None,
                 save: Callable[[Any, dict[str, Any]], Any] | None = None, saving: str = "Saving…",
                 not_saved: str = "Not saved yet") -> None:
        super().__init__()
        self.saver = save
        self.saving_text = saving
        self.not_saved_text = not_saved
        self._saving = False
        self.form_title = title
        self.fields = list(fields)
        self.intro = intro
        self.submit_label = submit
        self.result = result
        self.cross_check = check
        self.refilled = refilled
        specs = [f for f in self.fields if isinstance(f, FormField)]
        self.labels = labels or ("left" if all(len(f.label) < label_width - 1 or f.kind == "check" for f in specs)
                                 else "above")
        self.label_width = label_width
        self.first_focus = focus

    def compose(self) -> ComposeResult:
        with Vertical(id="form-box"):
            yield Static(plain(self.form_title), id="form-title")
            if self.intro:
                yield Static(plain(self.intro), id="form-intro")
            with VerticalScroll(id="form-scroll"):
                yield Form(self.fields, prefix="f-", labels=self.labels, label_width=self.label_width, id="form")
            yield Static("", id="form-problems", classes="-empty")
            yield Static(plain(f"F9 {self.submit_label.lower()} · Enter next (last: {self.submit_label.lower()}) · "
                               "Esc close"), id="form-keys")

    @property
    def form(self) -> Form:
        """The dialog's form."""
        return self.query_one("#form", Form)

    def on_mount(self) -> None:
        if self.refilled:
            self.form.mark_all_typed()
        if self.first_focus:
            self.form.input(self.first_focus).focus()
        else:
            self.form.focus_first()

    def values(self) -> dict[str, Any]:
        """What is typed now (raw), keyed by field id."""
        return self.form.values()

    def say(self, text: str) -> None:
        """A message for the whole form (under the fields)."""
        box = self.query_one("#form-problems", Static)
        box.update(plain(text))
        box.set_class(not text, "-empty")

    @on(Form.Submitted)
    def _submitted(self, event: Form.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        """Check; dismiss with the result when every field is right."""
        form = self.form
        if form.validate():
            self.say("")
            return
        values = form.parsed()
        if self.cross_check is not None:
            problems = dict(self.cross_check(values))
            if problems:
                unplaced = form.show_problems(problems)
                self.say("\n".join(unplaced))
                return
        self.say("")
        if self.saver is not None:
            if self._saving:
                return  # F9 twice: one save
            self._saving = True
            self.say(self.saving_text)
            self._save_in_worker(values)
            return
        self.dismiss(self.result(values) if self.result is not None else values)  # type: ignore[arg-type]  # without a result function T is the values dict

    @work(thread=True, exclusive=True, exit_on_error=False, group="form-save")
    def _save_in_worker(self, values: dict[str, Any]) -> None:
        saver = self.saver
        assert saver is not None
        self.post_message(self.SavedResult(saver(self.duty_app.ctx, values)))

    @on(SavedResult)
    def _saved_result(self, message: SavedResult) -> None:
        message.stop()
        self._saving = False
        self.dismiss(message.result)

    def on_worker_error(self, error: BaseException | None) -> None:
        from duty_tui.core.domain.errors import DutyError, PermissionDenied

        if self.saver is None:
            super().on_worker_error(error)
            return
        self._saving = False
        if isinstance(error, PermissionDenied):  # nothing typed in the form can fix it
            self.say(f"{self.not_saved_text.removesuffix(' yet')}: {error.message}. Esc leaves the form.")
            return
        if isinstance(error, DutyError):
            by_field: dict[str, str] = {}
            elsewhere: list[str] = []
            for problem in list(getattr(error, "problems", None) or [error.message]):
                name, _, text = problem.partition(": ")
                if text and self.form.has(name):
                    by_field[name] = text
                else:
                    elsewhere.append(problem)
            unplaced = self.form.show_problems(by_field)
            self.say("\n".join([*unplaced, *elsewhere,
                                f"{self.not_saved_text}: fix it and press F9 again (what you typed is still here)."]))
            return
        self.say("Not saved: something went wrong (the details are in the log). What you typed is still here; "
                 "press F9 to try again.")
        super().on_worker_error(error)

    def action_cancel(self) -> None:
        """Close; asks first when something was typed."""
        self.leave_form("Discard what you typed in this form?")


def refill(fields: Sequence[FormField], values: Mapping[str, Any] | None) -> list[FormField]:
    """The same fields holding ``values`` (typing kept from a refused save)."""
    if not values:
        return list(fields)
    return [replace(f, value=values[f.id]) if f.id in values else f for f in fields]


def text_dialog(title: str, label: str, *, placeholder: str = "", value: str = "", intro: str = "",
                submit: str = "OK", max_length: int = 200, validators: Sequence[Validator] = (),
                required: bool = True) -> FormDialog[str]:
    """A form of one line of text (why a refund is rejected, why a plan ends): dismisses with the text."""
    return FormDialog(title, [FormField("text", label, placeholder=placeholder, value=value, required=required,
                                        max_length=max_length, validators=tuple(validators))],
                      intro=intro, submit=submit, result=lambda values: values["text"], refilled=bool(value))
