"""Keymaps that would give one key to two actions (issue 11, C18 and C19).

C18: the vim keymap's list keys (`g` first row, `l` open) took keys screens use for themselves —
on a statement `g` opens Arrangements. The screen's action wins, and `duty-tui keys` says where.
C19: ``search = "f2,slash"`` with ``home = "f2"`` left both on F2 and blamed search's line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import NOW, seed_office
from pilot import build_app, quick_sign_in, settle, wait_for

from duty_tui.areas.payments.tui.account import AccountScreen
from duty_tui.core.config.settings import Settings
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.tui.app import make_app
from duty_tui.core.tui.keymaps import _active_together, binding_registry, effective_keys, load_keymap
from duty_tui.core.tui.widgets.table import DutyTable

KEYMAP_DIR = Path(__file__).resolve().parents[3] / "keymaps"
OLD_VIM = """# the vim keymap as shipped before issue 11
[bindings]
row-down = "down,j"
row-up = "up,k"
row-first = "home,g"
row-last = "end,G"
row-page-down = "pagedown,ctrl+f"
row-page-up = "pageup,ctrl+b"
row-open = "enter,l"
person-back = "escape,q,h"
"""


@pytest.fixture(scope="module")
def registry():
    return binding_registry()


def _shared_keys(registry, keymap) -> list[tuple[str, str, str]]:
    keys = effective_keys(registry, keymap)
    by_id = {info.id: info for info in registry}
    found = []
    ids = sorted(keys)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            for key in set(keys[a]) & set(keys[b]):
                if _active_together(by_id[a], by_id[b]):
                    found.append((key, a, b))
    return found


def test_a_user_keymap_moving_home_onto_search_key_blames_home_and_leaves_no_key_shared(registry, tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('[bindings]\nsearch = "f2,slash"\nhome = "f2"\n', encoding="utf-8")
    loaded = load_keymap(str(path), KEYMAP_DIR, registry)
    keys = effective_keys(registry, loaded.keymap)
    assert keys["search"][0] == "f2" and keys["home"] == ["f3"]  # F2 still searches; home keeps F3
    assert _shared_keys(registry, loaded.keymap) == []
    home_warning = next(w for w in loaded.warnings if "'f2'" in w)
    assert home_warning.startswith(f"{path}:3:") and "home" in home_warning  # line 3 took F2, not line 2
    for warning in loaded.warnings:  # every warning names the line that caused it
        line = int(warning.split(":")[1])
        culprit = path.read_text().splitlines()[line - 1].split("=")[0].strip()
        assert culprit in warning


@pytest.mark.parametrize("name", ["default", "vim"])
def test_no_shipped_keymap_gives_one_key_two_actions(registry, name):
    assert _shared_keys(registry, load_keymap(name, KEYMAP_DIR, registry).keymap) == []


def test_the_check_reports_list_keys_that_screens_use_with_their_lines(registry, tmp_path):
    path = tmp_path / "vim.toml"
    path.write_text(OLD_VIM, encoding="utf-8")
    loaded = load_keymap(str(path), KEYMAP_DIR, registry)
    notes = "\n".join(loaded.notes)
    assert f"{path}:5: key 'g' of row-first is also account-arrangements (account)" in notes
    assert f"{path}:9: key 'l' of row-open is also callers-left (callers)" in notes


@pytest.mark.sqlite_only  # keys, not data
async def test_with_vim_keys_g_on_a_statement_opens_arrangements_not_the_first_row(engine):
    seed_office(engine)
    settings = Settings(db_url=str(engine.url), keymap="vim")
    ctx = ServiceContext.create(engine, settings, terminal="pilot", clock=lambda: NOW)
    app = make_app(settings, ctx=ctx, demo=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await quick_sign_in(app, pilot, "leader")
        app.push_screen(AccountScreen("RNT000001"))
        await settle(app, pilot)
        app.screen.query_one("#acct-rows", DutyTable).focus()
        await settle(app, pilot)
        assert isinstance(app.focused, DutyTable)
        # The footer says what g does here, and g does it.
        assert app.screen.active_bindings["g"].binding.action == "arrangements"
        await pilot.press("g")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ArrangementsScreen"


@pytest.mark.sqlite_only  # keys, not data
async def test_with_vim_keys_l_on_the_callers_list_marks_the_caller_left(engine):
    from duty_tui.areas.frontdesk.services.callers import add_arrival
    from duty_tui.areas.frontdesk.tui.callers import CallersScreen

    seed_office(engine)
    app = build_app(engine, keymap="vim")
    async with app.run_test(size=(80, 24)) as pilot:
        await quick_sign_in(app, pilot)
        add_arrival(app.ctx, name="Ms Khan")
        await pilot.press("f8")
        await settle(app, pilot)
        assert isinstance(app.screen, CallersScreen)
        waiting = app.screen.query_one("#waiting", DutyTable)
        assert await wait_for(app, pilot, lambda: waiting.row_count == 1)
        assert app.focused is waiting
        assert app.screen.active_bindings["l"].binding.action == "finish('left')"
        await pilot.press("l")
        await settle(app, pilot)
        assert isinstance(app.screen, CallersScreen)  # not a contact opened on the row
        message = str(app.screen.query_one("#callers-message").render())
        assert "Ms Khan: left without being seen" in message
        assert await wait_for(app, pilot, lambda: waiting.row_count == 0)
