"""`headwater config`: what this installation is using."""

from __future__ import annotations

import typer

from headwater.cli.output import JsonOption, console, key_values, print_json
from headwater.config import load_settings

app = typer.Typer(help="Show the settings in force (secrets masked).", no_args_is_help=True)


@app.command("show")
def show(as_json: JsonOption = False) -> None:
    """Print every setting; secrets and passwords in URLs are masked."""
    data = load_settings().masked()
    if as_json:
        print_json(data)
    else:
        console.print(key_values(data, "Headwater settings"))
