"""`headwater connect slack`: store a Slack incoming webhook as a connection that workflows post with.

The webhook URL is a secret (whoever has it can post), so like API keys it is read from stdin or a named
environment variable, never from the command line. Nothing is posted unless `--test` asks for it.
"""

from __future__ import annotations

from typing import Annotated

import typer

from headwater.cli.connect_options import NameOption, read_secret
from headwater.cli.context import Context
from headwater.cli.failures import exits_cleanly
from headwater.cli.output import JsonOption, console, print_json
from headwater.connections import Connections, os_user
from headwater.workflows.slack import connect_slack


@exits_cleanly
def slack(
    name: NameOption,
    webhook_url_stdin: Annotated[
        bool, typer.Option("--webhook-url-stdin", help="Read the incoming-webhook URL from stdin.")
    ] = False,
    webhook_url_env: Annotated[
        str | None,
        typer.Option("--webhook-url-env", metavar="VAR", help="Read the webhook URL from this variable."),
    ] = None,
    test: Annotated[
        bool, typer.Option("--test", help="Post a test message first; save only if Slack accepts it.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Connect a Slack channel through an incoming webhook (Slack > Apps > Incoming Webhooks)."""
    url = read_secret("webhook-url", stdin=webhook_url_stdin, env=webhook_url_env)
    ctx = Context.load()
    summary = connect_slack(Connections(ctx.db, ctx.vault), name, url, test=test, actor=os_user())
    if as_json:
        print_json({**summary.as_dict(), "tested": test})
        return
    done = "a test message was posted to its channel" if test else "nothing was sent (--test posts a message)"
    console.print(f"Connected slack as [bold]{summary.name}[/]; {done}.")
