"""Reference data and policy from ``data/``, loaded once and validated at start.

The core's files are at the top of the data folder (roles, teams, alert categories, audit actions);
each area's are in a folder named for it (``data/frontdesk/``, ``data/housing_options/``, …), found
with ``area_file``. A bad file stops start-up with one clear message naming the file and line.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from duty_tui.core.domain.errors import EnvironmentProblem


def area_file(data_dir: Path, area: str, *parts: str, before: tuple[str, ...] | None = None) -> Path:
    """An area's reference file or folder: ``data_dir/<area>/<parts…>``.

    A council's own data folder (``DUTY_DATA_DIR``) copied before the areas had folders of their own
    keeps working: when the new path is missing and the old one (``before``, else ``parts`` at the top
    of the folder) exists, that is read. Otherwise the new path, so a message names where it belongs.
    """
    path = data_dir.joinpath(area, *parts)
    if not path.exists():
        old = data_dir.joinpath(*(before or parts))
        if old.exists():
            return old
    return path


KNOWN_PERMISSIONS = frozenset(
    {
        "person.search", "person.view", "person.view_sensitive", "alert.view_restricted",
        "account.view", "case.view", "case.manage", "contact.log", "homelessness.assess",
        "payment.take", "payment.reverse", "refund.request", "refund.authorise",
        "cashup.signoff", "audit.view", "gdpr.export", "admin.users",
        "callers.manage", "payments.import", "suspense.allocate", "arrangement.manage",
        "homelessness.decide", "statistics.view", "complaint.manage", "contact.amend_any",
        "account.rebuild_balances", "arrears.manage", "rents.manage",
        "lettings.manage", "lettings.view",
    }
)
REQUIRED_ROLES = ("reception", "options_officer", "income_officer", "team_leader", "admin", "batch")


@dataclass(frozen=True)
class Role:
    """A role from roles.toml."""

    code: str
    name: str
    permissions: frozenset[str]


@dataclass(frozen=True)
class TeamDef:
    """A team from teams.toml."""

    code: str
    name: str


@dataclass(frozen=True)
class AlertCategory:
    """A cautionary alert category from alert_categories.toml."""

    code: str
    name: str
    restricted: bool


@dataclass(frozen=True)
class Reference:
    """All reference data, validated."""

    roles: dict[str, Role]
    teams: dict[str, TeamDef]
    alert_categories: dict[str, AlertCategory]


def line_of(path: Path, needle: str) -> int:
    """The 1-based line where ``needle`` first appears in ``path`` (1 when absent)."""
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if needle in line:
                return number
    except OSError:
        pass
    return 1


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file; any problem becomes EnvironmentProblem naming file and line."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise EnvironmentProblem(f"{path}: reference data file is missing; restore it from the duty-tui release") from None
    except tomllib.TOMLDecodeError as exc:
        raise EnvironmentProblem(f"{path}: {exc}; fix the TOML there") from None
    except UnicodeDecodeError:
        raise EnvironmentProblem(f"{path}: not UTF-8 text; save it as UTF-8") from None


def data_problem(path: Path, needle: str, message: str, *, fix_there: bool = False) -> EnvironmentProblem:
    """A mistake in a data file, named by file and line (the first line holding ``needle``); with
    ``fix_there`` the message ends "; fix it there". Every area's data loader reports through this."""
    return EnvironmentProblem(f"{path}:{line_of(path, needle)}: {message}" + ("; fix it there" if fix_there else ""))


_problem = data_problem


def _load_roles(path: Path) -> dict[str, Role]:
    raw = read_toml(path)
    roles: dict[str, Role] = {}
    for code, body in raw.items():
        if not isinstance(body, dict) or not isinstance(body.get("permissions"), list):
            raise _problem(path, f"[{code}]", f"role {code!r} needs a permissions list")
        unknown = [p for p in body["permissions"] if p not in KNOWN_PERMISSIONS]
        if unknown:
            raise _problem(path, unknown[0], f"role {code!r}: unknown permission {unknown[0]!r}")
        roles[code] = Role(code, str(body.get("name", code)), frozenset(body["permissions"]))
    missing = [r for r in REQUIRED_ROLES if r not in roles]
    if missing:
        raise EnvironmentProblem(f"{path}:1: role(s) {', '.join(missing)} are required")
    return roles


def _load_list(path: Path, table: str, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    raw = read_toml(path)
    entries = raw.get(table)
    if not isinstance(entries, list) or not entries:
        raise EnvironmentProblem(f"{path}:1: expected one or more [[{table}]] entries")
    seen: set[str] = set()
    for entry in entries:
        for key in keys:
            if key not in entry:
                raise _problem(path, str(entry.get("code", f"[[{table}]]")), f"a [[{table}]] entry lacks {key!r}")
        if entry["code"] in seen:
            raise _problem(path, f'"{entry["code"]}"', f"code {entry['code']!r} appears twice")
        seen.add(entry["code"])
    return entries


@functools.cache
def load_reference(data_dir: Path) -> Reference:
    """Load and validate every reference file in ``data_dir`` (cached per folder)."""
    roles = _load_roles(data_dir / "roles.toml")
    teams = {
        e["code"]: TeamDef(e["code"], e["name"])
        for e in _load_list(data_dir / "teams.toml", "team", ("code", "name"))
    }
    categories = {
        e["code"]: AlertCategory(e["code"], e["name"], bool(e.get("restricted", False)))
        for e in _load_list(data_dir / "alert_categories.toml", "category", ("code", "name"))
    }
    return Reference(roles=roles, teams=teams, alert_categories=categories)
