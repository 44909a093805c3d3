"""A paste arrives whole and in order, whatever it holds.

Textual's terminal parser reads a bracketed paste (``ESC[200~ … ESC[201~``) character by
character, and an ESC inside the pasted text starts an escape-sequence search that reads
the characters after it *outside* the paste buffer: they are re-issued as key presses
(the ESC itself as ``^``), delivered before the Paste event that carries the text before
the ESC. ``Smith [x] <ESC>[31mRED`` pasted into a box became ``^[31mRED Smith [x]``.

``OrderedPasteParser`` takes a bracketed paste out of the byte stream before the parser
sees it and hands it on as one ``events.Paste`` with every character in its place (the
app's paste sanitising then shows the ESC as a visible symbol). Everything outside a
paste goes to Textual's parser unchanged. ``install()`` makes the terminal drivers use it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from textual import constants, events
from textual._xterm_parser import XTermParser
from textual.message import Message

__all__ = ["OrderedPasteParser", "install"]

PASTE_START = "\x1b[200~"
PASTE_END = "\x1b[201~"


def _partial_tail(data: str, marker: str) -> int:
    """How many characters at the end of ``data`` could be the start of ``marker`` (0 when none)."""
    for size in range(min(len(marker) - 1, len(data)), 0, -1):
        if marker.startswith(data[-size:]):
            return size
    return 0


class OrderedPasteParser(XTermParser):
    """Textual's XTerm parser, with bracketed pastes delivered whole and in order."""

    def __init__(self, debug: bool = False) -> None:
        super().__init__(debug)
        self._pasting: list[str] | None = None  # the paste being read, None outside a paste
        self._held = ""  # the end of a chunk that may be the start of a paste marker
        self._held_at = 0.0

    def feed(self, data: str) -> Iterable[Message]:
        return list(self._feed(data))

    def _feed(self, data: str) -> Iterable[Message]:
        if data == "":  # end of input: flush whatever is held
            held, self._held = self._held, ""
            if self._pasting is not None:
                yield events.Paste(("".join(self._pasting) + held).replace("\x00", ""))
                self._pasting = None
            elif held:
                yield from super().feed(held)
            yield from super().feed("")
            return
        data = self._held + data
        self._held = ""
        while data:
            if self._pasting is not None:
                end = data.find(PASTE_END)
                if end < 0:
                    keep = _partial_tail(data, PASTE_END)
                    self._pasting.append(data[:len(data) - keep])
                    self._hold(data[len(data) - keep:])
                    return
                self._pasting.append(data[:end])
                # NUL cannot be stored or shown; Textual drops it from pastes too (textual#1661).
                yield events.Paste("".join(self._pasting).replace("\x00", ""))
                self._pasting = None
                data = data[end + len(PASTE_END):]
                continue
            start = data.find(PASTE_START)
            if start < 0:
                keep = _partial_tail(data, PASTE_START)
                if keep == 1:
                    keep = 0  # a lone ESC is the Escape key (or a sequence's start): Textual times it out
                if data[:len(data) - keep]:
                    yield from super().feed(data[:len(data) - keep])
                self._hold(data[len(data) - keep:])
                return
            if start:
                yield from super().feed(data[:start])
            self._pasting = []
            data = data[start + len(PASTE_START):]

    def _hold(self, tail: str) -> None:
        self._held = tail
        self._held_at = time.monotonic()

    def tick(self) -> Iterable[Message]:
        # A held "ESC[2" that no more input follows was typed keys, not a paste marker.
        if self._held and self._pasting is None and time.monotonic() - self._held_at > constants.ESCAPE_DELAY:
            held, self._held = self._held, ""
            yield from super().feed(held)
        yield from super().tick()


def install() -> None:
    """Make Textual's terminal drivers (Linux, inline, web) read input with ``OrderedPasteParser``."""
    import importlib

    for name in ("linux_driver", "linux_inline_driver", "web_driver"):
        try:
            module = importlib.import_module(f"textual.drivers.{name}")
        except ImportError:  # a driver this platform cannot load (termios on Windows)
            continue
        if getattr(module, "XTermParser", None) is XTermParser:
            module.XTermParser = OrderedPasteParser  # type: ignore[attr-defined]  # patching textual's driver module
