"""No secret is ever a command-line value: `ps` and shell history show every argument."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import typer

from headwater.cli.main import app

#: names that say a parameter carries a credential
SECRET_NAME = re.compile(r"(api|secret|org)[-_]?key|token|passw|webhook|credential", re.IGNORECASE)
#: a secret arrives by naming its source, never as the value itself
SAFE_SOURCE = re.compile(r"-(stdin|env)$")
#: the one credential-like value allowed on the command line, with the reason its help must give
NOT_SECRET = {("connect amplitude", "--api-key"): "browser"}


def commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    if hasattr(command, "list_commands"):
        ctx = type(command).context_class(command)
        for name in command.list_commands(ctx):
            yield from commands(command.get_command(ctx, name), (*path, name))
    else:
        yield " ".join(path), command


def test_every_credential_is_read_from_stdin_a_variable_or_a_prompt() -> None:
    offending, allowed = [], set()
    for path, command in commands(typer.main.get_command(app)):
        for param in command.params:  # options and positional arguments alike
            for name in param.opts:
                if not SECRET_NAME.search(name) or SAFE_SOURCE.search(name):
                    continue
                reason = NOT_SECRET.get((path, name))
                if reason is None:
                    offending.append(f"{path} {name}")
                    continue
                allowed.add((path, name))
                assert reason in (param.help or ""), f"{path} {name}: the help must say why it is no secret"
    assert offending == []
    assert allowed == set(NOT_SECRET)  # the allowed flag still exists, so its help was checked
