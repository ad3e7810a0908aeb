"""Declaring an action where its code is: `@action("list-users", title=..., effect=READ)` on the run function.

Everything else an action needs is already written once, so it is read rather than repeated: the provider
is the connector package the function lives in, the input and output models are the annotations of its
`data` parameter and its return, and the description is its docstring. A provider's `actions` package
hands its modules to `collect`, which keeps the order the actions are written in.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from types import ModuleType
from typing import Any, get_type_hints

from pydantic import BaseModel

from headwater.actions.model import Action, Effect, RunFunction

#: actions live in `headwater.connectors.<provider>.…`; the package names the provider
_PROVIDER_PACKAGE = re.compile(r"^headwater\.connectors\.(?P<provider>[a-z0-9_]+)\.")


def action(
    key: str, *, title: str, effect: Effect, keywords: tuple[str, ...] = ()
) -> Callable[[RunFunction], Action]:
    """Make `run(client, data: InputModel, ctx) -> OutputModel` the catalogue's action `key`.

    `keywords` are extra words intent search should know the action by; words the key, title or
    description already say, or that `actions.intent.SYNONYMS` folds onto them, add nothing.
    """

    def declare(run: RunFunction) -> Action:
        hints = get_type_hints(run)
        parameters = list(inspect.signature(run).parameters)
        if len(parameters) != 3:
            raise TypeError(f"{_where(run)} must take (client, data, ctx)")
        return Action(
            key=key,
            provider=_provider(run),
            title=title,
            description=_description(run),
            input_model=_model(run, hints.get(parameters[1]), f"its {parameters[1]!r} parameter"),
            output_model=_model(run, hints.get("return"), "its return"),
            effect=effect,
            run=run,
            keywords=keywords,
        )

    return declare


def collect(*modules: ModuleType) -> list[Action]:
    """The actions declared in `modules`: module by module, each in the order it is written."""
    return [
        value
        for module in modules
        for value in vars(module).values()
        if isinstance(value, Action) and value.run.__module__ == module.__name__
    ]


def _where(run: RunFunction) -> str:
    return f"{run.__module__}.{getattr(run, '__qualname__', run)}"


def _provider(run: RunFunction) -> str:
    match = _PROVIDER_PACKAGE.match(run.__module__)
    if match is None:
        raise TypeError(f"{_where(run)}: declare actions inside their provider's headwater.connectors.<kind>")
    return match["provider"]


def _description(run: RunFunction) -> str:
    """The docstring on one line: it is what `actions list` and the REST API show."""
    text = " ".join((inspect.getdoc(run) or "").split())
    if not text:
        raise TypeError(f"{_where(run)} needs a docstring: it is the action's description")
    return text


def _model(run: RunFunction, annotation: Any, what: str) -> type[BaseModel]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    raise TypeError(f"{_where(run)}: annotate {what} with a pydantic model; the schemas come from it")
