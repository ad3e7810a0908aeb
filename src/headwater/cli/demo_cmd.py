"""`headwater demo`: the end-to-end tour on the embedded defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from headwater.demo import run_demo


def demo(
    home: Annotated[
        Path | None, typer.Option(help="Home directory for the demo (default: a new temporary one).")
    ] = None,
) -> None:
    """Run every feature against the local sandbox — no account, no network."""
    run_demo(home)
