"""The one form: fields, labels, hints, messages beside the field, the one Enter rule, F9, Escape.

A form is a list of ``FormField`` specs. ``Form`` (a widget) lays them out — a label and the
input on one row, or several fields to a row, with a message line under each — and
``FormDialog`` puts a Form in a modal dialog that dismisses with a typed value. Full screens
(contact, approach, payment, cash-up) put a ``Form`` in their layout and mix in ``FormScreen``.

The parts, each in its own module of the kit: the spec, the text boxes and the keys every field
handles (fields.py), the choices and ticks (choices.py), the checks (validators.py), reading and
writing values (values.py), and ``FormScreen``/``FormDialog`` (form_screen.py).

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

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Label, Static, TextArea

from duty_tui.core.tui.kit.choices import Check, Choice, ManyChoice
from duty_tui.core.tui.kit.fields import FieldChanged, FormField, LinesInput, MoneyInput, Restricted, TextInput
from duty_tui.core.tui.kit.validators import DateValidator, MoneyValidator
from duty_tui.core.tui.kit.values import field_value, initial_value, write_values
from duty_tui.core.tui.text import plain

__all__ = ["FORM_RULE", "Form"]

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
        for child in self.walk_children(Widget, with_self=False):
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
        current: Widget | None = widget
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
