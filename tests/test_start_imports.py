"""The fast start path loads no database layer, no CLI and no area before the first paint.

A plain `duty-tui --db URL` draws its sign-in screen first and loads SQLAlchemy, Alembic, the
real settings and the areas in the background afterwards (duty_tui/launch.py; docs/PERFORMANCE.md
measures the gain). One stray top-level import would quietly undo that, so this test starts the
console-script entry point in a fresh process, exactly as the launcher runs it, and records
``sys.modules`` at the moment the first screen is drawn and focused (the start-up benchmark's
READY line, bench/bench_startup.py), the way harlequin guards its lazy imports.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap

# Third-party packages that must load only after the first paint.
LATE_PACKAGES = ("sqlalchemy", "alembic", "sqlmodel", "typer", "pydantic_settings")

# Area code: everything under duty_tui.areas (issue 12's layout) and, until then, the modules
# whose names carry an area's word; plus the batch face (the CLI and its commands), the models,
# the demo and the reports, which import the areas.
_AREA_WORD = re.compile(r"frontdesk|housing|homeless|options|approach|triage|payment|account|arrears|rent|lettings"
                        r"|contact|caller|complaint|repair|gdpr|document")
_LATE_DUTY_MODULES = ("duty_tui.areas", "duty_tui.cli", "duty_tui.commands", "duty_tui.db.models",
                      "duty_tui.demo", "duty_tui.reports", "duty_tui.config")

_CHILD = textwrap.dedent("""
    import builtins, json, sys

    out = sys.argv.pop(1)
    real_print = builtins.print

    def spy(*args, **kwargs):
        if args and isinstance(args[0], str) and args[0].startswith("READY "):
            with open(out, "w", encoding="utf-8") as handle:
                json.dump(sorted(sys.modules), handle)
        return real_print(*args, **kwargs)

    builtins.print = spy  # the login screen prints READY once it is drawn and focused
    sys.argv[0] = "duty-tui"
    from duty_tui.launch import main

    main()
""")


def _is_late(module: str) -> bool:
    top = module.split(".")[0]
    if top in LATE_PACKAGES:
        return True
    if top != "duty_tui":
        return False
    if any(module == late or module.startswith(late + ".") for late in _LATE_DUTY_MODULES):
        return True
    return any(_AREA_WORD.search(part) for part in module.split(".")[1:])


def test_the_rule_recognises_late_modules():
    assert _is_late("sqlalchemy.orm") and _is_late("alembic") and _is_late("typer.main")
    assert _is_late("duty_tui.services.housing") and _is_late("duty_tui.payments_reference")
    assert _is_late("duty_tui.areas.frontdesk.tui.home") and _is_late("duty_tui.cli")
    assert not _is_late("duty_tui.db.preflight") and not _is_late("duty_tui.tui.screens.login")
    assert not _is_late("textual.app") and not _is_late("duty_tui.settings_preview")


def test_fast_start_imports_no_database_layer_cli_or_area_before_the_first_paint(sqlite_url, tmp_path):
    seen = tmp_path / "modules.json"
    env = {**os.environ, "DUTY_BENCH_EXIT_WHEN_READY": "1", "DUTY_CONFIG": str(tmp_path / "none.toml")}
    env.pop("DUTY_DB_URL", None)
    done = subprocess.run([sys.executable, "-c", _CHILD, str(seen), "--db", sqlite_url], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr[-3000:]
    assert seen.exists(), f"the first screen never reported READY:\n{done.stderr[-3000:]}"
    modules = json.loads(seen.read_text(encoding="utf-8"))
    assert "duty_tui.tui.app" in modules and "textual.app" in modules  # the app really was drawn
    late = sorted(module for module in modules if _is_late(module))
    assert not late, ("imported before the first paint (import them inside the function that needs them, "
                      "after the first screen is up):\n" + "\n".join(late))
