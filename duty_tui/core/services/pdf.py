"""Plain, printable PDFs (receipts, letters, statements) from lines of text, with fpdf2.

Kept deliberately simple: A4, a monospaced core font, one line per line. Every
line goes through ``inert`` first (the one path for human-readable output: an ESC,
BEL or OSC 52 sequence in a stored name becomes a visible symbol, never a control),
then is encoded to Latin-1 for the core font (the pound sign survives; characters
outside Latin-1, the visible symbols included, become '?'), so nothing in the data
can break the document or act on whatever later shows its text.
"""

from __future__ import annotations

from fpdf import FPDF

from duty_tui.core.domain.validators import inert


def _latin1(text: str) -> str:
    return inert(text, limit=None).encode("latin-1", "replace").decode("latin-1")


def text_pdf(title: str, lines: list[str], *, font_size: int = 10) -> bytes:
    """A PDF with ``title`` in bold and ``lines`` below it, page breaks as needed."""
    pdf = FPDF(format="A4")
    pdf.set_title(_latin1(title))
    pdf.set_creator("duty-tui")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Courier", style="B", size=font_size + 2)
    pdf.multi_cell(0, 6, _latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Courier", size=font_size)
    for line in lines:
        pdf.multi_cell(0, 5, _latin1(line) if line else " ", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def pages_pdf(title: str, pages: list[list[str]], *, font_size: int = 10) -> bytes:
    """A PDF of several documents sent together (a letter and its forms): each page list starts a new page,
    the first headed ``title`` in bold; long pages break as needed."""
    pdf = FPDF(format="A4")
    pdf.set_title(_latin1(title))
    pdf.set_creator("duty-tui")
    pdf.set_auto_page_break(auto=True, margin=15)
    for number, lines in enumerate(pages):
        pdf.add_page()
        if number == 0:
            pdf.set_font("Courier", style="B", size=font_size + 2)
            pdf.multi_cell(0, 6, _latin1(title), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        pdf.set_font("Courier", size=font_size)
        for line in lines:
            pdf.multi_cell(0, 5, _latin1(line) if line else " ", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
