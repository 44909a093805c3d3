"""Show a letter: a preview before it is issued, or a notice already issued.

``push_screen(LetterDialog(title, text, can_issue=True), callback)``: the callback gets
"issue", "pdf" or None.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from duty_tui.core.tui.screens.base import DutyModal
from duty_tui.core.tui.text import plain


class LetterDialog(DutyModal):  # dismisses with "issue" | "pdf" | None
    """A letter's text, scrollable; i to issue (a preview), p to print or send (issued), Esc to close."""

    SCOPE_NAME = "letter"
    DEFAULT_CSS = """
    LetterDialog { align: center middle; }
    LetterDialog > Vertical { width: 96%; height: 96%; border: thick $primary; background: $surface; padding: 0 1; }
    LetterDialog #letter-title { text-style: bold; }
    LetterDialog #letter-scroll { height: 1fr; }
    LetterDialog #letter-keys { color: $text-muted; }
    """
    BINDINGS = [
        Binding("i,f9", "issue", "Issue", id="housing-letter-issue", tooltip="Issue this letter: record it and its review date"),
        Binding("p", "pdf", "Print/send", id="housing-letter-pdf",
                tooltip="Send the issued letter: a printer, email, or a PDF file (a download in a browser)"),
        Binding("escape", "close", "Close", id="housing-letter-close", tooltip="Close the letter"),
        Binding("down,j", "scroll_letter(1)", "Scroll", id="housing-letter-down", show=False, tooltip="Scroll down"),
        Binding("up,k", "scroll_letter(-1)", "Scroll up", id="housing-letter-up", show=False, tooltip="Scroll up"),
        Binding("pagedown,space", "scroll_letter(10)", "Page", id="housing-letter-page-down", show=False,
                tooltip="Scroll a page down"),
        Binding("pageup", "scroll_letter(-10)", "Page up", id="housing-letter-page-up", show=False, tooltip="Scroll a page up"),
    ]

    def __init__(self, title: str, text: str, *, can_issue: bool) -> None:
        super().__init__()
        self.letter_title = title
        self.text = text
        self.can_issue = can_issue

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain(("PREVIEW — not yet issued: " if self.can_issue else "Issued: ") + self.letter_title),
                         id="letter-title")
            with VerticalScroll(id="letter-scroll"):
                yield Static(plain(self.text), id="letter-text")
            yield Static("i / F9 issue · Esc close · ↑↓ scroll" if self.can_issue
                         else "p print or send · Esc close · ↑↓ scroll", id="letter-keys")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "issue":
            return self.can_issue
        if action == "pdf":
            return not self.can_issue
        return True

    def action_issue(self) -> None:
        """Issue the previewed letter."""
        self.dismiss("issue")

    def action_pdf(self) -> None:
        """Send the issued letter (the send dialog opens)."""
        self.dismiss("pdf")

    def action_close(self) -> None:
        """Close."""
        self.dismiss(None)

    def action_scroll_letter(self, lines: int) -> None:
        """Scroll the letter."""
        self.query_one("#letter-scroll", VerticalScroll).scroll_relative(y=lines, animate=False)
