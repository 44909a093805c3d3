"""Issue 11 A: F6 (approach) opens as fast as F2. What made it slow, kept from coming back:

- the kit form read its values with a CSS query per field (0.4 s per ``values()`` on the
  35-field approach form under load, several reads as it opened): it keeps an index instead;
- F6 built and laid out the whole form before the applicant picker went up: with no applicant
  yet, none of the form is built as F6 opens (the picker goes up over an empty screen, as F2's
  search does); it is built when the picker closes, and nothing typed or saved differs. Real timings: bench/bench_fkeys.py, docs/PERFORMANCE.md.
"""

from __future__ import annotations

import pytest
from builders import seed_office
from pilot import SIZE, build_app, screen_text, settle, sign_in, wait_for
from textual.app import App
from textual.widgets import Input

from duty_tui.core.tui.kit.fields import FormField
from duty_tui.core.tui.kit.form import Form


@pytest.mark.sqlite_only  # the area's both-database journey is test_housing_tui's triage
async def test_f6_puts_the_picker_up_before_the_form_and_builds_the_form_when_it_closes(engine):
    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(app, pilot, "options")
        await pilot.press("f6")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "PersonPickDialog"
        approach = app.screen_stack[-2]
        assert type(approach).__name__ == "ApproachScreen"
        assert not approach.query("#approach_date") and not approach.query("#notes")  # not yet built
        before = approach.answers()
        assert before["route"] == "self" and before["referral_consent"] == "unknown" and before["notes"] == ""
        await pilot.press("escape")  # no applicant yet: the officer goes to the form
        await wait_for(app, pilot, lambda: bool(approach.query("#notes")))
        await settle(app, pilot)
        assert app.screen is approach
        assert app.focused is approach.query_one("#approach_date", Input)  # the first question
        assert approach.answers() == before  # built as they were read: nothing counts as typed
        assert not approach.dirty and not approach.answer_form.dirty()
        # Tab reaches the later sections in order, after the last of the facts.
        approach.query_one("#relief_start", Input).focus()
        await pilot.press("tab")
        await settle(app, pilot)
        assert app.focused is approach.query_one("#household", Input)
        for key in "partner 34":
            await pilot.press(key if key != " " else "space")
            await pilot.pause(0.08)
        assert approach.answers()["household"] == "partner 34" and approach.dirty
        assert "Household" in screen_text(app)


async def test_form_values_do_not_query_the_dom_per_field(monkeypatch) -> None:
    specs = [FormField(f"f{i}", f"Field {i}", value=str(i)) for i in range(35)]

    class One(App[None]):
        def compose(self):
            yield Form(specs, id="form")

    app = One()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        form = app.query_one(Form)
        assert form.values()["f34"] == "34"
        calls = []
        real = Form.query

        def counting(self, selector=None):
            calls.append(selector)
            return real(self, selector)

        monkeypatch.setattr(Form, "query", counting)
        for _ in range(5):
            values = form.values()
        form.say("f3", "wrong")
        form.set_value("f2", "changed")
        assert values["f0"] == "0" and form.value("f2") == "changed" and form.has("f20") and not form.has("nope")
        assert calls == []  # one walk into an index, not 35 CSS queries a read
        # A section added later: its fields are found once mounted, and count as untouched.
        form.add_section("later", [FormField("late", "Late", value="x"),
                                   FormField("pick", "Pick", "choice", (("a", "A"), ("b", "B")), value="b")])
        await form.section_mounted["later"]
        assert form.value("late") == "x" and form.values()["pick"] == "b"
        form.set_value("f2", "2")
        assert not form.dirty()
