"""`duty-tui person find QUERY` (docs/CLI.md): people by name, address, postcode, phone number or ref."""

from __future__ import annotations

from typing import Annotated

import typer

from duty_tui.core.cli.context import SubApp, cli_state, open_engine, service_context
from duty_tui.core.domain.errors import InputError

person = SubApp("person", typer.Typer(help="People.", no_args_is_help=True))


@person.app.command("find")
def person_find(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="Name, address, postcode, phone number or a ref.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list, best first.")] = False,
    limit: Annotated[int, typer.Option("--limit", help="At most this many results (1-200).")] = 20,
    as_user: Annotated[str | None, typer.Option("--as", help="Act as this staff user.")] = None,
) -> None:
    """Find people: names fuzzy, refs, postcodes and phone numbers exact."""
    from duty_tui.core.services.search import find_people

    if not 1 <= limit <= 200:
        raise InputError(f"--limit {limit} is out of range; use 1 to 200")
    if not query.strip():
        raise InputError("give something to search for: a name, address, postcode, phone number or ref")
    from duty_tui.core.domain.validators import text_problem
    from duty_tui.core.services.outputs import dump_json, one_line

    problem = text_problem("the search", query)
    if problem:
        raise InputError(problem)
    settings = cli_state(ctx).settings()
    engine = open_engine(settings)
    hits = find_people(service_context(settings, engine, as_user), query, limit)
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
