"""One Screen per file. ``all_screens()`` finds them all, for the key reference (docs/KEYS.md)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil


def all_screens() -> list[type]:
    """Every DutyScreen / DutyModal subclass defined in this package, in module order."""
    from duty_tui.core.tui.screens.base import DutyModal, DutyScreen

    found: list[type] = []
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for _name, obj in inspect.getmembers(module, inspect.isclass):
            if (issubclass(obj, (DutyScreen, DutyModal)) and obj not in (DutyScreen, DutyModal)
                    and obj.__module__ == module.__name__ and obj not in found):
                found.append(obj)
    return found
