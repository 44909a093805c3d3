"""The kit's one form (duty_tui/core/tui/kit/form.py and its parts beside it), driven at 80x24 as a person would.

One journey through a small FormDialog checks the form rule end to end: Tab order, the
Enter rule, F9, Escape with and without typing, messages beside fields that appear and go
as soon as the field is fixed, choices that say in text what is chosen, a paste that keeps
its order and keys typed faster than the screen keeps up.
"""

from __future__ import annotations

from datetime import date

from pilot import human
from textual import events
from textual.app import App
from textual.widgets import Static

from duty_tui.core.tui.kit.choices import Choice, ManyChoice
from duty_tui.core.tui.kit.dialogs import ConfirmDialog
from duty_tui.core.tui.kit.fields import FormField, LinesInput, TextInput
from duty_tui.core.tui.kit.form_screen import FormDialog
from duty_tui.core.tui.kit.paste import OrderedPasteParser

SIZE = (80, 24)
PACE = 0.02  # between keys: a typing rhythm, not a wait for work


def fields() -> list[FormField]:
    return [
        FormField("name", "Name", required=True, hint="their full name"),
        FormField("born", "Born", "date"),
        FormField("amount", "Amount £", "money"),
        FormField("fruit", "Fruit", "choice", (("a", "Apple"), ("b", "Banana"), ("c", "Cherry"), ("d", "Damson"),
                                               ("e", "Elderberry"))),
        FormField("answer", "Answer", "choice", (("y", "Yes"), ("n", "No"), ("u", "Unknown")), value="u",
                  required=True),
        FormField("needs", "Needs", "many", (("w", "Wheelchair"), ("h", "Hearing loop"))),
        FormField("agreed", "Agreed", "check"),
        FormField("notes", "Notes", "lines"),
        FormField("ref", "Ref", max_length=4, restrict=r"[0-9]{0,4}"),
    ]


class FormApp(App):
    """Opens one form dialog; keeps what it dismissed with."""

    def __init__(self) -> None:
        super().__init__()
        self.results: list = []

    def open(self) -> None:
        self.push_screen(FormDialog("A small form", fields(), submit="Save"), self.results.append)


def text_on_screen(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def test_the_one_form_rule_at_80x24() -> None:
    app = FormApp()
    async with app.run_test(size=SIZE) as pilot:
        app.open()
        await pilot.pause()
        dialog = app.screen
        form = dialog.form
        assert app.focused.id == "f-name"

        # Tab and Shift+Tab: every input, in the order shown (the option list of a choice is not a stop).
        order = [app.focused.id]
        for _ in range(8):
            await pilot.press("tab")
            order.append(app.focused.id)
        assert order == ["f-name", "f-born", "f-amount", "f-fruit", "f-answer", "f-needs", "f-agreed", "f-notes",
                         "f-ref"]
        await pilot.press("shift+tab", "shift+tab")
        assert app.focused.id == "f-agreed"

        # Choices say in text what is chosen: (•)/( ) for one of several, [x]/[ ] for ticks.
        screen_text = text_on_screen(app)
        assert "( ) Yes  ( ) No  (•) Unknown" in screen_text and "[ ] Agreed" in screen_text
        assert "[ ] Wheelchair" in screen_text and "[ ] Hearing loop" in screen_text
        await pilot.press("space")
        assert "[x] Agreed" in text_on_screen(app)
        dialog.query_one("#f-fruit", Choice).focus()
        await pilot.pause()
        listing = text_on_screen(app)  # the full list opens below a long choice while it has the cursor
        assert "( ) Apple" in listing and "( ) Elderberry" in listing and "› ( ) (choose)" in listing
        await human(pilot, "=ch", pace=PACE)  # the first letters jump to an option
        assert dialog.query_one("#f-fruit", Choice).value == "c" and "(•) Cherry" in text_on_screen(app)
        await pilot.press("down")
        assert dialog.query_one("#f-fruit", Choice).value == "d"
        await pilot.press("tab", "left", "tab", "down", "space")  # answer: No; needs: Hearing loop ticked
        assert dialog.query_one("#f-answer", Choice).value == "n"
        assert dialog.query_one("#f-needs", ManyChoice).value == ["h"] and "[x] Hearing loop" in text_on_screen(app)

        # A message beside the field when the cursor leaves a wrong value; it goes as soon as it is fixed.
        dialog.query_one("#f-born", TextInput).focus()
        await human(pilot, "=31/13/2000", pace=PACE)
        await pilot.press("tab")
        assert "is not a date" in form.shown("born") and "is not a date" in text_on_screen(app)
        await pilot.press("shift+tab")  # back in the box, its text selected: typing replaces it
        await human(pilot, "=31/12/200", pace=PACE)
        assert "is not a date" in form.shown("born")  # still wrong while typing: the message follows the text
        await human(pilot, "=0", pace=PACE)
        assert form.shown("born") == "" and "is not a date" not in text_on_screen(app)  # fixed: gone at once

        # A key the field cannot take is refused as it is typed, and says why.
        dialog.query_one("#f-ref", TextInput).focus()
        await human(pilot, "=12345", pace=PACE)
        assert dialog.query_one("#f-ref", TextInput).value == "1234" and "at most 4" in form.shown("ref")

        # F9 checks everything: a needed field is said beside it, and the cursor goes there.
        await pilot.press("f9")
        await pilot.pause()
        assert app.screen is dialog and "this is needed" in form.shown("name") and app.focused.id == "f-name"

        # The Enter rule: Enter moves to the next field; in a notes box it is a new line; in the last field it saves.
        await human(pilot, "=Ann", pace=PACE)
        assert form.shown("name") == ""
        await pilot.press("enter")
        assert app.focused.id == "f-born"
        dialog.query_one("#f-notes", LinesInput).focus()
        await human(pilot, "=one", pace=PACE)
        await pilot.press("enter")
        await human(pilot, "=two", pace=PACE)
        assert dialog.query_one("#f-notes", LinesInput).value == "one\ntwo" and app.focused.id == "f-notes"
        await pilot.press("tab", "enter")  # Enter in the last field: saved, as F9 would
        await pilot.pause()
    result = app.results[-1]
    assert result["name"] == "Ann" and result["born"] == date(2000, 12, 31) and result["fruit"] == "d"
    assert result["answer"] == "n" and result["needs"] == ["h"] and result["agreed"] is True
    assert result["notes"] == "one\ntwo" and result["ref"] == "1234" and result["amount"] is None


async def test_escape_closes_at_once_untouched_and_asks_when_typed_and_keys_follow_the_cursor() -> None:
    app = FormApp()
    async with app.run_test(size=SIZE) as pilot:
        app.open()
        await pilot.pause()
        await pilot.press("escape")  # nothing typed: closed at once, no question
        await pilot.pause()
        assert app.results == [None] and not isinstance(app.screen, (FormDialog, ConfirmDialog))

        app.open()
        await pilot.pause()
        await human(pilot, "=A", pace=PACE)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)  # something typed: asked first (default: keep it)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog) and app.screen.form.value("name") == "A"

        # Keys typed faster than the screen keeps up land where the cursor is by then (a Tab in the
        # middle of them moves it first), never in the box just left.
        for character in "nn\tx":
            app.post_message(events.Key("tab" if character == "\t" else character, character))
        await pilot.pause(0.2)
        assert app.screen.form.value("name") == "Ann" and app.screen.form.value("born") == "x"

        # A paste holding an escape character keeps its order (Textual's parser sent the text after
        # the ESC as key presses ahead of the paste: "^[31mRED Smith [x]").
        app.screen.query_one("#f-name", TextInput).value = ""
        app.screen.query_one("#f-name", TextInput).focus()
        await pilot.pause()
        for event in OrderedPasteParser().feed("\x1b[200~Smith [x] \x1b[31mRED\x1b[201~"):
            app.post_message(event)
        await pilot.pause(0.2)
        assert app.screen.form.value("name") == "Smith [x] \x1b[31mRED"

        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")  # discard, said on purpose
        await pilot.pause()
        assert app.results[-1] is None and not isinstance(app.screen, (FormDialog, ConfirmDialog))
        assert not any(isinstance(w, Static) and "Smith" in str(w.render()) for w in app.screen.query(Static))
