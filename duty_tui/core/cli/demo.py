"""`duty-tui demo [--size S] [--seed N] [--reset] [--no-tui]` (docs/CLI.md): a synthetic office, then the app on it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

import typer

from duty_tui.core.cli.context import cli_state, open_engine
from duty_tui.core.domain.errors import InputError


def demo(
    ctx: typer.Context,
    size: Annotated[str, typer.Option("--size", help="small, office (default) or council.")] = "office",
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same data.")] = 0,
    reset: Annotated[bool, typer.Option("--reset", help="Replace the demo office already in this database (only a "
                                                        "database the demo made, with no real use in its audit "
                                                        "trail).")] = False,
    no_tui: Annotated[bool, typer.Option("--no-tui", help="Create the demo office and exit.")] = False,
) -> None:
    """Create (upgrading first) and fill a realistic synthetic office, then open the app on it.

    With no database named (no --db, DUTY_DB_URL or db_url in the config file) the office is built
    in a file of its own, demo.db in the user's data folder (not duty.db, which a plain duty-tui
    opens): running duty-tui demo again opens it. A new SQLite database is created (mode 0600) only
    in a folder that exists, or in the default data folder (created 0700).

    --reset replaces only a database that duty-tui demo made, and never deletes an audit trail
    with real use. Demo use is what the demo's own accounts do (the demo users signing in to try
    the app) and sign-in attempts with no account behind them; real use is anything done by a
    staff account added later, or by a command run without --as (the batch role). Otherwise the
    command refuses (exit 2) and changes nothing.
    """
    from duty_tui.core.config.settings import default_db_path, default_db_url, demo_db_path
    from duty_tui.core.db.engine import session_scope
    from duty_tui.core.db.migrate import upgrade
    from duty_tui.core.db.models import Setting
    from duty_tui.core.demo import generator

    if size not in generator.SIZES:
        raise InputError(f"--size {size!r} is not a demo size; use small, office or council")
    state = cli_state(ctx)
    settings = state.settings(demo=True)
    if state.db is None and settings.db_url == default_db_url():
        # No database named: the demo gets a file of its own, so a later plain `duty-tui` does not open it.
        settings.db_url = f"sqlite:///{demo_db_path()}"
        typer.echo(f"the demo office is in a file of its own, {demo_db_path()} (a plain duty-tui opens "
                   f"{default_db_path()}, not this; run duty-tui demo again to come back to it)", err=True)
    engine = open_engine(settings, check=False, create=True)
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
        for area, counts in generate_areas(engine, seed=seed, today=today, size=size,
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
        from duty_tui.core.start import run_app

        code = run_app(settings, engine=engine, demo=True)
        if code:
            raise typer.Exit(code)


def generate_areas(engine, now=None, **kwargs):
    """Each area's demo rows on top of the base office, in the order of the areas (duty_tui.core.registry);
    an area's step that is named but missing is an error, never skipped."""
    from duty_tui.core import registry

    for each in registry.areas():
        if each.demo is None:
            continue
        extra = {"now": now} if each.demo_takes_now and now is not None else {}
        yield each.name, registry.load(each.demo)(engine, **kwargs, **extra)


def existing_demo_matches(engine, size: str, seed: int) -> bool:
    """True when the database holds the demo office of this size and seed."""
    from duty_tui.core.db.engine import session_scope
    from duty_tui.core.db.models import Setting

    with session_scope(engine) as session:
        got_size = session.get(Setting, "demo_size")
        got_seed = session.get(Setting, "demo_seed")
    return bool(got_size and got_seed and got_size.value == size and got_seed.value == str(seed))
