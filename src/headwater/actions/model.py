"""What an action is: one typed, schema-described provider call that a CLI, Python, a workflow or an
automated caller can discover and run the same way.

Schemas are generated from the pydantic input/output models, so they are never written twice and cannot
drift from what the runner validates. Providers declare actions with `actions.decorator.action`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from headwater.actions.local_files import Face, validation_context
from headwater.errors import BadInput

if TYPE_CHECKING:
    from headwater.connectors.info import ConnectionInfo

_KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

Progress = Callable[[str, int, "int | None"], None]


def no_progress(_description: str, _done: int, _total: int | None) -> None:
    """The default progress reporter: off a TTY there is nobody to show a bar to."""


@dataclass
class ActionContext:
    """What an action may use besides its client and input; tests replace `sleep` with a fast one."""

    connection: ConnectionInfo
    progress: Progress = no_progress
    limit: int | None = None
    sleep: Callable[[float], None] = time.sleep


RunFunction = Callable[[Any, Any, ActionContext], BaseModel]


class Effect(Enum):
    """What running an action may do to the provider's data; the faces decide who may run it from this."""

    READ = "read"  # changes nothing: no audit entry, an operator may run it
    WRITE = "write"  # may change data: audited, needs an admin
    DESTRUCTIVE = "destructive"  # deletes data: also needs an explicit confirmation


READ, WRITE, DESTRUCTIVE = Effect.READ, Effect.WRITE, Effect.DESTRUCTIVE


@dataclass(frozen=True)
class Action:
    key: str
    provider: str
    title: str
    description: str
    input_model: type[BaseModel]
    output_model: type[BaseModel]
    effect: Effect
    run: RunFunction = field(repr=False, compare=False)
    keywords: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not _KEY.match(self.key):
            raise ValueError(f"action key {self.key!r} must be kebab-case")

    @property
    def read_only(self) -> bool:
        return self.effect is Effect.READ

    @property
    def destructive(self) -> bool:
        return self.effect is Effect.DESTRUCTIVE

    @property
    def qualified_key(self) -> str:
        return f"{self.provider}.{self.key}"

    def input_schema(self) -> dict[str, Any]:
        return self.input_model.model_json_schema()

    def output_schema(self) -> dict[str, Any]:
        return self.output_model.model_json_schema(mode="serialization")

    def parse_input(self, data: Any, *, face: Face | None = None) -> BaseModel:
        """Validate raw input before any call; the error names every bad field and never echoes values.

        With a `face`, input that only that face may not give (a file path off the CLI) is refused too;
        a ready model is validated again then, since it was built without knowing who passes it on.
        """
        if isinstance(data, self.input_model) and face is None:
            return data
        if isinstance(data, BaseModel):
            data = data.model_dump()
        try:
            return self.input_model.model_validate(
                data if data is not None else {}, context=validation_context(face)
            )
        except ValidationError as exc:
            raise BadInput(
                f"Invalid input for {self.qualified_key}: {describe_errors(exc)}.",
                hint=f"See the input schema with `headwater actions show {self.key} "
                f"--provider {self.provider}`.",
            ) from None

    def describe(self) -> dict[str, Any]:
        """The catalogue entry as JSON (for `actions list --json` and the REST API)."""
        return {
            "key": self.key,
            "provider": self.provider,
            "title": self.title,
            "description": self.description,
            "read_only": self.read_only,
            "destructive": self.destructive,
            "input_schema": self.input_schema(),
            "output_schema": self.output_schema(),
        }


def describe_errors(exc: ValidationError) -> str:
    """`field.path: message` for each problem, without the offending value (it may be personal data)."""
    parts = []
    for error in exc.errors(include_input=False, include_url=False):
        where = ".".join(str(p) for p in error["loc"]) or "(input)"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)
