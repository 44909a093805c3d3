"""The contacts report as CSV (``duty-tui report contacts``): one row per contact, header first."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date
from typing import TextIO

from duty_tui.services.context import ServiceContext
from duty_tui.services.frontdesk_stats import REPORT_COLUMNS, contact_report_rows


def write_csv(rows: Iterable[dict[str, str]], out: TextIO) -> int:
    """Write the header and the rows; returns how many rows. Cells that a spreadsheet would run as a
    formula (starting = + - @) are prefixed with an apostrophe."""
    writer = csv.DictWriter(out, fieldnames=list(REPORT_COLUMNS), lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow({key: _safe(value) for key, value in row.items()})
        count += 1
    return count


def _safe(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def contacts_csv(ctx: ServiceContext, start: date, end: date, out: TextIO) -> int:
    """The period's contacts as CSV on ``out``."""
    return write_csv(contact_report_rows(ctx, start, end), out)
