"""docs/CLI.md states every command the program knows, with all its options, and no other.

The commands and options come from the Typer app itself, so a command or option added in the
code without a word in docs/CLI.md (or a section left behind for a command that is gone) fails.
"""

from __future__ import annotations

import re
from pathlib import Path

import typer

from duty_tui.core.cli import app

CLI_DOC = Path(__file__).resolve().parent.parent / "docs" / "CLI.md"
_HEADING = re.compile(r"^### `(duty-tui(?: [a-z][a-z0-9-]*)*)`$", re.M)


def _commands() -> dict[str, list[str]]:
    """'duty-tui db upgrade' -> its option names, for every command (and the root, which opens the app)."""
    found: dict[str, list[str]] = {}

    def walk(command, path: str) -> None:
        options = [opt for param in command.params for opt in (*getattr(param, "opts", ()),
                                                                 *getattr(param, "secondary_opts", ()))
                   if opt.startswith("--")]
        subcommands = getattr(command, "commands", None)
        if subcommands is None or path == "duty-tui":
            found[path] = options
        for name, sub in (subcommands or {}).items():
            walk(sub, f"{path} {name}")

    walk(typer.main.get_command(app), "duty-tui")
    return found


def _sections() -> dict[str, str]:
    text = CLI_DOC.read_text(encoding="utf-8")
    headings = list(_HEADING.finditer(text))
    ends = [match.start() for match in headings[1:]] + [len(text)]
    return {match[1]: text[match.end():end] for match, end in zip(headings, ends, strict=True)}


def test_every_command_has_a_section_and_every_section_a_command():
    commands, sections = set(_commands()), set(_sections())
    assert commands - sections == set(), f"commands with no `### \\`duty-tui …\\`` section in docs/CLI.md: {sorted(commands - sections)}"
    assert sections - commands == set(), f"docs/CLI.md sections for commands the program does not know: {sorted(sections - commands)}"


def test_every_option_is_named_in_its_commands_section():
    sections = _sections()
    missing = [f"{command} {option}" for command, options in _commands().items() for option in options
               if not re.search(re.escape(option) + r"(?![a-z-])", sections.get(command, ""))]
    assert not missing, "options docs/CLI.md does not state: " + ", ".join(missing)


def test_the_section_list_is_read_from_the_doc():
    assert {"duty-tui", "duty-tui db upgrade", "duty-tui triage assess", "duty-tui staff disable"} <= set(_sections())


def test_code_cites_docs_cli_not_a_document_outside_the_repository():
    root, old = CLI_DOC.parent.parent, "CONTRACTS" + ".md"  # spelt in two so that this file does not cite it
    stale = [str(path.relative_to(root)) for folder in ("duty_tui", "tests", "docs") for path in (root / folder).rglob("*")
             if path.suffix in {".py", ".md"} and old in path.read_text(encoding="utf-8")]
    assert not stale, f"these cite {old}, which is not in the repository; cite docs/CLI.md: {stale}"
    assert "docs/CLI.md" in (root / "duty_tui" / "core" / "domain" / "errors.py").read_text(encoding="utf-8")  # the exit codes' source
