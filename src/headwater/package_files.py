"""Headwater never writes inside its own installed package.

The package folder holds the code every process runs and the files the web server hands out to anyone
(`web/static`): a file written there could change what runs, or be downloaded without logging in. Any
path a person may choose (an action's output file, a DuckDB destination) is checked here first.
"""

from __future__ import annotations

from pathlib import Path

from headwater.errors import BadInput

PACKAGE_ROOT = Path(__file__).resolve().parent


def inside_package(path: str | Path) -> bool:
    """True when `path` (resolved, symbolic links followed) is the package folder or inside it."""
    resolved = Path(path).expanduser().resolve()
    return resolved == PACKAGE_ROOT or PACKAGE_ROOT in resolved.parents


def refuse_package_path(path: str | Path, what: str) -> None:
    """A `BadInput` naming `what` when `path` lies inside the installed package."""
    if inside_package(path):
        raise BadInput(
            f"{what}: Headwater never writes inside its own installed package ({PACKAGE_ROOT}).",
            hint="Choose a folder of your own, e.g. under your home directory.",
        )
