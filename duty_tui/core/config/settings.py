"""Settings in one place: environment `DUTY_*`, a TOML config file, and CLI flags.

Precedence, highest first: command-line flags, environment variables, the
config file (``DUTY_CONFIG`` or ``<user config dir>/duty-tui/config.toml``),
then the defaults below.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from duty_tui.core.config.preview import (  # noqa: F401  (re-exported)
    APP_NAME,
    DEFAULTS,
    REPO_ROOT,
    default_config_path,
    default_db_path,
    default_db_url,
    demo_db_path,
    hide_password,
    layered,
)
from duty_tui.core.domain.errors import EnvironmentProblem

Jurisdiction = Literal["england", "scotland", "wales", "northern_ireland"]


class Settings(BaseSettings):
    """Everything duty-tui can be configured with."""

    model_config = SettingsConfigDict(env_prefix="DUTY_", extra="forbid", validate_assignment=True)

    db_url: str = Field(default_factory=default_db_url)
    """SQLAlchemy URL: ``sqlite:///path.db`` or ``postgresql+psycopg://user:pass@host/db``."""

    db_pool_size: int = Field(default=DEFAULTS["db_pool_size"], ge=1, le=20)
    """PostgreSQL connections each terminal (or command) keeps open once used: one person does one thing
    at a time. Each terminal also holds a connection that listens for other terminals' changes (README,
    "How many connections"). Not used with SQLite."""

    db_pool_overflow: int = Field(default=DEFAULTS["db_pool_overflow"], ge=0, le=50)
    """PostgreSQL connections a terminal may open beyond ``db_pool_size`` in a burst, closed again after."""

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

    batch_os_users: tuple[str, ...] = DEFAULTS["batch_os_users"]
    """Operating-system accounts trusted to run commands ``--as`` any staff user (e.g. a nightly import's
    service account). Everyone else may use ``--as`` only for the staff user their own OS account is linked
    to (root, the owner of a SQLite file and a PostgreSQL superuser connection may too: they can change
    the whole database anyway). Read only from a config file that root owns and no one else can write;
    never from the environment, which anyone can set (docs/STAFF.md)."""

    # --- sending documents (docs/DOCUMENTS.md) ---------------------------------------------

    printers: tuple[str, ...] = ()
    """CUPS queues the send dialog offers (``lpstat -e`` names them; a receipt printer is a queue too).
    Empty: every queue this computer's CUPS knows. Each terminal remembers the one last used for each
    kind of document."""

    text_printers: tuple[str, ...] = ()
    """Queues that print plain text only (a receipt printer on a raw queue): they are sent the document's
    42-column text, not its PDF. Letters, which have no text version, cannot go to them."""

    text_printer_encoding: str = "utf-8"
    """How text is encoded for a text-only queue: ``utf-8``, or ``cp437``/``cp858`` for most ESC/POS
    receipt printers (so £ prints as £)."""

    smtp_host: str = ""
    """The office's mail server for emailing documents; empty: email is not offered."""

    smtp_port: int = Field(default=587, ge=1, le=65535)
    """The mail server's port: 587 for STARTTLS, 465 for SSL, 25 for none."""

    smtp_security: Literal["starttls", "ssl", "none"] = "starttls"
    """How the connection to the mail server is encrypted: ``starttls``, ``ssl`` or ``none`` (a relay
    on the same machine or a trusted network only)."""

    smtp_username: str = ""
    """The user name for the mail server; empty: no sign-in."""

    smtp_password: SecretStr = SecretStr("")
    """The mail server's password: from ``DUTY_SMTP_PASSWORD`` or the config file (keep it 0600); never
    shown or logged."""

    smtp_from: str = ""
    """The From address of emailed documents (e.g. ``housing@council.gov.uk``)."""

    smtp_timeout: float = Field(default=20.0, gt=0, le=300)
    """Seconds to wait for the mail server before saying it cannot be reached."""

    @field_validator("printers", "text_printers")
    @classmethod
    def _queue_names(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # CUPS queue names: printable characters other than space, tab, '/', '\\', quotes and '#'.
        for name in value:
            if not name or len(name) > 127 or any(c in name for c in " \t/\\'\"#") or not name.isprintable():
                raise ValueError(f"{name!r} is not a CUPS queue name (letters, digits, - and _; see lpstat -e)")
        return value

    @field_validator("text_printer_encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        import codecs

        try:
            codecs.lookup(value)
        except LookupError:
            raise ValueError(f"{value!r} is not an encoding Python knows (try utf-8, cp437 or cp858)") from None
        return value

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
            urlsplit(value).port  # noqa: B018  (reading .port is the check: it raises on a bad port)
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


TRUSTED_ONLY = frozenset({"batch_os_users"})
"""Settings that grant trust: taken only from a config file only root can change, never from the environment."""


def only_root_can_change(path: Path) -> str | None:
    """Why someone other than root could change ``path`` (the file, or a folder above it), or None.

    Like sudo's check of sudoers: the file and every folder above it must be owned by root and
    writable by no one else (a world-writable folder with the sticky bit, such as /tmp, is allowed:
    no one else may rename or replace root's files in it).
    """
    try:
        current = Path(os.path.realpath(path))
        info = current.stat()
    except OSError as exc:
        return f"{path} cannot be checked ({exc.strerror})"
    if info.st_uid != 0:
        return f"{current} is owned by uid {info.st_uid}, not root"
    if info.st_mode & 0o022:
        return f"{current} is writable by its group or by everyone (mode {info.st_mode & 0o7777:04o})"
    for folder in current.parents:
        try:
            info = folder.stat()
        except OSError as exc:
            return f"folder {folder} cannot be checked ({exc.strerror})"
        if info.st_uid != 0:
            return f"folder {folder} is owned by uid {info.st_uid}, not root"
        if info.st_mode & 0o022 and not info.st_mode & 0o1000:
            return f"folder {folder} is writable by its group or by everyone (mode {info.st_mode & 0o7777:04o})"
    return None


def _check_trusted_sources(path: Path, from_file: dict[str, Any], overrides: dict[str, Any]) -> None:
    """Settings that grant trust come only from a root-owned config file (EnvironmentProblem otherwise)."""
    in_environment = {key.upper() for key in os.environ}  # pydantic-settings reads DUTY_* in any case
    for name in sorted(TRUSTED_ONLY):
        if f"DUTY_{name.upper()}" in in_environment:
            raise EnvironmentProblem(
                f"setting {name} cannot be given in the environment (DUTY_{name.upper()}): anyone can set a "
                f"variable. Unset it and put {name} in a config file owned by root and writable by no one else")
        if overrides.get(name) is not None:
            raise EnvironmentProblem(f"setting {name} cannot be given on the command line; put it in a config "
                                     "file owned by root and writable by no one else")
        if name in from_file:
            problem = only_root_can_change(path)
            if problem:
                raise EnvironmentProblem(
                    f"config file {path} sets {name}, but {problem}; make it root's alone "
                    f"(chown root: FILE; chmod go-w FILE, and the same for its folders) or remove {name}")


def load_settings(config_path: Path | None = None, **overrides: Any) -> Settings:
    """Build settings from file, environment and explicit overrides (CLI flags).

    Raises EnvironmentProblem with a message naming the bad value and where it came from.
    """
    path = config_path or default_config_path()
    if config_path is not None and not path.exists():
        # A file named on the command line that is not there is a typo, not "no config": say so.
        raise EnvironmentProblem(f"config file {path} does not exist; check the --config path")
    from_file = _read_config_file(path)
    _check_trusted_sources(path, from_file, overrides)
    chosen = layered(_FIELD_NAMES, from_file, overrides)  # the preview's order of precedence, the same function
    # What the environment won is left for pydantic-settings to read from it (it decodes lists as JSON).
    given = {name: value for name, (value, where) in chosen.items() if not where.startswith("environment")}
    try:
        return Settings(**given)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"]) or "settings"
            where = chosen[field][1] if field in chosen else "settings"
            source = f"config file {path}" if where == "config file" else where
            problems.append(f"setting {field} ({source}): {error['msg']}")
        raise EnvironmentProblem("; ".join(problems)) from None


# The password runs to the last '@' before the query: it may hold '/' or '@' the user did not encode.
