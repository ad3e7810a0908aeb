"""`headwater request`: call any provider endpoint through a connection, auth injected."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from headwater.cli.context import Context
from headwater.cli.failures import exits_cleanly
from headwater.cli.json_input import read_json
from headwater.cli.output import JsonOption, console, err_console, print_json
from headwater.connections import Connections, os_user
from headwater.proxy import ProxyRequest, parse_pairs, request_on_connection

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


@exits_cleanly
def request(
    connection: Annotated[str, typer.Argument(help="The connection to send through.")],
    path: Annotated[
        str, typer.Argument(help="API path, e.g. /v2/users/{id}; the host comes from the connection.")
    ],
    method: Annotated[str, typer.Option("-X", "--method", help="HTTP method.")] = "GET",
    header: Annotated[
        list[str] | None, typer.Option("-H", "--header", help="'Name: value' (repeatable).")
    ] = None,
    data: Annotated[str | None, typer.Option("-d", "--data", help="Raw request body.")] = None,
    data_json: Annotated[
        str | None, typer.Option("--data-json", help="JSON body (or @file.json); sets Content-Type.")
    ] = None,
    query: Annotated[
        list[str] | None, typer.Option("--query", help="k=v query parameter (repeatable).")
    ] = None,
    path_param: Annotated[
        list[str] | None, typer.Option("--path-param", help="k=v filling {k} in PATH (repeatable).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Send a raw HTTP request; prints the status and body (exit 1 when the status is 400 or more)."""
    if method.upper() not in METHODS:
        raise typer.BadParameter(f"use one of {', '.join(METHODS)}", param_hint="-X/--method")
    spec = ProxyRequest(
        path=path,
        method=method.upper(),
        headers=dict(parse_pairs(header or [], "header", sep=":")),
        query=parse_pairs(query or [], "--query"),
        path_params=dict(parse_pairs(path_param or [], "--path-param")),
        data=data,
        **({"json_body": read_json(data_json, "--data-json")} if data_json is not None else {}),
    )
    ctx = Context.load()
    response = request_on_connection(Connections(ctx.db, ctx.vault), connection, spec, actor=os_user())
    if as_json:
        print_json(response.as_dict())
    else:
        err_console.print(f"HTTP {response.status}", highlight=False)
        if isinstance(response.body, str):
            console.print(response.body, markup=False, soft_wrap=True)
        elif response.body is not None:
            console.print_json(json.dumps(response.body))
    if response.status >= 400:
        raise typer.Exit(1)
