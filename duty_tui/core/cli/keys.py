"""`duty-tui keys [--markdown | --toml]` (docs/CLI.md): every key binding id and the keys in force."""

from __future__ import annotations

from typing import Annotated

import typer

from duty_tui.core.cli.context import cli_state


def keys(
    ctx: typer.Context,
    markdown: Annotated[bool, typer.Option("--markdown", help="Print docs/KEYS.md (every binding id).")] = False,
    toml: Annotated[bool, typer.Option("--toml", help="Print keymaps/default.toml (every id, default keys).")] = False,
) -> None:
    """List every key binding id with the keys in force under the chosen keymap."""
    from duty_tui.core.tui.keymaps import (
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
    settings = cli_state(ctx).settings()
    loaded = load_keymap(settings.keymap, settings.keymap_dir, registry)
    for warning in loaded.warnings:
        typer.echo(f"duty-tui: warning: {warning}", err=True)
    for note in loaded.notes:
        typer.echo(f"duty-tui: note: {note}", err=True)
    in_force = effective_keys(registry, loaded.keymap)
    for info in sorted(registry, key=lambda i: (i.scope != "global", i.scope, i.id)):
        typer.echo(f"{info.id:<22} {','.join(in_force[info.id]):<14} {info.scope:<8} {info.description}")
