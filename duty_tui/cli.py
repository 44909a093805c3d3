"""The `duty-tui` command: starts the app and runs the batch jobs in docs/CLI.md.

Exit codes: 0 success; 2 the input or arguments are wrong (nothing changed);
3 the environment is wrong (database unreachable, old schema, locked). Every
failure is one clear line per problem on stderr, never a traceback.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from duty_tui.commands.serve import serve as _serve_command
from duty_tui.errors import DutyError, EnvironmentProblem, InputError

app = typer.Typer(
    name="duty-tui",
    help="Front-office terminal for UK social landlords. Run with no command to open the app.",
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=False,
    rich_markup_mode=None,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
person_app = typer.Typer(help="People.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(person_app, name="person")
app.add_typer(audit_app, name="audit")


@dataclass
class CliState:
    """Options given before the subcommand (and --db anywhere)."""

    db: str | None = None
    config: Path | None = None
    overrides: dict[str, Any] = field(default_factory=dict)

    def settings(self, **extra: Any):
        """Settings from file, environment and flags."""
        from duty_tui.config import load_settings

        return load_settings(self.config, db_url=self.db, **self.overrides, **extra)


def _state(ctx: typer.Context) -> CliState:
    root = ctx.find_root()
    if root.obj is None:
        root.obj = CliState()
    return root.obj


def _engine(settings, *, check: bool = True, create: bool = False):
    """The engine every command uses: never creates a database (only ``demo`` and ``db upgrade`` may)."""
    from duty_tui.db.engine import make_engine, ping
    from duty_tui.db.migrate import check_current

    engine = make_engine(settings.db_url, create=create)
    ping(engine)
    _warn_if_readable(settings.db_url)
    if check:
        check_current(engine)
    return engine


def _warn_if_readable(db_url: str) -> None:
    """Say so on stderr when the SQLite database file can be read by other users (never chmod it ourselves)."""
    from duty_tui.private_files import readable_by_others_warning

    warning = readable_by_others_warning(db_url)
    if warning:
        from duty_tui.domain.validators import inert

        typer.echo(f"duty-tui: warning: {inert(warning)}", err=True)


def _context(settings, engine, as_user: str | None):
    """A service context acting as --as USER, the linked OS user, or the batch role.

    The OS user is the real uid's name (never LOGNAME/USER). ``--as`` is allowed only to the OS
    account linked to that staff user or to a trusted one (services.auth.act_as; docs/STAFF.md).
    """
    from duty_tui.errors import AuthError
    from duty_tui.services.auth import act_as, find_os_actor
    from duty_tui.services.context import ServiceContext

    ctx = ServiceContext.create(engine, settings)
    if as_user:
        return ctx.as_actor(act_as(ctx, as_user))
    try:
        return ctx.as_actor(find_os_actor(ctx))
    except AuthError:
        return ctx.batch_actor()


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    db: Annotated[str | None, typer.Option("--db", help="Database URL (sqlite:///file.db or postgresql+psycopg://...).")] = None,
    config: Annotated[Path | None, typer.Option("--config", help="Config file (TOML).")] = None,
    keymap: Annotated[str | None, typer.Option("--keymap", help="Keymap name (default, vim) or a TOML file.")] = None,
    theme: Annotated[str | None, typer.Option("--theme", help="Theme name.")] = None,
    auth: Annotated[str | None, typer.Option("--auth", help="password (default) or os: sign in as the OS user.")] = None,
) -> None:
    """Open the app on the configured database."""
    state = _state(ctx)
    state.db = db or state.db
    state.config = config
    state.overrides.update({k: v for k, v in {"keymap": keymap, "theme": theme, "auth": auth}.items() if v})
    if ctx.invoked_subcommand is None:
        code = _open_app(state.settings())
        if code:
            raise typer.Exit(code)


def _open_app(settings) -> int:
    """Check the database quickly, then open the app (the database layer loads after the first paint)."""
    from duty_tui.db.preflight import check
    from duty_tui.launch import run_app

    return run_app(settings, demo=check(settings.db_url).demo)


def _run_tui(settings, engine, *, demo: bool | None = None) -> int:
    from duty_tui.launch import run_app

    return run_app(settings, engine=engine, demo=demo)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Bring the database to the current schema (idempotent)."""
    from duty_tui.db.migrate import upgrade

    settings = _state(ctx).settings()
    engine = _engine(settings, check=False, create=True)
    before, after = upgrade(engine)
    if before == after:
        typer.echo(f"database already at schema revision {after}", err=True)
    else:
        typer.echo(f"database upgraded from {before or 'empty'} to schema revision {after}", err=True)


@db_app.command("grants")
def db_grants(
    ctx: typer.Context,
    app_role: Annotated[str, typer.Option("--app-role", help="The login role the app connects as.")],
    print_sql: Annotated[bool, typer.Option("--print", help="Print the SQL instead of running it.")] = False,
) -> None:
    """PostgreSQL: give the app role ordinary DML but no UPDATE/DELETE/TRUNCATE on the audit trail (run as owner)."""
    from duty_tui.db import grants

    settings = _state(ctx).settings()
    grants.check_role_name(app_role)
    try:
        backend, database = grants.url_database(settings.db_url)
    except Exception:  # a malformed URL: make_engine says what is wrong with it, password hidden
        backend, database = None, None
    if backend == "sqlite":
        raise InputError(grants.SQLITE_MESSAGE)
    if print_sql and backend == "postgresql":
        typer.echo(grants.render_sql(app_role, database=database), nl=False)
        return
    engine = _engine(settings)
    result = grants.apply_grants(engine, app_role)
    typer.echo(f"granted {result.app_role} ordinary DML on {result.tables} tables owned by {result.owner}; "
               "it may not UPDATE, DELETE or TRUNCATE audit_event", err=True)


@app.command("demo", help="""Create (upgrading first) and fill a realistic synthetic office, then open the app on it.

With no database named (no --db, DUTY_DB_URL or db_url in the config file) the office is built
in a file of its own, demo.db in the user's data folder (not duty.db, which a plain duty-tui
opens): running duty-tui demo again opens it. A new SQLite database is created (mode 0600) only
in a folder that exists, or in the default data folder (created 0700).

--reset replaces only a database that duty-tui demo made, and never deletes an audit trail
with real use. Demo use is what the demo's own accounts do (the demo users signing in to try
the app) and sign-in attempts with no account behind them; real use is anything done by a
staff account added later, or by a command run without --as (the batch role). Otherwise the
command refuses (exit 2) and changes nothing.""")
def demo(
    ctx: typer.Context,
    size: Annotated[str, typer.Option("--size", help="small, office (default) or council.")] = "office",
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same data.")] = 0,
    reset: Annotated[bool, typer.Option("--reset", help="Replace the demo office already in this database (only a "
                                                        "database the demo made, with no real use in its audit "
                                                        "trail).")] = False,
    no_tui: Annotated[bool, typer.Option("--no-tui", help="Create the demo office and exit.")] = False,
) -> None:
    """Create (upgrading first) and fill a realistic synthetic office, then open the app on it."""
    from duty_tui.config import default_db_path, default_db_url, demo_db_path
    from duty_tui.db.engine import session_scope
    from duty_tui.db.migrate import upgrade
    from duty_tui.db.models import Setting
    from duty_tui.demo import generator

    if size not in generator.SIZES:
        raise InputError(f"--size {size!r} is not a demo size; use small, office or council")
    state = _state(ctx)
    settings = state.settings(demo=True)
    if state.db is None and settings.db_url == default_db_url():
        # No database named: the demo gets a file of its own, so a later plain `duty-tui` does not open it.
        settings.db_url = f"sqlite:///{demo_db_path()}"
        typer.echo(f"the demo office is in a file of its own, {demo_db_path()} (a plain duty-tui opens "
                   f"{default_db_path()}, not this; run duty-tui demo again to come back to it)", err=True)
    engine = _engine(settings, check=False, create=True)
    upgrade(engine)
    if generator.has_data(engine):
        is_demo = generator.made_by_demo(engine)
        if is_demo and not reset and existing_demo_matches(engine, size, seed):
            typer.echo("the demo office is already in this database; opening it", err=True)
        elif not reset:
            if is_demo:
                raise InputError(f"this database holds another demo office; add --reset to replace it with the "
                                 f"{size} office, seed {seed}")
            raise InputError("this database already holds data that duty-tui demo did not make; nothing was "
                             "changed (--reset replaces only a demo office). For the demo, point --db at a new "
                             "file, e.g. --db sqlite:///demo.db")
        else:
            generator.reset(engine)  # refuses (exit 2) a database the demo did not make, or one with real use
    if not generator.has_data(engine):
        import time

        started = time.perf_counter()
        now = datetime.now(UTC)
        today = date.today()
        generator.generate(engine, size=size, seed=seed, today=today, office_name=settings.office_name,
                           jurisdiction=settings.jurisdiction, progress=lambda message: typer.echo(message, err=True))
        for area, counts in _generate_areas(engine, seed=seed, today=today, size=size,
                                            jurisdiction=settings.jurisdiction, now=now):
            typer.echo(f"  {area}: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()), err=True)
        with session_scope(engine, write=True) as session:
            # Written last: a demo whose areas failed part way does not "match" and is offered --reset.
            for key, value in (("demo_size", size), ("demo_seed", str(seed))):
                session.merge(Setting(key=key, value=value))
        # What the database now holds, every area included (not what the first step alone made).
        typer.echo(f"demo office ({size}, seed {seed}) created in {time.perf_counter() - started:.1f} s: "
                   f"{generator.summary_line(generator.made_counts(engine))}", err=True)
    if not no_tui:
        code = _run_tui(settings, engine, demo=True)
        if code:
            raise typer.Exit(code)


DEMO_AREAS = (("housing", "duty_tui.demo.housing", "generate_housing"),
              ("payments", "duty_tui.demo.payments", "generate_payments"),
              ("frontdesk", "duty_tui.demo.frontdesk", "generate_frontdesk"))
DEMO_AREAS_TAKING_NOW = frozenset({"frontdesk"})
"""Areas whose demo is placed before the moment of the run (today's reception queue has already arrived)."""


def _generate_areas(engine, now=None, **kwargs):
    """Each area's demo rows on top of the base office, for the areas this build has."""
    import importlib

    for area, module_name, function in DEMO_AREAS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        extra = {"now": now} if area in DEMO_AREAS_TAKING_NOW and now is not None else {}
        yield area, getattr(module, function)(engine, **kwargs, **extra)


def existing_demo_matches(engine, size: str, seed: int) -> bool:
    """True when the database holds the demo office of this size and seed."""
    from duty_tui.db.engine import session_scope
    from duty_tui.db.models import Setting

    with session_scope(engine) as session:
        got_size = session.get(Setting, "demo_size")
        got_seed = session.get(Setting, "demo_seed")
    return bool(got_size and got_seed and got_size.value == size and got_seed.value == str(seed))


@person_app.command("find")
def person_find(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="Name, address, postcode, phone number or a ref.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list, best first.")] = False,
    limit: Annotated[int, typer.Option("--limit", help="At most this many results (1-200).")] = 20,
    as_user: Annotated[str | None, typer.Option("--as", help="Act as this staff user.")] = None,
) -> None:
    """Find people: names fuzzy, refs, postcodes and phone numbers exact."""
    from duty_tui.services.search import find_people

    if not 1 <= limit <= 200:
        raise InputError(f"--limit {limit} is out of range; use 1 to 200")
    if not query.strip():
        raise InputError("give something to search for: a name, address, postcode, phone number or ref")
    from duty_tui.domain.validators import text_problem
    from duty_tui.services.outputs import dump_json, one_line

    problem = text_problem("the search", query)
    if problem:
        raise InputError(problem)
    settings = _state(ctx).settings()
    engine = _engine(settings)
    hits = find_people(_context(settings, engine, as_user), query, limit)
    if as_json:
        typer.echo(dump_json([{"ref": h.ref, "name": h.name, "born": h.born, "address": h.address,
                               "tenancy_ref": h.tenancy_ref} for h in hits]))
        return
    if not hits:
        typer.echo(f"no one found for {one_line(repr(query))}", err=True)
        return
    for h in hits:  # names and addresses are data: shown inert, never as escapes for the terminal
        typer.echo(f"{one_line(h.ref)}  {one_line(h.name):<28.28}  {h.born or '----'}  "
                   f"{one_line(h.tenancy_ref or '-'):<7}  {one_line(h.address or '-')}")


@audit_app.command("verify")
def audit_verify(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print {ok, events, head_id, head_hash, first_broken, "
                                                         "problem} on stdout; keep head_id:head_hash offsite.")] = False,
    anchor: Annotated[list[str] | None, typer.Option("--anchor", help="ID:HASH published earlier (head_id:head_hash "
                                                                         "from --json); event ID must still have it.")] = None,
) -> None:
    """Walk the audit chain: exit 0 when intact, 1 naming the first broken event."""
    from duty_tui.services.audit import parse_anchor, verify_chain
    from duty_tui.services.outputs import dump_json, one_line

    anchors: dict[int, str] = {}
    problems = []
    for value in anchor or []:
        try:
            event_id, digest = parse_anchor(value)
        except ValueError as exc:
            problems.append(f"--anchor: {exc}")
            continue
        anchors[event_id] = digest
    if problems:
        raise InputError(problems[0], problems=problems)
    settings = _state(ctx).settings()
    engine = _engine(settings)
    report = verify_chain(engine, anchors=anchors)
    problems = [(report.first_broken_id, report.problem), *report.later] if not report.ok else []
    if as_json:
        typer.echo(dump_json({"ok": report.ok, "events": report.events, "head_id": report.head_id,
                              "head_hash": report.head_hash, "first_broken": report.first_broken_id,
                              "problem": report.problem,
                              "problems": [{"event": e, "problem": p} for e, p in problems],
                              "more_problems": report.more}))
    if report.ok:
        typer.echo(f"audit chain intact: {report.events:,} events; head {report.head_id}:{report.head_hash}"
                   + (f" (matches {len(anchors)} anchor{'s' if len(anchors) != 1 else ''})" if anchors else ""),
                   err=True)
        return
    for number, (event_id, problem) in enumerate(problems):
        # Problems quote stored values (a garbage time, a garbled head): shown inert, one line each.
        where = f" at event {event_id}" if event_id is not None else ""
        lead = "audit chain broken" if number == 0 else "also broken"
        typer.echo(f"{lead}{where}: {one_line(problem)}", err=True)
    if report.more:
        typer.echo(f"… and {report.more:,} more problems not listed", err=True)
    raise typer.Exit(1)


# `duty-tui serve`: the browser face (duty_tui/commands/serve.py, duty_tui/web/).
app.command("serve")(_serve_command)


@app.command("keys")
def keys(
    ctx: typer.Context,
    markdown: Annotated[bool, typer.Option("--markdown", help="Print docs/KEYS.md (every binding id).")] = False,
    toml: Annotated[bool, typer.Option("--toml", help="Print keymaps/default.toml (every id, default keys).")] = False,
) -> None:
    """List every key binding id with the keys in force under the chosen keymap."""
    from duty_tui.tui.keymaps import (
        binding_registry,
        effective_keys,
        load_keymap,
        render_default_keymap,
        render_keys_markdown,
    )

    registry = binding_registry()
    if markdown:
        typer.echo(render_keys_markdown(registry), nl=False)
        return
    if toml:
        typer.echo(render_default_keymap(registry), nl=False)
        return
    settings = _state(ctx).settings()
    loaded = load_keymap(settings.keymap, settings.keymap_dir, registry)
    for warning in loaded.warnings:
        typer.echo(f"duty-tui: warning: {warning}", err=True)
    for note in loaded.notes:
        typer.echo(f"duty-tui: note: {note}", err=True)
    in_force = effective_keys(registry, loaded.keymap)
    for info in sorted(registry, key=lambda i: (i.scope != "global", i.scope, i.id)):
        typer.echo(f"{info.id:<22} {','.join(in_force[info.id]):<14} {info.scope:<8} {info.description}")


def _register_optional() -> None:
    """Sub-apps owned by other areas (each module may not exist yet in a partial checkout)."""
    import importlib

    for module_name, name in (
        ("duty_tui.commands.triage", "triage"),
        ("duty_tui.commands.account", "account"),
        ("duty_tui.commands.payments", "payments"),
        ("duty_tui.commands.report", "report"),
        ("duty_tui.commands.gdpr", "gdpr"),
        ("duty_tui.commands.queue", "queue"),
        ("duty_tui.commands.staff", "staff"),
    ):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        app.add_typer(module.app, name=name)


_register_optional()


def run(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (never raises for user-facing errors).

    Everything a command creates is private to the user (umask 077: files 0600, folders 0700).
    """
    from duty_tui.private_files import private_umask

    with private_umask():
        return _run(argv)


def _run(argv: list[str] | None) -> int:
    from duty_tui.launch import hoist_db

    args, db = hoist_db(list(sys.argv[1:] if argv is None else argv))
    state = CliState(db=db)
    try:
        from duty_tui.launch import fast_app_args

        fast = fast_app_args(args)
        if fast is not None:
            from duty_tui.launch import open_app

            return open_app(db, fast)
        result = app(args=args, prog_name="duty-tui", standalone_mode=False, obj=state)
        # With standalone_mode off, click returns typer.Exit's code instead of raising it.
        if isinstance(result, int):
            return result
    except DutyError as exc:
        problems = getattr(exc, "problems", None) or [exc.message]
        from duty_tui.domain.validators import inert

        for problem in problems:  # problems may quote input (file names, cells): shown inert
            typer.echo(f"duty-tui: {inert(problem)}", err=True)
        return exc.exit_code
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        typer.echo("duty-tui: aborted", err=True)
        return 130
    except typer.TyperException as exc:  # usage errors: unknown command, bad option value
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        typer.echo(f"duty-tui: {message}", err=True)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug: say so plainly, keep the traceback in a log file
        from duty_tui.domain.validators import inert
        from duty_tui.errors import crash_summary

        log = _log_crash(exc)
        typer.echo(f"duty-tui: unexpected error ({inert(crash_summary(exc))}); details saved to {log}", err=True)
        return 1
    return 0


def _log_crash(exc: BaseException) -> str:
    """The traceback to crash.log (0600; no SQL parameters, row values or passwords); returns its path."""
    from duty_tui.errors import log_crash

    return log_crash(exc)


def main() -> None:
    """Console-script entry point."""
    sys.exit(run())


__all__ = ["app", "main", "run", "EnvironmentProblem"]
