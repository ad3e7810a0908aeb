"""`headwater keys`: the master key that encrypts every stored credential and every encrypted copy."""

from __future__ import annotations

import typer

from headwater.cli.context import Context
from headwater.cli.failures import exits_cleanly
from headwater.cli.output import JsonOption, console, print_json
from headwater.key_rotation import rotate_master_key
from headwater.vault import generate_key

app = typer.Typer(help="Manage the master key of the credential vault.", no_args_is_help=True)


@app.command("rotate")
@exits_cleanly
def rotate(as_json: JsonOption = False) -> None:
    """Re-encrypt every stored secret and encrypted copy under a new master key, losing none.

    Running `serve` and `worker` processes that read the key file pick up the new key by themselves;
    processes given HEADWATER_SECRET_KEY must be restarted with the new key.
    """
    ctx = Context.load()
    result = rotate_master_key(ctx.settings, ctx.db)
    if as_json:
        print_json(
            {
                "secrets_rewritten": result.secrets_rewritten,
                "columns": result.columns,
                "source": result.source,
                "note": result.note,
            }
        )
        return
    detail = ", ".join(f"{name} {count}" for name, count in result.columns.items() if count)
    console.print(
        f"Re-encrypted {result.secrets_rewritten} value(s) under a new master key"
        f"{f' ({detail})' if detail else ''}. {result.note}",
        markup=False,
    )


@app.command("generate")
def generate() -> None:
    """Print a new random master key (for HEADWATER_SECRET_KEY); nothing is stored."""
    typer.echo(generate_key())
