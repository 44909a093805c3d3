"""The start-up baseline: a bare Textual app with the same widgets as duty-tui's first screen.

Run headless; it exits as soon as its first screen has been drawn, exactly as
duty-tui does under DUTY_BENCH_EXIT_WHEN_READY=1.
"""

from textual.app import App, ComposeResult
from textual.containers import Center, Vertical
from textual.widgets import DataTable, Footer, Header, Input, Label, Static


class Baseline(App[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        with Center():
            with Vertical():
                yield Static("Sign in")
                yield Label("Username")
                yield Input(placeholder="your username")
                yield Label("Password")
                yield Input(placeholder="password", password=True)
                yield Static("")
        yield DataTable()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.call_after_refresh(self._ready)

    def _ready(self) -> None:
        import sys
        import time

        print(f"READY {time.time():.6f}", file=sys.stderr, flush=True)
        self.exit()


if __name__ == "__main__":
    Baseline().run(headless=True)
