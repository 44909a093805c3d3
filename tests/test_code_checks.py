"""The code checks that back STYLE.md's claims, run as part of the one test command.

- ruff (the rule set in pyproject.toml's [tool.ruff]) over the whole repository;
- mypy (pyproject.toml's [tool.mypy]) over duty_tui, against tests/mypy-baseline.txt: the errors
  the code had when the check came in. The baseline may only shrink: a new error fails, and so
  does a baseline listing errors that are gone (rewrite it, and commit the smaller file, with
  ``.venv/bin/python tests/test_code_checks.py --update-mypy-baseline``).

Baseline lines are ``path: [code] message`` without line numbers, so editing a file above an
old error does not count as a new one; one line per error (repeats mean several such errors).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MYPY_BASELINE = ROOT / "tests" / "mypy-baseline.txt"
UPDATE = ".venv/bin/python tests/test_code_checks.py --update-mypy-baseline"
_ERROR = re.compile(r"^(?P<path>[^:]+):\d+: error: (?P<message>.*?)\s+\[(?P<code>[a-z-]+)\]$")


def test_ruff_passes_on_the_whole_repository():
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise", "."],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, (
        "ruff found problems (rules: [tool.ruff] in pyproject.toml); `ruff check --fix .` mends the safe ones:\n"
        + done.stdout + done.stderr)


def mypy_errors() -> list[str]:
    """mypy's errors over duty_tui as baseline lines, sorted."""
    done = subprocess.run([sys.executable, "-m", "mypy", "--hide-error-context", "--no-error-summary",
                           "--no-pretty", "--no-color-output"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    if done.returncode not in (0, 1):  # 2: mypy itself failed (bad config, crash)
        raise AssertionError(f"mypy could not run (exit {done.returncode}):\n{done.stdout}{done.stderr}")
    lines = []
    for raw in done.stdout.splitlines():
        match = _ERROR.match(raw.strip())
        if match:
            message = re.sub(r" on line \d+", " on line N", match["message"])
            lines.append(f"{match['path'].replace(chr(92), '/')}: [{match['code']}] {message}")
    if done.returncode == 1 and not lines:
        raise AssertionError(f"mypy failed but printed no error this check reads:\n{done.stdout}{done.stderr}")
    return sorted(lines)


def read_baseline() -> list[str]:
    return [line for line in MYPY_BASELINE.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_mypy_finds_no_error_beyond_the_baseline():
    current, baseline = Counter(mypy_errors()), Counter(read_baseline())
    new = sorted((current - baseline).elements())
    gone = sorted((baseline - current).elements())
    assert not new, (f"mypy found {len(new)} error(s) not in tests/mypy-baseline.txt; fix them (a named "
                     "`# type: ignore[code]` only where the checker is wrong):\n" + "\n".join(new))
    assert not gone, (f"{len(gone)} error(s) in tests/mypy-baseline.txt are fixed: well done. Shrink the baseline "
                      f"with `{UPDATE}` and commit it:\n" + "\n".join(gone))


PILOT_HELPERS = frozenset({"build_app", "settle", "keys", "sign_in", "quick_sign_in", "wait_for", "screen_text",
                           "human", "type_text", "press_slowly"})
"""The Pilot helpers tests/pilot.py holds once (issue 12): a test module does not define its own."""


def pilot_helper_copies(tests_dir: Path) -> list[str]:
    """Top-level functions (or names bound at the top level) in test code that copy a helper of tests/pilot.py."""
    import ast

    found = []
    for path in sorted(tests_dir.rglob("*.py")):
        if path == tests_dir / "pilot.py":
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                names = [node.name]
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = [t.id for t in targets if isinstance(t, ast.Name)]
            else:
                continue
            found += [f"{path.relative_to(tests_dir.parent).as_posix()}:{node.lineno}: {name}"
                      for name in names if name in PILOT_HELPERS]
    return found


def test_pilot_helpers_are_defined_once_in_tests_pilot():
    copies = pilot_helper_copies(ROOT / "tests")
    assert not copies, ("these test modules define their own Pilot helper; import it from tests/pilot.py "
                        "(`from pilot import ...`) and pass a parameter where the journey needs another wait or pace:\n"
                        + "\n".join(copies))


if __name__ == "__main__":
    if sys.argv[1:] != ["--update-mypy-baseline"]:
        raise SystemExit(f"usage: {UPDATE}")
    errors = mypy_errors()
    before = len(read_baseline()) if MYPY_BASELINE.exists() else None
    MYPY_BASELINE.write_text("".join(f"{line}\n" for line in errors), encoding="utf-8")
    print(f"tests/mypy-baseline.txt: {len(errors)} error(s) (was {before})")


# --------------------------------------------------------------------------- size
# Small functions and modules (issue 12, "services keep their rule"): no function over
# MAX_FUNCTION_LINES and no module over MAX_MODULE_LINES in duty_tui/, apart from
# - the statute-shaped domain functions in STATUTE_SHAPED (a function that follows an Act section by
#   section reads best beside the Act, in one piece), each with the reason;
# - the released migrations' generated upgrade functions in MIGRATIONS (the schema written out); and
# - tests/size-baseline.txt: the offenders when the check came in. It may only shrink: a new offender
#   fails, and so does a baseline line that no longer offends (delete it and commit the smaller file).
# A function is measured from its `def` line to its last line (docstring and nested functions included);
# names are "path::Class.function", so editing above a function does not change its entry.

MAX_FUNCTION_LINES = 80
MAX_MODULE_LINES = 600
SIZE_BASELINE = ROOT / "tests" / "size-baseline.txt"
STATUTE_SHAPED = {
    # "…/domain/<module>.py::<function>": the statute it follows, section by section.
    "domain/homelessness.py::_assess_england": (
        "Housing Act 1996 Part 7 as amended by the Homelessness Reduction Act 2017: eligibility (s185), "
        "homeless or threatened (s175), priority need (s189), the prevention (s195), relief (s189B) and main "
        "(s193) duties in the Act's order, so each branch can be read against its section"),
}
"""Keys end with ``domain/<module>.py::<qualified name>`` (so they survive a move of the domain folder)."""
MIGRATIONS = {
    # "<path of a released migration>::upgrade": why it stays whole. A first revision's upgrade is the schema
    # written out by Alembic's autogenerate, one op.create_table per table in dependency order; it is data
    # more than logic, and splitting it means editing a migration that databases in use have already run (a
    # released migration is changed only to fix it, never to restyle it). Later revisions are written by hand
    # and keep to MAX_FUNCTION_LINES.
    "duty_tui/core/db/migrations/versions/0001_initial_schema.py::upgrade": "the core's tables, autogenerated",
    "duty_tui/areas/frontdesk/db/migrations/frontdesk_0001_frontdesk.py::upgrade": "the front desk's tables, "
                                                                                    "autogenerated",
    "duty_tui/areas/housing_options/db/migrations/housing_0001_homelessness.py::upgrade": "the housing options "
                                                                                          "tables, autogenerated",
    "duty_tui/areas/payments/db/migrations/payments_0001_payments.py::upgrade": "the payments tables, autogenerated",
}
"""Released migrations' generated schema listings, kept whole: full ``path::upgrade`` keys, one per revision."""


def oversized() -> list[str]:
    """The size offenders in duty_tui/ as baseline lines ("module PATH" / "function PATH::NAME"), sorted."""
    import ast

    found: list[str] = []
    for path in sorted((ROOT / "duty_tui").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > MAX_MODULE_LINES:
            found.append(f"module {rel}")
        stack: list[tuple[ast.AST, str]] = [(ast.parse(text, filename=rel), "")]
        while stack:
            node, prefix = stack.pop()
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                    name = prefix + child.name
                    if (not isinstance(child, ast.ClassDef)
                            and (child.end_lineno or child.lineno) - child.lineno + 1 > MAX_FUNCTION_LINES
                            and not any(f"{rel}::{name}".endswith(key) for key in STATUTE_SHAPED)
                            and f"{rel}::{name}" not in MIGRATIONS):
                        found.append(f"function {rel}::{name}")
                    stack.append((child, name + "."))
                else:
                    stack.append((child, prefix))
    return sorted(found)


def read_size_baseline() -> list[str]:
    return [line.strip() for line in SIZE_BASELINE.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def test_statute_shaped_exceptions_are_domain_functions_with_a_reason():
    for key, reason in STATUTE_SHAPED.items():
        module, _, name = key.partition("::")
        assert module.startswith("domain/") and name and len(reason) >= 40, (
            f"STATUTE_SHAPED[{key!r}]: only a domain function may be kept whole for a statute; name it as "
            "'domain/<module>.py::<function>' and say which Act and sections it follows")
        matches = [p for p in (ROOT / "duty_tui").rglob(Path(module).name)
                   if p.relative_to(ROOT).as_posix().endswith(module)]
        assert any(f"def {name.rsplit('.', 1)[-1]}(" in p.read_text(encoding="utf-8") for p in matches), (
            f"STATUTE_SHAPED names {key!r}, which no longer exists; update or remove the entry")


def test_migration_exceptions_are_the_upgrade_of_a_migration_that_exists():
    for key in MIGRATIONS:
        path, _, name = key.partition("::")
        assert "/migrations/" in path and name == "upgrade" and (ROOT / path).is_file(), (
            f"MIGRATIONS[{key!r}]: only the upgrade of a released migration (a file under a migrations folder) may "
            "be kept whole; the file is gone or the key names something else")
        assert "op.create_table(" in (ROOT / path).read_text(encoding="utf-8"), (
            f"MIGRATIONS[{key!r}]: the exception is for a generated schema listing (op.create_table per table)")


def test_no_function_or_module_is_bigger_than_the_baseline_allows():
    current, baseline = set(oversized()), read_size_baseline()
    new = sorted(current - set(baseline))
    gone = sorted(set(baseline) - current)
    assert not new, (
        f"{len(new)} function(s) over {MAX_FUNCTION_LINES} lines or module(s) over {MAX_MODULE_LINES} lines, not in "
        "tests/size-baseline.txt:\n" + "\n".join(new) + "\n"
        "Split a function into small steps named for what each does (services/contacts.py:log_contact is one "
        "transaction calling _find_caller, _insert_contact, _route…; services/gdpr_gather.py:gather runs one collector per "
        "record type), and a module by sub-area (as services/payments_*.py). A domain function whose shape follows "
        "a statute section by section may instead be named in STATUTE_SHAPED in tests/test_code_checks.py, with the "
        "Act and sections it follows. The baseline only shrinks: do not add lines to it.")
    assert not gone, (f"{len(gone)} line(s) of tests/size-baseline.txt are now small enough: well done. Delete them "
                      "from the file and commit it (a moved file: replace its old path with the new):\n"
                      + "\n".join(gone))
    assert len(baseline) == len(set(baseline)), "tests/size-baseline.txt lists a line twice; keep one"
