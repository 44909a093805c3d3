"""A receipt on screen; p sends it to a printer, by email, to a browser or to a file."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Header, Static

from duty_tui.areas.payments.services.receipts import ReceiptView
from duty_tui.core.tui.kit.footer import DutyFooter
from duty_tui.core.tui.screens.base import DutyModal
from duty_tui.core.tui.text import plain

if TYPE_CHECKING:
    from duty_tui.core.services.documents import Sent


class ReceiptScreen(DutyModal):
    """The receipt just taken (or looked up): p sends it (printer, email, download or file).

    A layer over the form or statement it came from, not a place of its own (kit/navigation.py):
    Escape goes back to that screen, and from a receipt reprinted off a statement reached from the
    payment form the dashboard is still three Escapes away.
    """

    SCOPE_NAME = "receipt"
    TITLE = "Receipt"
    DEFAULT_CSS = """
    ReceiptScreen { background: $background; }
    ReceiptScreen #receipt-body { width: 46; height: auto; border: round $primary; padding: 0 1; margin: 0 1; }
    ReceiptScreen #receipt-saved { height: auto; margin: 0 1; color: $success; }
    """
    BINDINGS = [
        Binding("p", "print", "Print/send", id="receipt-print",
                tooltip="Send the receipt: this desk's printer, email, or a file (a download in a browser)"),
        Binding("escape,enter", "close", "Done", id="receipt-close", tooltip="Back to the payment form"),
    ]

    def __init__(self, receipt: ReceiptView) -> None:
        super().__init__()
        self.receipt = receipt
        self.saved: list[str] = []

    def compose(self) -> ComposeResult:
        from duty_tui.areas.payments.services.printing import receipt_lines

        yield Header()
        with VerticalScroll():
            yield Static(plain("\n".join(receipt_lines(self.receipt))), id="receipt-body")
            yield Static("p print or send · Enter/Esc done", id="receipt-saved")
        yield DutyFooter()

    def on_mount(self) -> None:
        self.title = f"Receipt {self.receipt.label}"

    def action_print(self) -> None:
        """Send the receipt: the desk's printer, email, a download in a browser, or a file (one dialog)."""
        from duty_tui.areas.payments.services.printing import receipt_document
        from duty_tui.core.tui.dialogs.send_document import SendDocumentDialog

        receipt = self.receipt
        self.app.push_screen(SendDocumentDialog(f"receipt {receipt.label}", lambda: receipt_document(receipt)),
                             self._sent)

    def _sent(self, sent: Sent | None) -> None:
        if sent is None:
            self.query_one("#receipt-saved", Static).update("Not sent · p send · Enter/Esc done")
            return
        self.saved = list(sent.paths)
        self.query_one("#receipt-saved", Static).update(plain(sent.message))
        self.duty_app.notify(f"Receipt {self.receipt.label}: {sent.message}")

    def action_close(self) -> None:
        """Back to the form."""
        self.app.pop_screen()
