"""Settings in one place: environment `DUTY_*`, a TOML config file, and CLI flags.

Precedence, highest first: command-line flags, environment variables, the
config file (``DUTY_CONFIG`` or ``<user config dir>/duty-tui/config.toml``),
then the defaults below.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from duty_tui.errors import EnvironmentProblem
from duty_tui.settings_preview import (  # noqa: F401  (re-exported)
    APP_NAME, DEFAULTS, REPO_ROOT, default_config_path, default_db_path, default_db_url, hide_password,
)

Jurisdiction = Literal["england", "scotland", "wales", "northern_ireland"]


class Settings(BaseSettings):
    """Everything duty-tui can be configured with."""

    model_config = SettingsConfigDict(env_prefix="DUTY_", extra="forbid", validate_assignment=True)

    db_url: str = Field(default_factory=default_db_url)
    """SQLAlchemy URL: ``sqlite:///path.db`` or ``postgresql+psycopg://user:pass@host/db``."""

    office_name: str = DEFAULTS["office_name"]
    """The office's name, shown in the header and on receipts."""

    office_code: str = DEFAULTS["office_code"]
    """Short code of this office (receipt numbers are gap-free per office)."""

    jurisdiction: Jurisdiction = DEFAULTS["jurisdiction"]
    """Whose law and bank holidays apply: england, scotland, wales or northern_ireland."""

    theme: str = DEFAULTS["theme"]
    """Textual theme name; ``duty-high-contrast``, ``ansi-dark`` and ``ansi-light`` are included."""

    keymap: str = DEFAULTS["keymap"]
    """A keymap name in ``keymaps/`` (default, vim) or a path to a TOML keymap file."""

    data_dir: Path = DEFAULTS["data_dir"]
    """Folder of reference data and policy (roles, code lists, letters)."""

    keymap_dir: Path = DEFAULTS["keymap_dir"]
    """Folder holding the named keymaps."""

    auth: Literal["password", "os"] = DEFAULTS["auth"]
    """``password`` asks for a username and password; ``os`` maps the OS user (SSH hosts)."""

    terminal_id: str = DEFAULTS["terminal_id"]
    """Names this terminal in the audit trail; defaults to host/tty or the SSH client."""

    idle_lock_minutes: int = Field(default=DEFAULTS["idle_lock_minutes"], ge=1, le=240)
    """Minutes of no keys before a shared terminal locks."""

    draft_seconds: float = Field(default=DEFAULTS["draft_seconds"], ge=0.5, le=3600)
    """Seconds between writes of forms in progress as drafts (they are also written on hang-up)."""

    demo: bool = DEFAULTS["demo"]
    """Set by ``duty-tui demo``: the login screen shows the demo users."""

    @field_validator("db_url")
    @classmethod
    def _url_has_scheme(cls, value: str) -> str:
        if "://" not in value:
            raise ValueError("must be a SQLAlchemy URL such as sqlite:///duty.db or postgresql+psycopg://user@host/db")
        from urllib.parse import urlsplit

        # Checked without importing SQLAlchemy (start-up speed); the messages never repeat the
        # URL: it may hold a password.
        scheme = value.split("://", 1)[0]
        netloc = urlsplit(value).netloc
        if not scheme or not scheme[0].isalpha():
            raise ValueError("must start with a database kind, e.g. sqlite:/// or postgresql+psycopg://")
        if netloc.count("@") > 1:
            # An un-encoded '@' in the password: the rest of the password would be taken for the host name.
            raise ValueError("the user name or password holds a character that must be percent-encoded "
                             "(@ as %40, : as %3A, / as %2F)")
        try:
            urlsplit(value).port
        except ValueError:
            raise ValueError("is not a URL that can be read (is the port a number?); use sqlite:///path/to/file.db "
                             "or postgresql+psycopg://user:pass@host:port/dbname") from None
        return value


_FIELD_NAMES = set(Settings.model_fields)


def _read_config_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise EnvironmentProblem(f"config file {path}: {exc}; fix the TOML syntax there") from None
    except OSError as exc:
        raise EnvironmentProblem(f"config file {path} cannot be read: {exc.strerror}") from None
    table = raw.get("duty", raw)
    if not isinstance(table, dict):
        raise EnvironmentProblem(f"config file {path}: 'duty' must be a table ([duty]) of settings")
    unknown = sorted(set(table) - _FIELD_NAMES)
    if unknown:
        raise EnvironmentProblem(
            f"config file {path}: unknown setting(s) {', '.join(unknown)}; "
            f"known settings are {', '.join(sorted(_FIELD_NAMES))}"
        )
    return dict(table)


def load_settings(config_path: Path | None = None, **overrides: Any) -> Settings:
    """Build settings from file, environment and explicit overrides (CLI flags).

    Raises EnvironmentProblem with a message naming the bad value and where it came from.
    """
    path = config_path or default_config_path()
    if config_path is not None and not path.exists():
        # A file named on the command line that is not there is a typo, not "no config": say so.
        raise EnvironmentProblem(f"config file {path} does not exist; check the --config path")
    from_file = _read_config_file(path)
    env_keys = {name for name in _FIELD_NAMES if f"DUTY_{name.upper()}" in os.environ}
    merged = {k: v for k, v in from_file.items() if k not in env_keys}
    merged.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Settings(**merged)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"]) or "settings"
            source = (
                "command line"
                if field in overrides and overrides[field] is not None
                else f"environment DUTY_{field.upper()}"
                if field in env_keys
                else f"config file {path}"
            )
            problems.append(f"setting {field} ({source}): {error['msg']}")
        raise EnvironmentProblem("; ".join(problems)) from None


# The password runs to the last '@' before the query: it may hold '/' or '@' the user did not encode.
