"""Issue 11 round 2 (R2): readable at 80x24 — ticks in text, columns, dates, footers and contrast.

Every check drives the real app at 80x24 with Pilot and reads what is on the screen.
"""

from __future__ import annotations

import pytest
from builders import seed_office
from fd_pilot import SIZE, build_app, screen_text, settle

from duty_tui.services.auth import find_actor
from duty_tui.tui.kit.form import Check, Choice, ManyChoice


async def human(pilot, *names: str) -> None:
    for name in names:
        await pilot.press(name)
        await pilot.pause(0.08)


def region_lines(app, widget) -> list[str]:
    """The screen rows a widget covers, cut to its columns (what a person sees of it)."""
    region = widget.region
    rows = screen_text(app).splitlines()
    return [rows[y][region.x:region.right] for y in range(region.y, region.bottom) if y < len(rows)]


def on_screen(app, widget) -> bool:
    """True when the whole widget is visible (not scrolled out of its form)."""
    found = app.screen._compositor.visible_widgets.get(widget)
    if found is None:
        return False
    region, clip = found
    if not (region.area > 0 and clip.contains_region(region)):
        return False
    try:  # not covered by an open list or a toast
        top, _ = app.screen.get_widget_at(region.x, region.y)
    except Exception:
        return False
    return top is widget or widget in top.ancestors


def check_ticks_in_text(app) -> int:
    """Every choice and tick on the screen says in text whether it is chosen; a mark is never parted from its label."""
    text = screen_text(app)
    assert "▐X▌" not in text and "▐" not in text, text
    seen = 0
    for widget in app.screen.query(Choice):
        if not on_screen(app, widget):
            continue
        lines = region_lines(app, widget)
        if not widget.inline:  # one line: the chosen option's mark and whole label
            mark = "( )" if widget.value is None else "(•)"
            wanted = f"{mark} {widget.label_of(widget.value)}"[:len(lines[0]) - 4]
            assert any(wanted in line for line in lines), "\n".join(lines)
            seen += 1
            continue
        joined = "\n".join(lines)
        for value, label in widget.options:
            mark = "(•)" if value == widget.value else "( )"
            first_word = label.split()[0]
            assert any(f"{mark} {first_word}" in line for line in lines), (
                f"{widget.id}: {mark} {label!r} is not whole on one line:\n{joined}")
        seen += 1
    for widget in app.screen.query(Check):
        if not on_screen(app, widget):
            continue
        first = region_lines(app, widget)[0].lstrip()
        assert first.startswith("[x] " if widget.value else "[ ] "), f"{widget.id}: {first!r}"
        seen += 1
    for widget in app.screen.query(ManyChoice):
        if not on_screen(app, widget):
            continue
        joined = "\n".join(region_lines(app, widget))
        assert "[ ]" in joined or "[x]" in joined, joined
        seen += 1
    return seen


@pytest.mark.sqlite_only  # the screens, not the data
async def test_every_choice_and_tick_on_the_approach_contact_and_payment_forms_reads_in_text(engine):
    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.signed_in(find_actor(app.ctx, "leader"))
        await settle(app, pilot)
        for key in ("f6", "f4", "f5"):
            await human(pilot, key)
            await settle(app, pilot)
            if app.screen.is_modal:  # the applicant picker opens first: look at the form behind it
                await human(pilot, "escape")
                await settle(app, pilot)
            assert check_ticks_in_text(app) > 0, f"{key}: no choices found\n{screen_text(app)}"
            # Chosen by keyboard: the marks follow (Tab through the first fields, choosing with the arrows).
            for _ in range(4):
                await human(pilot, "tab", "right")
                await settle(app, pilot)
                check_ticks_in_text(app)


@pytest.mark.sqlite_only  # the screens, not the data
async def test_the_callers_board_title_is_whole_at_80_and_the_office_shows_when_there_is_room(engine):
    """Staff saw the header cut ("Callers waiting — … Ri…") at 80: the office goes first, then the role."""
    seed_office(engine)
    app = build_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.signed_in(find_actor(app.ctx, "leader"))
        await settle(app, pilot)
        await human(pilot, "f8")
        await settle(app, pilot)
        header = screen_text(app).splitlines()[0]
        assert "Callers waiting — Lee Leader · Team leader" in header and "…" not in header, header
        await pilot.resize_terminal(200, 30)
        await settle(app, pilot)
        header = screen_text(app).splitlines()[0]
        assert f"Callers waiting — Lee Leader · Team leader · {app.settings.office_name}" in header, header
        await pilot.resize_terminal(*SIZE)
        await settle(app, pilot)
        header = screen_text(app).splitlines()[0]
        assert "Callers waiting — Lee Leader · Team leader" in header and "…" not in header, header
