"""The built-in steps: `slack/post`, `http/request`, `set-state` and `fail`.

Each one has an input model (checked by `validate` before a file is accepted, and again at run time on
the rendered values) and says whether it needs a connection and what kind of side effect it has.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field, RootModel, model_validator

from headwater.errors import BadInput, HeadwaterError
from headwater.workflows.http_step import HttpRequestInput, http_request
from headwater.workflows.model import IDENTIFIER_PATTERN, Strict
from headwater.workflows.slack import SlackPostInput, slack_post
from headwater.workflows.steps import Output, StepCall

MAX_STATE_BYTES = 64 * 1024


class WorkflowFailed(HeadwaterError):
    """A `fail` step stopped the run on purpose."""

    code = "workflow_failed"


class FailInput(Strict):
    message: str = Field(min_length=1, description="Why the run stops; shown in the run and its log.")


class SetStateInput(RootModel[dict[str, Any]]):
    """Keys to store in the workflow's state; committed only if the whole run succeeds."""

    @model_validator(mode="after")
    def _names(self) -> SetStateInput:
        for key in self.root:
            if not re.match(IDENTIFIER_PATTERN, key):
                raise ValueError(f"state key {key!r} must be lower case letters, digits and _")
        return self


@dataclass(frozen=True)
class Builtin:
    key: str
    input_model: type[BaseModel]
    connection: Literal["required", "optional", "none"]
    connection_kind: str | None  # None: any provider connection
    run: Callable[[StepCall], Output]
    description: str


def set_state(call: StepCall) -> Output:
    updated = {**call.state, **SetStateInput.model_validate(call.inputs).root}
    size = len(json.dumps(updated, default=str).encode())
    if size > MAX_STATE_BYTES:
        raise BadInput(
            f"The workflow's state would be {size} bytes; it is kept small ({MAX_STATE_BYTES} at most).",
            hint="Store dates, counts and ids in the state, not lists of records.",
        )
    call.state.clear()
    call.state.update(json.loads(json.dumps(updated, default=str)))
    return {"state": dict(call.state)}


def fail(call: StepCall) -> Output:
    raise WorkflowFailed(FailInput.model_validate(call.inputs).message)


BUILTINS: dict[str, Builtin] = {
    item.key: item
    for item in (
        Builtin(
            "slack/post",
            SlackPostInput,
            "required",
            "slack",
            slack_post,
            "Post a message (text and Block Kit blocks) to a Slack connection's channel.",
        ),
        Builtin(
            "http/request",
            HttpRequestInput,
            "optional",
            None,
            http_request,
            "Send an HTTP request: a full url, or a path on a connection (its key is added).",
        ),
        Builtin(
            "set-state",
            SetStateInput,
            "none",
            None,
            set_state,
            "Store keys in the workflow's state, kept only if the whole run succeeds.",
        ),
        Builtin("fail", FailInput, "none", None, fail, "Stop the run as failed."),
    )
}
