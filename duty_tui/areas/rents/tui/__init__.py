"""Rents: tui."""
