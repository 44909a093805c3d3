"""Handing a document to the browser in front of this session (textual-serve).

The send dialog (``duty_tui.tui.dialogs.send_document``) sends documents through
``duty_tui.services.documents``, which imports no Textual; a browser download needs the app, so
the dialog hands the service ``browser_download(app)``. The PDF goes to that browser with
``App.deliver_binary``: nothing is left on the server's disk, where the person at the browser
could not reach it and the server's other users might. In a terminal the service saves the
files in the user's own folder instead (``duty_tui.reports.documents.save_document``);
Textual's own terminal fallback of ``deliver_binary`` is not used: it writes with the default
file mode and, in Textual 8.2, opens the file in text mode, so binary content fails.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from textual.app import App

from duty_tui.reports.documents import Document


def browser_download(app: App) -> Callable[[Document], None]:
    """A function sending a document's PDF to this session's browser (call it from a worker thread)."""

    def download(document: Document) -> None:
        app.call_from_thread(app.deliver_binary, io.BytesIO(document.pdf), save_filename=document.pdf_name,
                             mime_type="application/pdf", name=f"document:{document.name}")

    return download
