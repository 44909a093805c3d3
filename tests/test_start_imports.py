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
import subprocess
import sys
import textwrap

# Third-party packages that must load only after the first paint.
LATE_PACKAGES = ("sqlalchemy", "alembic", "sqlmodel", "typer", "pydantic_settings")

# Area code: everything in an area's package (duty_tui.areas.<area>.<module>). The registry itself,
# duty_tui.areas and each area's __init__ (its ``Area``: names and "module:attribute" strings, no code
# of the area), is read at start: the F-keys are drawn from it. Plus the batch face (the CLI), the
# models, the demo and the full settings model.
_LATE_DUTY_MODULES = ("duty_tui.core.cli", "duty_tui.core.db.models", "duty_tui.core.demo",
                      "duty_tui.core.config.settings")


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
    return module.startswith("duty_tui.areas.") and module.count(".") >= 3


def test_the_rule_recognises_late_modules():
    assert _is_late("sqlalchemy.orm") and _is_late("alembic") and _is_late("typer.main")
    assert _is_late("duty_tui.areas.housing_options.services.approach") and _is_late("duty_tui.areas.payments.domain.reference")
    assert _is_late("duty_tui.areas.frontdesk.tui.home") and _is_late("duty_tui.core.cli")
    assert not _is_late("duty_tui.areas") and not _is_late("duty_tui.areas.payments")  # the registry: names only
    assert not _is_late("duty_tui.core.db.preflight") and not _is_late("duty_tui.core.tui.screens.login")
    assert not _is_late("textual.app") and not _is_late("duty_tui.core.config.preview")


def test_fast_start_imports_no_database_layer_cli_or_area_before_the_first_paint(sqlite_url, tmp_path):
    seen = tmp_path / "modules.json"
    env = {**os.environ, "DUTY_BENCH_EXIT_WHEN_READY": "1", "DUTY_CONFIG": str(tmp_path / "none.toml")}
    env.pop("DUTY_DB_URL", None)
    done = subprocess.run([sys.executable, "-c", _CHILD, str(seen), "--db", sqlite_url], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr[-3000:]
    assert seen.exists(), f"the first screen never reported READY:\n{done.stderr[-3000:]}"
    modules = json.loads(seen.read_text(encoding="utf-8"))
    assert "duty_tui.core.tui.app" in modules and "textual.app" in modules  # the app really was drawn
    late = sorted(module for module in modules if _is_late(module))
    assert not late, ("imported before the first paint (import them inside the function that needs them, "
                      "after the first screen is up):\n" + "\n".join(late))
