"""The Textual face of duty-tui. Only this package imports textual."""
