"""Typing at human pace for the issue-11 desk journeys (one key at a time, a typing rhythm between)."""

from __future__ import annotations

from textual.keys import _character_to_key

PACE = 0.08
"""Seconds between keys: a typing rhythm, not a wait for work (waits are wait_for / settle)."""


async def press(pilot, *names: str) -> None:
    """Press each key on its own, as a person does."""
    for name in names:
        await pilot.press(name)
        await pilot.pause(PACE)


async def type_text(pilot, text: str) -> None:
    """Type ``text`` one character at a time."""
    await press(pilot, *[c if c.isalnum() else _character_to_key(c) for c in text])
