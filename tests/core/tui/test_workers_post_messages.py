"""Workers post typed messages; none calls back into a screen through ``call_from_thread`` (issue 11 A).

STYLE.md habit 11 and kit/workers.py: a thread worker ends with ``self.post_message(SomeMessage(...))``
and the screen handles it with ``@on(SomeMessage)``; a failed worker goes through
``WorkerErrors.on_worker_error``. ``call_from_thread(callback, ...)`` closures were how the screens
did it before; this test keeps them from coming back. There is no documented exception: every
former use (the app's connect and keymap workers, the draft and database probes, the live-change
listener thread, the browser download) posts a message now.
"""

from __future__ import annotations

import ast
from pathlib import Path

import duty_tui
from duty_tui.core.tui.kit.workers import Done, Loaded

PACKAGE = Path(duty_tui.__file__).parent
TUI_FILES = sorted([*(PACKAGE / "core" / "tui").rglob("*.py"), *PACKAGE.glob("areas/*/tui/**/*.py")])


def _calls_from_thread(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("call_from_thread", "_call_from_thread"):
            lines.append(node.lineno)
        elif isinstance(node, ast.Name) and node.id == "call_from_thread":
            lines.append(node.lineno)
    return lines


def test_no_tui_module_calls_back_through_call_from_thread() -> None:
    assert len(TUI_FILES) > 40  # the core's screens and every area's
    found = {str(path.relative_to(PACKAGE.parent)): lines
             for path in TUI_FILES if (lines := _calls_from_thread(path))}
    assert not found, ("call_from_thread is back (post a typed Message from the worker and handle it with "
                       f"@on, see duty_tui/core/tui/kit/workers.py): {found}")


def test_the_guard_sees_a_call_from_thread(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def load(self):\n    self.app.call_from_thread(self._show, 1)\n", encoding="utf-8")
    assert _calls_from_thread(sample) == [2]


def test_kit_messages_stay_on_the_screen_that_posted_them() -> None:
    # A screen hears only its own worker: the kit's generic messages never bubble to the app
    # (where another screen's handler could take a stranger's view).
    assert Loaded.bubble is False and Done.bubble is False
    assert Done("Saved.").reload is True


async def test_a_worker_message_reaches_its_screen_from_a_thread() -> None:
    from textual import on, work
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    from duty_tui.core.tui.screens.base import DutyScreen

    class Probe(DutyScreen):
        def compose(self) -> ComposeResult:
            yield Static("", id="out")

        def on_mount(self) -> None:
            self.load()

        @work(thread=True, exit_on_error=False)
        def load(self) -> None:
            self.post_message(Loaded(["from", "a", "thread"]))

        @on(Loaded)
        def _loaded_view(self, message: Loaded) -> None:
            self.query_one("#out", Static).update(" ".join(message.view))
            self.heard = message.view

    class ProbeApp(App[None]):
        def on_mount(self) -> None:
            self.push_screen(Probe())

    app = ProbeApp()
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(100):
            await app.workers.wait_for_complete()
            await pilot.pause()
            if getattr(app.screen, "heard", None):
                break
        assert app.screen.heard == ["from", "a", "thread"]
        assert str(app.screen.query_one("#out", Static).render()) == "from a thread"
