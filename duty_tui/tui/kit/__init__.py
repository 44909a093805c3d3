"""The shared UI kit: what every screen uses (forms, lists, pickers, dialogs, navigation, change notices)."""
