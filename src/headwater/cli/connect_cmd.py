"""`headwater connect`: add a connection after its credentials pass a live test.

Secret keys are read from stdin (typed without echo at a terminal) or from a named environment variable,
never from the command line, where shell history and `ps` would show them. The one key taken as a value
is Amplitude's project API key: it is a project identifier that Amplitude's browser SDK sends from every
visitor's browser, useless without the secret key.
See `connect_options`. Slack connections come with workflows; their command lives in `connect_slack_cmd`
and is registered here.
"""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import SecretStr

from headwater.cli import connect_slack_cmd
from headwater.cli.connect_options import NameOption, read_secret
from headwater.cli.context import Context
from headwater.cli.failures import exits_cleanly
from headwater.cli.output import JsonOption, console, print_json
from headwater.connections import Connections, ConnectionSummary, os_user
from headwater.errors import BadInput

app = typer.Typer(help="Connect a provider account (the credentials are tested first).", no_args_is_help=True)

BaseUrlOption = Annotated[
    str | None, typer.Option("--base-url", help="Override the API host (the sandbox, a proxy).")
]


def _created(summary: ConnectionSummary, as_json: bool) -> None:
    if as_json:
        print_json(summary.as_dict())
        return
    console.print(f"Connected {summary.kind} as [bold]{summary.name}[/]; the credentials passed a live test.")


@app.command("fullstory")
@exits_cleanly
def fullstory(
    name: NameOption,
    api_key_stdin: Annotated[
        bool, typer.Option("--api-key-stdin", help="Read the API key from stdin.")
    ] = False,
    api_key_env: Annotated[
        str | None, typer.Option("--api-key-env", metavar="VAR", help="Read the API key from this variable.")
    ] = None,
    region: Annotated[str | None, typer.Option(help="na or eu (default: from the key's prefix).")] = None,
    base_url: BaseUrlOption = None,
    identify_by: Annotated[
        str | None,
        typer.Option("--identify-by", help="How privacy requests find a person: email (default) or uid."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Connect a FullStory account with an Admin API key."""
    key = read_secret("api-key", stdin=api_key_stdin, env=api_key_env)
    ctx = Context.load()
    summary = Connections(ctx.db, ctx.vault).create(
        "fullstory",
        name,
        credentials={"api_key": key},
        settings={"region": region, "base_url": base_url, "identify_by": identify_by},
        actor=os_user(),
    )
    _created(summary, as_json)


@app.command("amplitude")
@exits_cleanly
def amplitude(
    name: NameOption,
    api_key: Annotated[
        str | None,
        typer.Option(
            "--api-key",
            help="The project's API key. Not a secret, so it may be typed here: Amplitude's browser SDK "
            "sends it from every visitor's browser, and it cannot read or delete anything without the "
            "secret key, which is read from stdin or a variable only.",
        ),
    ] = None,
    api_key_env: Annotated[
        str | None, typer.Option("--api-key-env", metavar="VAR", help="Read the API key from this variable.")
    ] = None,
    secret_key_stdin: Annotated[
        bool, typer.Option("--secret-key-stdin", help="Read the secret key from stdin.")
    ] = False,
    secret_key_env: Annotated[
        str | None,
        typer.Option("--secret-key-env", metavar="VAR", help="Read the secret key from this variable."),
    ] = None,
    region: Annotated[str | None, typer.Option(help="us or eu.")] = None,
    base_url: BaseUrlOption = None,
    identify_by: Annotated[
        str | None,
        typer.Option(
            "--identify-by", help="email (your Amplitude user id is the email; default) or user-id."
        ),
    ] = None,
    org_api_key_env: Annotated[
        str | None,
        typer.Option(
            "--org-api-key-env", metavar="VAR", help="Organization API key, for data access requests."
        ),
    ] = None,
    org_secret_key_env: Annotated[
        str | None,
        typer.Option("--org-secret-key-env", metavar="VAR", help="Organization secret key (with the above)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Connect an Amplitude project with its API key and secret key."""
    if (api_key is None) == (api_key_env is None):
        raise BadInput("Give the API key with exactly one of --api-key KEY or --api-key-env VAR.")
    key = SecretStr(api_key) if api_key is not None else read_secret("api-key", stdin=False, env=api_key_env)
    secret = read_secret("secret-key", stdin=secret_key_stdin, env=secret_key_env)
    if (org_api_key_env is None) != (org_secret_key_env is None):
        raise BadInput("Give both --org-api-key-env and --org-secret-key-env, or neither.")
    org = {
        "org_api_key": read_secret("org-api-key", stdin=False, env=org_api_key_env)
        if org_api_key_env
        else None,
        "org_secret_key": read_secret("org-secret-key", stdin=False, env=org_secret_key_env)
        if org_secret_key_env
        else None,
    }
    ctx = Context.load()
    summary = Connections(ctx.db, ctx.vault).create(
        "amplitude",
        name,
        credentials={"api_key": key, "secret_key": secret, **org},
        settings={"region": region, "base_url": base_url, "identify_by": identify_by},
        actor=os_user(),
    )
    _created(summary, as_json)


app.command("slack")(connect_slack_cmd.slack)
