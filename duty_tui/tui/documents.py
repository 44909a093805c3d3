"""Where a printed document goes: to the person in front of this session.

In a browser session (textual-serve) the PDF is sent to that browser as a download
(``App.deliver_binary``): nothing is left on the server's disk, where the person at the
browser could not reach it and the server's other users might. In a terminal the text and
PDF are saved in the user's own data folder, readable by them only
(``duty_tui.reports.documents.save_document``). Textual's own terminal fallback of
``deliver_binary`` is not used: it writes with the default file mode and, in Textual 8.2,
opens the file in text mode, so binary content fails.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from textual.app import App

from duty_tui.reports.documents import Document, save_document


@dataclass(frozen=True)
class Delivered:
    """What became of a document: the files saved (none in a browser) and a line to tell the user."""

    paths: list[str]
    message: str


def deliver_document(app: App, document: Document) -> Delivered:
    """Send ``document`` to this session's browser, or save it for this terminal's user. Call from a worker thread."""
    if app.is_web:
        app.call_from_thread(app.deliver_binary, io.BytesIO(document.pdf), save_filename=document.pdf_name,
                             mime_type="application/pdf", name=f"document:{document.name}")
        return Delivered([], f"{document.pdf_name} sent to this browser as a download")
    paths = [str(path) for path in save_document(document)]
    return Delivered(paths, "Saved to print: " + " and ".join(paths))
