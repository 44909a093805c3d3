"""Defaults and default paths, and a quick preview of the settings for the first paint.

`duty_tui.core.config.settings` (pydantic-settings) is the one place settings are defined and
validated. Importing pydantic costs more than drawing the first screen, so a plain
`duty-tui` reads a *preview* here — the same sources in the same order (flags,
``DUTY_*`` environment, config file, defaults), without validation — draws the
login screen, and validates the real settings in the background; a bad value then
closes the app with the same message and exit code 3 as any other command.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

APP_NAME = "duty-tui"
REPO_ROOT = Path(__file__).resolve().parents[3]
"""The source checkout's root when running from one (in an installed wheel: site-packages, which is no checkout)."""


def packaged_folder(name: str) -> Path:
    """The shipped folder ``name`` (``data`` or ``keymaps``): every lookup of reference data and keymaps starts here.

    In a source checkout (an editable install, the tests) it is the repository's top-level folder, so
    an edit there is seen at once. In an installed wheel it is the copy shipped inside the package,
    ``duty_tui/_data`` or ``duty_tui/_keymaps`` (setup.py and pyproject.toml map them there), found
    with importlib.resources. ``DUTY_DATA_DIR`` / ``DUTY_KEYMAP_DIR`` override the result (Settings).
    """
    checkout = REPO_ROOT / name
    if (REPO_ROOT / "pyproject.toml").is_file() and checkout.is_dir():
        return checkout
    from importlib.resources import files  # only in an installed copy: it costs a few ms at start-up

    return Path(str(files("duty_tui") / f"_{name}"))


DEFAULTS: dict[str, Any] = {
    "office_name": "Riverside Housing Options & Tenancy Services",
    "office_code": "MAIN",
    "jurisdiction": "england",
    "theme": "textual-dark",
    "keymap": "default",
    "data_dir": packaged_folder("data"),
    "keymap_dir": packaged_folder("keymaps"),
    "auth": "password",
    "terminal_id": "",
    "idle_lock_minutes": 5,
    "draft_seconds": 3.0,
    "db_pool_size": 2,
    "db_pool_overflow": 2,
    "demo": False,
    "batch_os_users": (),
}
"""Every setting's default but db_url (see default_db_url); duty_tui.core.config.settings.Settings uses these."""


def default_config_path() -> Path:
    """Where the config file lives unless ``DUTY_CONFIG`` says otherwise."""
    from platformdirs import user_config_dir

    env = os.environ.get("DUTY_CONFIG")
    if env:
        return Path(env).expanduser()
    return Path(user_config_dir(APP_NAME)) / "config.toml"


def default_db_path() -> Path:
    """The embedded SQLite database in the user's data directory."""
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME)) / "duty.db"


def default_db_url() -> str:
    """The SQLAlchemy URL of the embedded default database."""
    return f"sqlite:///{default_db_path()}"


def demo_db_path() -> Path:
    """Where ``duty-tui demo`` builds its office when no database is named: beside the default one, never it."""
    return default_db_path().with_name("demo.db")


def layered(names: Iterable[str], from_file: dict[str, Any], overrides: dict[str, Any]) -> dict[str, tuple[Any, str]]:
    """The one order of precedence, for the preview and the full settings alike: each named setting that
    is set somewhere, as (value, where it came from) — the config file, then the environment
    (``DUTY_NAME``, which wins over the file), then the command line (which wins over both)."""
    found: dict[str, tuple[Any, str]] = {}
    for name in names:
        env = os.environ.get(f"DUTY_{name.upper()}")
        if overrides.get(name) is not None:
            found[name] = (overrides[name], "command line")
        elif env is not None:
            found[name] = (env, f"environment DUTY_{name.upper()}")
        elif name in from_file:
            found[name] = (from_file[name], "config file")
    return found


def preview_settings(config_path: Path | None = None, **overrides: Any) -> SimpleNamespace:
    """The settings as they will be once validated, read cheaply (``layered``, as the full settings do);
    any doubt falls back to the default — the full validation in the background reports it."""
    values: dict[str, Any] = {**DEFAULTS, "db_url": None}
    path = config_path or default_config_path()
    table: Any = {}
    try:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
        table = raw.get("duty", raw)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        pass  # the full validation reports it
    from_file = table if isinstance(table, dict) else {}
    values.update({name: value for name, (value, _where) in layered(values, from_file, overrides).items()})
    values["db_url"] = values["db_url"] or default_db_url()
    for name in ("data_dir", "keymap_dir"):
        values[name] = Path(values[name])
    values["demo"] = str(values["demo"]).lower() in ("1", "true", "yes")
    return SimpleNamespace(**values)


_PASSWORD_IN_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*://[^:/@?#]*:)[^?#]*(@)")
# libpq also takes the password as a query parameter: ...?password=secret
_PASSWORD_IN_QUERY = re.compile(r"([?&]password=)[^&#]*", re.IGNORECASE)


def hide_password(url: str) -> str:
    """The URL with any password replaced by ***, for messages and logs (no SQLAlchemy import)."""
    return _PASSWORD_IN_QUERY.sub(r"\1***", _PASSWORD_IN_URL.sub(r"\1***\2", url or ""))
