"""A printable document, and where it is kept outside a browser.

A ``Document`` is the same lines as text and as a PDF (or a PDF alone, for letters). Both
pass every line through ``duty_tui.core.domain.validators.inert``, the one path for human-readable
output: a stored name holding ESC, BEL or an OSC 52 clipboard sequence prints as visible
symbols, never as a control to the terminal, pager or editor that later shows the file.

Where a document goes is chosen in the send dialog and done by ``duty_tui.core.services.documents``
(docs/DOCUMENTS.md): a printer, email, a download in a browser session, or in a terminal
``save_document``, which writes the files under the user's own data folder, readable by that
user only (folders 0700, files 0600).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir

from duty_tui.core.domain.validators import inert
from duty_tui.core.services.pdf import text_pdf


@dataclass(frozen=True)
class Document:
    """A printable document: the same lines as inert text and as a PDF, and the name to file them under."""

    kind: str
    """The folder it is saved in outside a browser: receipts, statements, cashups."""
    name: str
    """The file name without its extension (letters, digits, ``_.-`` only)."""
    text: str | None
    """The text file's content (inert), or None for a document kept as a PDF only."""
    pdf: bytes
    title: str = ""
    """What it is, for people: "Receipt MAIN-000123" (an email's subject, a print job's title)."""
    entity: str | None = None
    """The record it is about, as the audit trail names it: payment, account, cashup, case."""
    entity_id: str | None = None
    """That record's reference: the receipt number, account ref, cash-up ref or case ref."""

    @property
    def pdf_name(self) -> str:
        """The PDF's file name."""
        return f"{self.name}.pdf"

    @property
    def text_name(self) -> str:
        """The text file's name."""
        return f"{self.name}.txt"


def document_text(lines: list[str]) -> str:
    """The lines as the text of a document: each through ``inert`` (controls made visible), nothing cut."""
    return "".join(inert(line, limit=None) + "\n" for line in lines)


def file_stem(name: str) -> str:
    """``name`` made safe as a file name: letters, digits and ``_.-`` only, at most 80 characters."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:80].lstrip(".") or "document"


def make_document(kind: str, name: str, title: str, lines: list[str], *, font_size: int = 10,
                  about: tuple[str, str] | None = None) -> Document:
    """A document of ``lines``: text and a PDF headed ``title``; ``about`` is its record (entity, ref)."""
    entity, entity_id = about or (None, None)
    return Document(kind, file_stem(name), document_text(lines), text_pdf(title, lines, font_size=font_size),
                    inert(title, limit=200), entity, entity_id)


def pdf_document(kind: str, file_name: str, pdf: bytes, *, title: str = "",
                 about: tuple[str, str] | None = None) -> Document:
    """A document kept as a PDF only (an issued letter), filed as ``file_name`` (its .pdf dropped)."""
    stem = file_name[:-4] if file_name.lower().endswith(".pdf") else file_name
    entity, entity_id = about or (None, None)
    return Document(kind, file_stem(stem), None, pdf, inert(title or stem, limit=200), entity, entity_id)


def documents_dir(kind: str) -> Path:
    """Where saved documents of a kind go: made if missing, open to this user only (0700)."""
    base = Path(user_data_dir("duty-tui"))
    base.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder = base / file_stem(kind)
    folder.mkdir(mode=0o700, exist_ok=True)
    os.chmod(folder, 0o700)  # receipts and statements name people and their balances
    return folder


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` readable by this user only (0600), never through a symlink."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), 0o600)  # an older file of the same name may have been made with wider modes
        handle.write(data)


def save_document(document: Document) -> list[Path]:
    """Write the document's .txt (if it has one) and .pdf in its folder, each 0600; returns the paths."""
    folder = documents_dir(document.kind)
    paths = []
    if document.text is not None:
        paths.append(folder / document.text_name)
        _write_private(paths[-1], document.text.encode("utf-8"))
    paths.append(folder / document.pdf_name)
    _write_private(paths[-1], document.pdf)
    return paths
