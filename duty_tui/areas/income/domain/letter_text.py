"""Filling a letter template from ``data/income/letters/`` (notices, the letter of claim and its forms):
one renderer for every income letter.

Values go in through ``inert`` and are never scanned again for placeholders. A placeholder alone on
its line is put in line by line (an address, the tenants, a table) and its line dropped when the value
is blank. Running text — two or more lines whose first is at least ``prose_min`` long, between headings
(capitals), lone placeholders and table lines (starting with two spaces, ``|`` or ``-``) — is filled
again to ``width`` once the values are in; any other line longer than ``width`` is wrapped on its own,
except a table's (indented) lines, which keep their shape. ``keep_together`` names what wrapping must
never break across lines (a date, a section number, a phone number).
"""

from __future__ import annotations

import re
import textwrap

from duty_tui.core.domain.validators import inert

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
TABLE_LINE = ("  ", "|", "-")
_GLUE = "\x00"


def _lone(line: str) -> str | None:
    """The placeholder a line holds alone, or None."""
    match = PLACEHOLDER.fullmatch(line.strip())
    return match.group(1) if match else None


def _heading(line: str) -> bool:
    return any(c.isalpha() for c in line) and line.upper() == line


def fill_template(template: str, values: dict[str, str], *, width: int, prose_min: int,
                  keep_together: re.Pattern[str] | None = None) -> list[str]:
    """The template filled, as lines (trailing blank lines dropped)."""
    out: list[str] = []
    run: list[str] = []

    def wrapped(text: str) -> list[str]:
        glued = keep_together.sub(lambda m: m.group(0).replace(" ", _GLUE), text) if keep_together else text
        lines = textwrap.wrap(glued, width, break_long_words=False, break_on_hyphens=False) or [""]
        return [line.replace(_GLUE, " ") for line in lines]

    def fill(line: str) -> str:
        return PLACEHOLDER.sub(lambda m: inert(values.get(m.group(1), ""), limit=None), line)

    def flush() -> None:
        if len(run) > 1 and len(run[0]) >= prose_min:
            out.extend(wrapped(" ".join(fill(line).strip() for line in run)))
        else:
            for line in run:
                filled = fill(line)
                out.extend(wrapped(filled) if len(filled) > width else [filled])
        run.clear()

    for line in template.splitlines():
        name = _lone(line)
        if name is None and line.strip() and not _heading(line) and not line.startswith(TABLE_LINE):
            run.append(line)
            continue
        flush()
        if name is not None:
            for part in inert(values.get(name, ""), limit=None).split("\n"):
                if part.strip():
                    out.extend(wrapped(part) if len(part) > width and not part.startswith("  ") else [part])
        else:
            out.append(fill(line))
    flush()
    while out and not out[-1].strip():
        out.pop()
    return out


__all__ = ["PLACEHOLDER", "fill_template"]
