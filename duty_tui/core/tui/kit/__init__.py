"""The shared UI kit: one form, one confirm dialog, one worker-error path, one list, one person picker
(and, imported by their own paths: navigation, change notices, type-ahead).

Names are loaded on first use (PEP 562) so that importing one part of the kit, or the
screens' base module, does not import the rest.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Check": "choices", "Choice": "choices", "ConfirmDialog": "dialogs", "DateValidator": "validators",
    "FORM_RULE": "form", "Form": "form", "FormDialog": "form_screen", "FormField": "fields", "FormScreen": "form_screen",
    "LinesInput": "fields", "ManyChoice": "choices", "MoneyValidator": "validators",
    "NoCardDataValidator": "validators", "TextInput": "fields",
    "WorkerErrors": "workers", "read_values": "values", "write_values": "values",
    "Column": "list_table", "DutyTable": "list_table", "ListRow": "list_table", "ListTable": "list_table",
    "share_widths": "list_table", "ListPage": "list_screen", "ListScreen": "list_screen", "Sort": "list_screen",
    "count_line": "list_screen", "PersonPicker": "person_picker",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
