"""What the command line writes: JSON on stdout, one-line text, and files in an --out folder.

Three rules, one place each, so no command has its own copy:

- ``dump_json``: every ``--json`` output. Control characters (C0, DEL, C1), bidi and other format
  characters, line separators and lone surrogates are written as ``\\uXXXX`` escapes, so the
  value round-trips exactly through ``json.loads`` but no raw control or bidi character reaches
  the terminal or a log that a person reads (a stored name holding ESC, an OSC 52 clipboard
  write or U+202E prints as text).
- ``one_line``: every stored value printed in human-readable output, made inert
  (``domain.validators.inert``, as the TUI shows it) and kept to one line (a newline in a
  stored name cannot start a forged line of output).
- ``OutputFolder``: an ``--out`` folder must be new or empty and not a symbolic link; files are
  created new (never over an existing file, never through a link) and private to the user.

Imports nothing heavy: the CLI loads it before the database layer.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from duty_tui.core.domain.errors import InputError
from duty_tui.core.domain.validators import inert

# --- JSON -------------------------------------------------------------------------------

_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
"""Controls, format characters (bidi embeddings/overrides/isolates, marks, zero-width joiners,
BOM, tags), lone surrogates, line and paragraph separators."""
_NOT_PRINTABLE_ASCII = re.compile("[^\x20-\x7e\n]")
"""json.dumps escapes a newline inside a string itself; a raw one is indent's layout, and stays."""


@lru_cache(maxsize=4096)
def _json_char(char: str) -> str:
    if unicodedata.category(char) not in _ESCAPED_CATEGORIES:
        return char
    code = ord(char)
    if code > 0xFFFF:  # an astral format character (e.g. a tag character): a surrogate pair, as JSON spells it
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def dump_json(value: Any, *, indent: int | None = None, default: Any = None) -> str:
    """``value`` as JSON text that is inert on a terminal and gives back exactly ``value`` to ``json.loads``.

    Printable characters, accented and non-Latin letters and emoji stay as they are; only the
    characters a terminal could act on, or that reorder or hide text, become ``\\uXXXX``.
    """
    text = json.dumps(value, ensure_ascii=False, indent=indent, default=default)
    # Outside strings JSON is printable ASCII, so every character replaced here is inside a string,
    # where a \\uXXXX escape means the same character.
    return _NOT_PRINTABLE_ASCII.sub(lambda m: _json_char(m.group()), text)


# --- one-line text ------------------------------------------------------------------------

_LINE_BREAKS = str.maketrans({"\n": "\u2424", "\r": "\u240d"})


def one_line(value: object, *, limit: int | None = 500) -> str:
    """A stored value for one line of human-readable output: ``inert`` (controls and bidi overrides
    shown as symbols, as on screen), line breaks shown as symbols too, cut to ``limit`` characters."""
    return inert(value, limit=limit).translate(_LINE_BREAKS)


# --- the --out folder -------------------------------------------------------------------------


def check_out_dir(out_dir: Path, option: str = "--out") -> None:
    """DIR must be a new or empty folder, and not a symbolic link: an export never mixes with,
    overwrites, or writes through anything already there. Raises InputError (exit 2) naming the fix."""
    path = Path(out_dir)
    if path.is_symlink():
        raise InputError(f"{option} {path}: is a symbolic link; give a new or empty folder itself, not a link to one")
    if path.exists():
        if not path.is_dir():
            raise InputError(f"{option} {path}: that is a file; give a new or empty folder")
        try:
            holds_something = any(path.iterdir())
        except OSError as exc:
            raise InputError(f"{option} {path}: cannot look inside it ({exc.strerror or exc}); "
                             "give a new or empty folder you may write to") from None
        if holds_something:
            raise InputError(f"{option} {path}: the folder is not empty; give a new or empty folder "
                             "(an export never overwrites files)")


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


class OutputFolder:
    """A new or empty folder, held open, that files are created in one by one.

    The folder is opened without following a link and files are created relative to that open
    folder (``dir_fd``), exclusively and without following a link, so swapping the folder or a
    file name for a link after the check writes nothing anywhere else. Files are readable by
    their owner only: exports hold personal data.
    """

    def __init__(self, path: Path, option: str = "--out") -> None:
        """Check ``path`` (see ``check_out_dir``), create it if new, and open it."""
        self.path = Path(path)
        self.option = option
        self.files: list[Path] = []
        check_out_dir(self.path, option)
        self._created = not self.path.exists()
        try:
            if self._created:
                self.path.mkdir(mode=0o700, parents=True)
            self._fd: int | None = os.open(self.path, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC)
        except FileExistsError:
            raise InputError(f"{option} {self.path}: something appeared there meanwhile; give a new or empty folder") from None
        except OSError as exc:
            raise self._cannot_write(exc) from None
        check_out_dir(self.path, option)  # still empty, still not a link, now that it is open

    def _cannot_write(self, exc: OSError) -> InputError:
        if exc.errno == getattr(os, "ELOOP", None):
            return InputError(f"{self.option} {self.path}: is a symbolic link; give a new or empty folder itself")
        return InputError(f"{self.option} {self.path}: cannot write there ({exc.strerror or exc}); "
                          "give a folder you may write to")

    def create(self, name: str) -> IO[str]:
        """A new UTF-8 text file ``name`` in the folder, open for writing (refused if anything has that name)."""
        if self._fd is None:
            raise RuntimeError("the output folder is closed")
        if not name or "/" in name or name in (".", ".."):
            raise ValueError(f"{name!r} is not a plain file name")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
        try:
            if os.open in os.supports_dir_fd:
                fd = os.open(name, flags, 0o600, dir_fd=self._fd)
            else:  # pragma: no cover - platforms without openat
                fd = os.open(self.path / name, flags, 0o600)
        except OSError as exc:
            raise self._cannot_write(exc) from None
        self.files.append(self.path / name)
        return os.fdopen(fd, "w", encoding="utf-8", newline="")

    def write_text(self, name: str, text: str) -> Path:
        """Create ``name`` holding ``text``; returns its path."""
        try:
            with self.create(name) as handle:
                handle.write(text)
        except OSError as exc:
            raise self._cannot_write(exc) from None
        return self.files[-1]

    def discard(self) -> None:
        """Remove every file this folder object created (and the folder, if it made it): an export
        that failed part-way, or whose audit event could not be written, leaves nothing behind."""
        for path in reversed(self.files):
            try:
                if self._fd is not None and os.unlink in os.supports_dir_fd:
                    os.unlink(path.name, dir_fd=self._fd)
                else:  # pragma: no cover
                    path.unlink()
            except OSError:
                pass
        self.files.clear()
        self.close()
        if self._created:
            try:
                self.path.rmdir()
            except OSError:
                pass

    def close(self) -> None:
        """Let go of the folder (the files stay)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> OutputFolder:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.discard()
        else:
            self.close()


__all__ = ["OutputFolder", "check_out_dir", "dump_json", "one_line"]
