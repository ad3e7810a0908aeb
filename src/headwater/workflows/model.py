"""The shape of a workflow file, as pydantic models.

They are the single source of both the validation and the published JSON Schema (`schema.py`), so the
schema an editor checks a file against is exactly the one `headwater workflows validate` applies.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"
IDENTIFIER_PATTERN = r"^[a-z_][a-z0-9_]{0,62}$"
USES_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*)?$"

InputName = Annotated[str, StringConstraints(pattern=IDENTIFIER_PATTERN)]
InputType = Literal["string", "integer", "number", "boolean", "list", "object"]
PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "list": (list,),
    "object": (dict,),
}


class Strict(BaseModel):
    """Unknown keys are errors: a typo must not silently switch a feature off."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Schedule(Strict):
    cron: str = Field(
        description="Five cron fields: minute hour day-of-month month day-of-week; or @hourly, @daily, "
        "@weekly, @monthly, @yearly.",
        examples=["0 9 * * *", "*/30 8-18 * * 1-5"],
    )
    timezone: str = Field(
        default="UTC",
        description="IANA time zone the cron is read in; runs follow its daylight-saving changes.",
        examples=["Europe/Paris", "America/New_York"],
    )


class Triggers(Strict):
    schedule: Schedule | None = Field(default=None, description="Run on a cron schedule.")
    manual: bool = Field(default=False, description="Allow runs on demand: `headwater workflows run NAME`.")

    @model_validator(mode="after")
    def _at_least_one(self) -> Triggers:
        if self.schedule is None and not self.manual:
            raise ValueError("give a schedule, manual: true, or both")
        return self


class InputSpec(Strict):
    type: InputType = Field(default="string", description="What the value must be.")
    default: Any = Field(default=None, description="Used when a run does not give the input.")
    description: str = Field(default="", description="What the input is for.")
    required: bool = Field(default=False, description="A run must give it (there is no default).")

    @model_validator(mode="after")
    def _default_matches(self) -> InputSpec:
        if self.default is not None and not matches(self.type, self.default):
            raise ValueError(f"the default is not a {self.type}")
        return self


class Step(Strict):
    id: str = Field(
        pattern=IDENTIFIER_PATTERN,
        description="Names the step's output for later steps: `steps.<id>.output`. Lower case, digits, _.",
    )
    name: str | None = Field(default=None, description="A title for people reading the run log.")
    uses: str = Field(
        pattern=USES_PATTERN,
        description="An action of the catalogue as provider/action (e.g. fullstory/list-sessions), or a "
        "built-in step: slack/post, http/request, set-state, fail.",
        examples=["fullstory/list-sessions", "slack/post", "set-state"],
    )
    connection: str | None = Field(
        default=None, description="The named connection the step runs on (`headwater connections list`)."
    )
    with_: dict[str, Any] = Field(
        default_factory=dict,
        alias="with",
        description="The step's inputs. Strings may hold {{ templates }} over inputs, steps, state, run.",
    )
    if_: str | bool | None = Field(
        default=None,
        alias="if",
        description="Run the step only when this expression is true, e.g. steps.count.output > 0.",
    )
    for_each: str | list[Any] | None = Field(
        default=None,
        alias="for-each",
        description="Run the step once per item of this list (a template or a literal list); the item is "
        "`item`, its position `index`, and the step's output is the list of every run's output.",
    )


class Workflow(Strict):
    name: str = Field(pattern=NAME_PATTERN, description="Unique name, e.g. session-digest.")
    description: str = Field(default="", description="What the workflow does, for people.")
    on: Triggers = Field(description="When it runs: on a schedule, on demand (manual), or both.")
    inputs: dict[InputName, InputSpec] = Field(
        default_factory=dict, description="Typed parameters, read as `inputs.<name>` in templates."
    )
    steps: list[Step] = Field(min_length=1, description="Run in order; a failing step ends the run.")

    @model_validator(mode="after")
    def _unique_step_ids(self) -> Workflow:
        seen: set[str] = set()
        for step in self.steps:
            if step.id in seen:
                raise ValueError(f"two steps have the id {step.id!r}")
            seen.add(step.id)
        return self


def matches(kind: str, value: Any) -> bool:
    """Whether `value` is of input type `kind` (a bool is not an integer here)."""
    if isinstance(value, bool) and kind in ("integer", "number"):
        return False
    return isinstance(value, PYTHON_TYPES[kind])
