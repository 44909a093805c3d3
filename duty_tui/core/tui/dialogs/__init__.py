"""Typed ModalScreen dialogs: the caller awaits a value, not a side effect."""
