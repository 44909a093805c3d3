"""Handing a document to the browser in front of this session (textual-serve).

The send dialog (``duty_tui.core.tui.dialogs.send_document``) sends documents through
``duty_tui.core.services.documents``, which imports no Textual; a browser download needs the app, so
the dialog hands the service ``browser_download(dialog)``: the worker posts a ``DownloadReady``
message to the dialog, which hands the PDF, on the UI thread, to that browser with
``App.deliver_binary``: nothing is left on the server's disk, where the person at the browser
could not reach it and the server's other users might. In a terminal the service saves the
files in the user's own folder instead (``duty_tui.core.services.printable.save_document``);
Textual's own terminal fallback of ``deliver_binary`` is not used: it writes with the default
file mode and, in Textual 8.2, opens the file in text mode, so binary content fails.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

from textual.app import App
from textual.message import Message
from textual.message_pump import MessagePump

from duty_tui.core.services.printable import Document


@dataclass
class DownloadReady(Message, bubble=False):
    """A worker built a document for this session's browser; the UI thread hands it over (``deliver``)."""

    document: Document


def browser_download(target: MessagePump) -> Callable[[Document], None]:
    """A function a worker thread calls with a document: it posts ``DownloadReady`` to ``target``,
    whose handler calls ``deliver`` on the UI thread."""

    def download(document: Document) -> None:
        target.post_message(DownloadReady(document))

    return download


def deliver(app: App, document: Document) -> None:
    """Send the document's PDF to the browser in front of this session (on the UI thread)."""
    app.deliver_binary(io.BytesIO(document.pdf), save_filename=document.pdf_name, mime_type="application/pdf",
                       name=f"document:{document.name}")
