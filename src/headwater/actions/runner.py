"""Running one action on one connection: validate the input before any call, build the provider
client (or a dry-run one), run, check the output against its schema, and audit what changed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
from pydantic import BaseModel, ValidationError

from headwater.actions.catalogue import find_action
from headwater.actions.dryrun import DryRunRequest, DryRunTransport, describe_request
from headwater.actions.local_files import Face
from headwater.actions.model import Action, ActionContext, Progress, describe_errors, no_progress
from headwater.connections import on_behalf_of
from headwater.connectors.base import ConnectionInfo
from headwater.connectors.registry import get_provider
from headwater.errors import BadInput, HeadwaterError, ProviderError
from headwater.http import Observer

if TYPE_CHECKING:
    from headwater.connections import Connections


@dataclass(frozen=True)
class RunOptions:
    """How to run; `face` says who asks, which decides what input is accepted (files: the CLI only)."""

    face: Face
    transport: httpx.BaseTransport | None = None
    observers: list[Observer] = field(default_factory=list)
    progress: Progress = no_progress
    limit: int | None = None
    sleep: Callable[[float], None] = time.sleep
    dry_run: bool = False


@dataclass(frozen=True)
class RunResult:
    """What a run produced: the output, or — for a dry run — the request that would have been sent."""

    action: Action
    connection: str
    output: BaseModel | None = None
    request: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"action": self.action.key, "connection": self.connection}
        if self.request is not None:
            data["dry_run"] = True
            data["request"] = self.request
        else:
            data["output"] = self.output.model_dump(mode="json") if self.output is not None else None
        return data


def run_action(info: ConnectionInfo, action: Action, data: Any, options: RunOptions) -> RunResult:
    """Run `action` with `data` on the connection described by `info`."""
    if options.limit is not None and options.limit < 1:
        raise BadInput("--limit must be a positive number.")
    if action.provider != info.kind:
        raise BadInput(
            f"{action.qualified_key} is a {action.provider} action; connection {info.name!r} is {info.kind}."
        )
    payload = action.parse_input(data, face=options.face)
    transport = DryRunTransport() if options.dry_run else on_behalf_of(info, options.transport)
    client = get_provider(info.kind).client(info, transport=transport, observers=list(options.observers))
    context = ActionContext(info, progress=options.progress, limit=options.limit, sleep=options.sleep)
    try:
        output = action.run(client, payload, context)
    except DryRunRequest as stop:
        return RunResult(action, info.name, request=describe_request(stop.request, info.credentials.values()))
    finally:
        close = getattr(client, "close", None)
        if callable(close):
            close()
    if options.dry_run:
        return RunResult(action, info.name, request={"note": "this action sends no HTTP request"})
    return RunResult(action, info.name, output=_checked_output(action, output))


def _checked_output(action: Action, output: Any) -> BaseModel:
    if isinstance(output, action.output_model):
        return output
    try:
        raw = output.model_dump() if isinstance(output, BaseModel) else output
        return action.output_model.model_validate(raw)
    except ValidationError as exc:
        raise ProviderError(
            f"{action.qualified_key} returned output that does not match its schema: {describe_errors(exc)}.",
            hint="This is a bug in Headwater; please report it with the action key.",
        ) from None


def run_on_connection(
    connections: Connections,
    name: str,
    key: str,
    data: Any,
    *,
    actor: str,
    options: RunOptions,
) -> RunResult:
    """Look up the connection and action, run, and audit any run that may change provider data."""
    info = connections.usable_info(name)
    action = find_action(info.kind, key)
    if action.read_only or options.dry_run:
        return run_action(info, action, data, options)
    try:
        result = run_action(info, action, data, options)
    except BadInput:
        raise  # refused before any call: nothing changed, nothing to audit
    except HeadwaterError as exc:
        connections.record(
            name, actor, "action.failed", f"{action.title} failed: {exc.message}", action=key, code=exc.code
        )
        raise
    connections.record(name, actor, "action.run", f"Ran {action.title}.", action=key)
    return result
