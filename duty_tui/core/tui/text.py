"""Turning stored data into inert screen text.

Everything that came from a person or a file is shown through ``plain()``:
Rich/Textual markup is not interpreted and control characters (including
terminal escape sequences) are shown as visible symbols, so nothing in the
data can restyle the screen or reach the terminal.
"""

from __future__ import annotations

from rich.text import Text

from duty_tui.core.domain.validators import MAX_MARKS, PLAIN_LIMIT, inert

__all__ = ["MAX_MARKS", "PLAIN_LIMIT", "dash", "due_cells", "plain", "visible"]


def visible(value: object, *, limit: int | None = PLAIN_LIMIT) -> str:
    """The value as a string with control characters made visible (``duty_tui.core.domain.validators.inert``).

    Nothing in it can reach the terminal as a control: C0/C1 controls, ESC and CSI, bidi overrides,
    line separators and lone surrogates are shown as visible symbols; runs of combining marks are cut
    to MAX_MARKS per letter; and over ``limit`` characters the rest is replaced by a note of how many.
    """
    return inert(value, limit=limit)


def plain(value: object, style: str = "", *, limit: int | None = PLAIN_LIMIT) -> Text:
    """Inert Text for a cell or a Static: no markup, no control codes, at most ``limit`` characters."""
    return Text(visible(value, limit=limit), style=style, no_wrap=False)


def dash(value: object) -> Text:
    """Like plain(), but an em dash for a missing value."""
    return plain("—" if value in (None, "") else value)


def due_cells(due, now, calendar=None, *, hours: bool = False) -> tuple[Text, Text]:
    """(marker, label) for a due time: the marker is text ("!! OVERDUE"), not colour alone.

    Case clocks run in working days unless ``hours`` (emergency hazards run in hours).
    """
    from duty_tui.core.domain.clocks import Deadline, WorkingCalendar, describe_due
    from duty_tui.core.domain.local_time import local_date, to_local

    if due is None:
        return plain(""), plain("no due date")
    calendar = calendar or WorkingCalendar("england")
    if hours:
        status = describe_due(Deadline(to_local(due), "hours"), to_local(now), calendar)
    else:
        status = describe_due(Deadline(local_date(due), "working_days"), local_date(now), calendar)
    label = status.label
    if label.startswith("due next working day ("):  # keep queue columns narrow at 80x24
        label = "due " + label.removeprefix("due next working day (").rstrip(")")
    style = {"overdue": "bold red", "due_today": "bold yellow"}.get(status.state, "")
    marker = {"overdue": "!!", "due_today": "!"}.get(status.state, "")
    return Text(marker, style=style), Text(label, style=style)


def alert_banner(alerts) -> Text:
    """The alert banner a person's screens open with (the person view, the contact form): how many, then
    one line per alert — its category, "(property)" when it is held on the home, the summary and any
    further detail — every stored value shown literally."""
    text = Text()
    text.append(f" ⚠ {len(alerts)} ALERT{'S' if len(alerts) > 1 else ''} ", style="bold reverse")
    for alert in alerts:
        text.append("\n ▲ ")
        text.append(plain(alert.category_name, style="bold"))
        if alert.on == "property":
            text.append(" (property)")
        text.append(": ")
        text.append(plain(alert.summary))
        if alert.detail and alert.detail != alert.summary:
            text.append(" — ")
            text.append(plain(alert.detail, style="italic"))
    return text
