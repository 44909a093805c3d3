"""A receipt on screen, printable as text and PDF."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

from duty_tui.services.payments import ReceiptView
from duty_tui.tui.screens.base import DutyScreen
from duty_tui.tui.text import plain


class ReceiptScreen(DutyScreen):
    """The receipt just taken (or looked up): p prints it to a text file and a PDF."""

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
        """Write the receipt to a text file and a PDF."""
        self.query_one("#receipt-saved", Static).update("Saving…")
        self.save()

    @work(thread=True, exclusive=True, exit_on_error=False, group="receipt")
    def save(self) -> None:
        from duty_tui.services.payments_print import receipt_lines, receipt_pdf, save_document

        paths = save_document("receipts", f"receipt-{self.receipt.label}", receipt_lines(self.receipt),
                              receipt_pdf(self.receipt))
        self.app.call_from_thread(self._saved, [str(p) for p in paths])

    def _saved(self, paths: list[str]) -> None:
        self.saved = paths
        self.query_one("#receipt-saved", Static).update(plain("Saved to print: " + " and ".join(paths)))
        self.duty_app.notify(f"Receipt {self.receipt.label} saved: {paths[-1]}")

    def action_close(self) -> None:
        """Back to the form."""
        self.app.pop_screen()
