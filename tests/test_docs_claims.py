"""The docs name the tests that prove their promises: every test they name must exist.

docs/SECURITY.md (and the other guides) cite tests as ``tests/path.py::test_name`` or, in a row
that names several in one file, ``::test_name`` after the file. A renamed or deleted test would
leave a promise with nothing behind it; this keeps the citations honest.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = sorted((ROOT / "docs").glob("*.md"))
CITATION = re.compile(r"`(tests/[\w/]+\.py)(?:::(\w+))?[^`]*`|`::(\w+)[^`]*`")


def _functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


def _citations(doc: Path) -> list[tuple[int, str, str | None]]:
    """(line number, test file, test name or None) for each citation, ``::name`` resolved to the row's last file."""
    found = []
    for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), start=1):
        current: str | None = None
        for match in CITATION.finditer(line):
            file, name, bare = match.groups()
            if file:
                current = file
                found.append((number, file, name))
            elif current is not None:
                found.append((number, current, bare))
    return found


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_test_the_docs_cite_exists(doc: Path) -> None:
    missing = []
    for number, file, name in _citations(doc):
        path = ROOT / file
        if not path.is_file():
            missing.append(f"{doc.name}:{number}: {file} does not exist")
        elif name and name not in _functions(path):
            missing.append(f"{doc.name}:{number}: {file} has no test {name}")
    assert not missing, "\n".join(missing)


def test_security_md_cites_tests_at_all() -> None:
    assert len(_citations(ROOT / "docs" / "SECURITY.md")) > 60
