"""What every `headwater connect` command shares: the connection's name option and reading a secret.

Secret keys and webhook URLs are read from stdin or from a named environment variable, never from the
command line, where shell history and `ps` would keep them.
"""

from __future__ import annotations

import getpass
import os
import sys
from typing import Annotated

import typer
from pydantic import SecretStr

from headwater.errors import BadInput

NameOption = Annotated[str, typer.Option("--name", help="A name for this connection, e.g. 'fs-prod'.")]


def read_secret(label: str, *, stdin: bool, env: str | None) -> SecretStr:
    """Exactly one source: a line on stdin, or an environment variable named by the user."""
    if stdin == (env is not None):
        raise BadInput(f"Give the {label} with exactly one of --{label}-stdin or --{label}-env VAR.")
    if env is not None:
        value = os.environ.get(env, "").strip()
        if not value:
            raise BadInput(
                f"The environment variable {env} is not set or empty.", hint=f"Export the {label} first."
            )
        return SecretStr(value)
    if sys.stdin.isatty():  # typed or pasted by a person: do not echo it
        value = getpass.getpass(f"Paste the {label.replace('-', ' ')} and press Enter: ").strip()
    else:
        value = sys.stdin.readline().strip()
    if not value:
        raise BadInput(f"No {label.replace('-', ' ')} on standard input.")
    return SecretStr(value)
