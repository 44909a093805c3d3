"""A receipt on screen, printable as text and PDF."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

from typing import TYPE_CHECKING

from duty_tui.services.payments import ReceiptView
from duty_tui.tui.screens.base import DutyScreen
from duty_tui.tui.text import plain

if TYPE_CHECKING:
    from duty_tui.tui.documents import Delivered


class ReceiptScreen(DutyScreen):
    """The receipt just taken (or looked up): p prints it (a PDF download in a browser; text and PDF files here)."""

    SCOPE_NAME = "receipt"
    TITLE = "Receipt"
    DEFAULT_CSS = """
    ReceiptScreen #receipt-body { width: 46; height: auto; border: round $primary; padding: 0 1; margin: 0 1; }
    ReceiptScreen #receipt-saved { height: auto; margin: 0 1; color: $success; }
    """
    BINDINGS = [
        Binding("p", "print", "Print", id="receipt-print", tooltip="Save the receipt as a text file and a PDF to print"),
        Binding("escape,enter", "close", "Done", id="receipt-close", tooltip="Back to the payment form"),
    ]

    def __init__(self, receipt: ReceiptView) -> None:
        super().__init__()
        self.receipt = receipt
        self.saved: list[str] = []

    def compose(self) -> ComposeResult:
        from duty_tui.services.payments_print import receipt_lines

        yield Header()
        with VerticalScroll():
            yield Static(plain("\n".join(receipt_lines(self.receipt))), id="receipt-body")
            yield Static("p print (text + PDF) · Enter/Esc done", id="receipt-saved")
        yield Footer()

    def on_mount(self) -> None:
        self.title = f"Receipt {self.receipt.label}"

    def action_print(self) -> None:
        """The receipt to print: to this browser as a download, or saved as a text file and a PDF."""
        self.query_one("#receipt-saved", Static).update("Saving…")
        self.save()

    @work(thread=True, exclusive=True, exit_on_error=False, group="receipt")
    def save(self) -> None:
        from duty_tui.services.payments_print import receipt_document
        from duty_tui.tui.documents import deliver_document

        delivered = deliver_document(self.app, receipt_document(self.receipt))
        self.app.call_from_thread(self._saved, delivered)

    def _saved(self, delivered: Delivered) -> None:
        self.saved = delivered.paths
        self.query_one("#receipt-saved", Static).update(plain(delivered.message))
        self.duty_app.notify(f"Receipt {self.receipt.label}: {delivered.message}")

    def action_close(self) -> None:
        """Back to the form."""
        self.app.pop_screen()
