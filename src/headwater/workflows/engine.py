"""Running a workflow's steps in order: `if:` and `for-each:`, templated inputs, one log record per step.

The engine knows nothing about jobs or the store: what it may touch arrives in a `RunEnv`, and what
the run decided to keep comes back as the pending state, which the caller commits only if it records the
run as succeeded.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from headwater.actions.catalogue import find_action
from headwater.actions.local_files import Face
from headwater.actions.model import describe_errors
from headwater.actions.runner import RunOptions, run_on_connection
from headwater.errors import BadInput, HeadwaterError
from headwater.jobs.outcomes import describe
from headwater.workflows import templating
from headwater.workflows.builtins import BUILTINS
from headwater.workflows.model import Step, Workflow
from headwater.workflows.runlog import StepRecord, mask, output_size, scrub
from headwater.workflows.steps import Output, RunEnv, StepCall

MAX_ITEMS = 10_000


def execute(
    workflow: Workflow,
    inputs: Mapping[str, Any],
    state: Mapping[str, Any],
    run: Mapping[str, Any],
    env: RunEnv,
) -> dict[str, Any]:
    """Run every step; returns the state as the run left it (not yet stored)."""
    pending: dict[str, Any] = copy.deepcopy(dict(state))
    steps: dict[str, Any] = {}
    context: dict[str, Any] = {"inputs": dict(inputs), "steps": steps, "state": pending, "run": dict(run)}
    for position, step in enumerate(workflow.steps):
        env.check_stop()
        steps[step.id] = _run_step(position, step, context, pending, env)
    return pending


def _run_step(
    position: int, step: Step, context: dict[str, Any], pending: dict[str, Any], env: RunEnv
) -> dict[str, Any]:
    if step.for_each is None:
        output, status = _once(position, step, None, context, pending, env)
        return {"output": output, "status": status}
    items = _items(step, context)
    outputs, statuses = [], []
    for index, item in enumerate(items):
        env.check_stop()
        scope = {**context, "item": item, "index": index}
        output, status = _once(position, step, index, scope, pending, env)
        outputs.append(output)
        statuses.append(status)
    status = "succeeded" if "succeeded" in statuses or not statuses else "skipped"
    return {"output": outputs, "items": items, "status": status}


def _items(step: Step, context: Mapping[str, Any]) -> list[Any]:
    try:
        items = templating.render(step.for_each, context)
    except HeadwaterError as exc:
        raise _in_step(exc, step) from None
    if not isinstance(items, list):
        raise BadInput(
            f"Step {step.id!r}: for-each must give a list; it gave {type(items).__name__}.",
            hint="Use a list input (type: list) or an expression such as {{ steps.x.output.users }}.",
        )
    if len(items) > MAX_ITEMS:
        raise BadInput(f"Step {step.id!r}: for-each gave {len(items)} items; at most {MAX_ITEMS} run.")
    return items


def _once(
    position: int,
    step: Step,
    iteration: int | None,
    context: Mapping[str, Any],
    pending: dict[str, Any],
    env: RunEnv,
) -> tuple[Any, str]:
    started = time.monotonic()
    inputs: dict[str, Any] | None = None

    def record(status: str, output: Any = None, error: str | None = None) -> None:
        logged = mask(inputs, env.secrets) if inputs is not None else None
        size = output_size(output) if status == "succeeded" else None
        elapsed = (time.monotonic() - started) * 1000
        env.record(StepRecord(position, step.id, step.uses, iteration, status, logged, size, elapsed, error))

    try:
        if not templating.condition(step.if_, context):
            record("skipped")
            return None, "skipped"
        inputs = templating.render(step.with_, context)
        key = f"{env.effect_prefix}:{step.id}" + (f":{iteration}" if iteration is not None else "")
        call = StepCall(step.id, step.uses, step.connection, inputs, env, pending, key)
        output = dispatch(step, call)
    except HeadwaterError as exc:
        failure = _in_step(exc, step)
        record("failed", error=scrub(str(failure), env.secrets))
        raise failure from None
    except Exception as exc:
        record("failed", error=scrub(describe(exc), env.secrets))
        raise
    record("succeeded", output)
    return output, "succeeded"


def dispatch(step: Step, call: StepCall) -> Output:
    """A built-in step, or an action of the catalogue on the step's connection."""
    builtin = BUILTINS.get(step.uses)
    if builtin is not None:
        call.inputs = fit(builtin.input_model, call.inputs)
        return builtin.run(call)
    provider, _, key = step.uses.partition("/")
    if not key:
        raise BadInput(
            f"Unknown built-in step {step.uses!r}.", hint=f"Built-in steps: {', '.join(sorted(BUILTINS))}."
        )
    action = find_action(provider, key)
    call.inputs = fit(action.input_model, call.inputs)
    action.parse_input(call.inputs, face=Face.WORKFLOW)  # a clear error before the connection is opened
    info = call.env.connection(step.connection, kind=provider, step=step.id)
    options = RunOptions(face=Face.WORKFLOW, transport=call.env.transport, sleep=call.env.sleep)

    def run_action() -> Output:
        result = run_on_connection(
            call.env.connections, info.name, key, call.inputs, actor=call.env.actor, options=options
        )
        output: Output = result.as_dict().get("output") or {}
        return output

    return call.env.once(call.effect_key, run_action, "none" if action.read_only else "once")


def fit(model: type[BaseModel], inputs: dict[str, Any]) -> dict[str, Any]:
    """The rendered inputs, with numbers and booleans turned into text where the model wants text:
    `text: "{{ total }}"` renders the number itself, and should still be a valid message."""
    for _ in range(2):
        try:
            model.model_validate(inputs)
            return inputs
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
            fixable = [e["loc"] for e in errors if e["type"] == "string_type" and _scalar(e.get("input"))]
            if not fixable:
                raise BadInput(f"Invalid input: {describe_errors(exc)}.") from None
            inputs = copy.deepcopy(inputs)
            for loc in fixable:
                _set_text(inputs, loc)
    return inputs


def _scalar(value: Any) -> bool:
    return isinstance(value, int | float | bool)


def _set_text(data: Any, loc: tuple[Any, ...]) -> None:
    *parents, last = loc
    for part in parents:
        data = data[part]
    value = data[last]
    data[last] = str(value).lower() if isinstance(value, bool) else str(value)


def _in_step(exc: HeadwaterError, step: Step) -> HeadwaterError:
    """The same error (so retries still see what kind it is), saying which step it came from."""
    prefix = f"Step {step.id!r} ({step.uses}): "
    if not exc.message.startswith(prefix):
        exc.message = prefix + exc.message
        exc.args = (exc.message,)
    return exc
