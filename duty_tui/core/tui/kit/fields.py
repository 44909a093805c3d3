"""A form's field spec (``FormField``) and its text boxes, and the keys every kit field handles itself.

``field_key`` is where Tab, Shift+Tab and the one Enter rule (kit/form.py) are handled in the
field, as the key arrives; ``follow_the_cursor`` hands keys typed ahead of the screen to the
field that has the cursor now. The text boxes keep a pasted text's every line, say beside
themselves why a key was refused (``Restricted``), and take only what fits (``MoneyInput``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from textual import events
from textual.message import Message
from textual.validation import Validator
from textual.widget import Widget
from textual.widgets import Input, TextArea

from duty_tui.core.tui.kit.typeahead import HandOffInput

__all__ = [
    "ALIASES", "KINDS", "MONEY_CHARACTERS", "MONEY_PATTERN", "FieldChanged", "FormField", "HandOffTextInput",
    "LinesInput", "MoneyInput", "Restricted", "TextInput", "field_key", "follow_the_cursor",
]

KINDS = {"text", "lines", "date", "money", "choice", "many", "check", "password", "widget"}
ALIASES = {"input": "text", "select": "choice", "checkbox": "check"}


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
        from duty_tui.core.tui.kit.form import Form  # the form holds its fields: imported when a key is handled

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
        digits = self.restrict is not None and self.restrict.startswith("[0-9]")
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
