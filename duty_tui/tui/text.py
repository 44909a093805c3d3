"""Turning stored data into inert screen text.

Everything that came from a person or a file is shown through ``plain()``:
Rich/Textual markup is not interpreted and control characters (including
terminal escape sequences) are shown as visible symbols, so nothing in the
data can restyle the screen or reach the terminal.
"""

from __future__ import annotations

from rich.text import Text

# C0 controls map to the Unicode "control pictures" block (U+2400...), DEL to U+2421.
_CONTROL_PICTURES = {code: chr(0x2400 + code) for code in range(0x20) if code != 0x0A}  # keep newlines
_CONTROL_PICTURES[0x7F] = "\u2421"
_CONTROL_PICTURES[0x09] = " "  # a tab is just space on screen
# C1 controls (0x80-0x9F) include CSI; show them as a replacement character.
_CONTROL_PICTURES.update({code: "\ufffd" for code in range(0x80, 0xA0)})
_TRANSLATE = str.maketrans(_CONTROL_PICTURES)


def visible(value: object) -> str:
    """The value as a string with control characters made visible."""
    return ("" if value is None else str(value)).translate(_TRANSLATE)


def plain(value: object, style: str = "") -> Text:
    """Inert Text for a cell or a Static: no markup, no control codes."""
    return Text(visible(value), style=style, no_wrap=False)


def dash(value: object) -> Text:
    """Like plain(), but an em dash for a missing value."""
    return plain("—" if value in (None, "") else value)


def due_cells(due, now, calendar=None, *, hours: bool = False) -> tuple[Text, Text]:
    """(marker, label) for a due time: the marker is text ("!! OVERDUE"), not colour alone.

    Case clocks run in working days unless ``hours`` (emergency hazards run in hours).
    """
    from duty_tui.domain.clocks import Deadline, WorkingCalendar, describe_due
    from duty_tui.domain.local_time import local_date, to_local

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
