"""Typer sub-apps for the command line, one module per area."""
