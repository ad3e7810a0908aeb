"""`headwater keys`: the master key that encrypts every stored credential."""

from __future__ import annotations

import typer

from headwater.cli.context import Context
from headwater.cli.output import JsonOption, console, print_json
from headwater.vault import generate_key, rotate_master_key

app = typer.Typer(help="Manage the master key of the credential vault.", no_args_is_help=True)


@app.command("rotate")
def rotate(as_json: JsonOption = False) -> None:
    """Re-encrypt every stored secret under a new master key, losing none."""
    ctx = Context.load()
    result = rotate_master_key(ctx.settings, ctx.db)
    if as_json:
        print_json(
            {"secrets_rewritten": result.secrets_rewritten, "source": result.source, "note": result.note}
        )
        return
    console.print(f"Re-encrypted {result.secrets_rewritten} secret(s) under a new master key. {result.note}")


@app.command("generate")
def generate() -> None:
    """Print a new random master key (for HEADWATER_SECRET_KEY); nothing is stored."""
    typer.echo(generate_key())
