"""The contacts report as CSV (``duty-tui report contacts``): one row per contact, header first.

The rows name no one, but they tie case refs, caller types, identity checks and staff to dates,
so producing the report is audited ("contact.report", the period) before any row is read.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date
from typing import TextIO

from duty_tui.areas.frontdesk.services.stats import REPORT_COLUMNS, contact_report_rows
from duty_tui.core.domain.validators import inert
from duty_tui.core.services.audit import record_read
from duty_tui.core.services.context import ServiceContext


def write_csv(rows: Iterable[dict[str, str]], out: TextIO) -> int:
    """Write the header and the rows; returns how many rows. Cells that a spreadsheet would run as a
    formula (starting = + - @) are prefixed with an apostrophe; controls in a cell are shown as
    symbols (the CSV usually lands on a terminal first)."""
    writer = csv.DictWriter(out, fieldnames=list(REPORT_COLUMNS), lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow({key: _safe(value) for key, value in row.items()})
        count += 1
    return count


def _safe(value: str) -> str:
    value = inert(value, limit=None)
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def contacts_csv(ctx: ServiceContext, start: date, end: date, out: TextIO) -> int:
    """The period's contacts as CSV on ``out`` (audited first: a refusal or an audit failure prints nothing)."""
    rows = contact_report_rows(ctx, start, end)  # checks the permission and the period; reads nothing yet
    record_read(ctx, "contact.report", "contacts", f"{start.isoformat()}/{end.isoformat()}",
                {"from": start.isoformat(), "to": end.isoformat()})
    return write_csv(rows, out)
