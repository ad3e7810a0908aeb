"""A run's inputs: the declared defaults, overridden by what the person running it gave (`--input k=v`).

Values from the command line arrive as text and are read according to the input's declared type, so
`--input days=7` is the number 7 and `--input emails=a@x.com,b@y.com` a list of two.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from headwater.errors import BadInput
from headwater.workflows.model import InputSpec, Workflow, matches

TRUE_WORDS = frozenset({"true", "yes", "1", "on"})
FALSE_WORDS = frozenset({"false", "no", "0", "off"})


def parse_pairs(items: Sequence[str]) -> dict[str, str]:
    """`k=v` strings into a mapping; the message names the bad item, never a value."""
    given: dict[str, str] = {}
    for item in items:
        name, found, value = item.partition("=")
        if not found or not name.strip():
            raise BadInput(f"Cannot read the input {name.strip() or item[:20]!r}: expected NAME=VALUE.")
        given[name.strip()] = value
    return given


def resolve(workflow: Workflow, given: Mapping[str, Any]) -> dict[str, Any]:
    """Every declared input with its value; unknown names and missing required ones are refused."""
    unknown = sorted(set(given) - set(workflow.inputs))
    if unknown:
        declared = ", ".join(sorted(workflow.inputs)) or "none"
        raise BadInput(f"{workflow.name} has no input {unknown[0]!r}.", hint=f"Its inputs: {declared}.")
    values: dict[str, Any] = {}
    for name, spec in workflow.inputs.items():
        if name in given:
            values[name] = _typed(name, spec, given[name])
        elif spec.default is not None:
            values[name] = spec.default
        elif spec.required:
            raise BadInput(
                f"{workflow.name} needs the input {name!r} ({spec.type}).",
                hint=f"Give it with --input {name}=VALUE.",
            )
        else:
            values[name] = None
    return values


def _typed(name: str, spec: InputSpec, value: Any) -> Any:
    if not isinstance(value, str) or spec.type == "string":
        if matches(spec.type, value):
            return value
        raise BadInput(f"The input {name!r} must be a {spec.type}.")
    text = value.strip()
    try:
        if spec.type == "integer":
            return int(text)
        if spec.type == "number":
            return float(text)
        if spec.type == "boolean" and text.lower() in TRUE_WORDS | FALSE_WORDS:
            return text.lower() in TRUE_WORDS
        if spec.type == "list":
            return (
                _json(text, list)
                if text.startswith("[")
                else [p.strip() for p in text.split(",") if p.strip()]
            )
        if spec.type == "object":
            return _json(text, dict)
    except ValueError:
        pass
    raise BadInput(
        f"The input {name!r} must be a {spec.type}.",
        hint="Lists: a,b,c or a JSON array; objects: a JSON object; booleans: true or false.",
    )


def _json(text: str, kind: type) -> Any:
    parsed = json.loads(text)
    if not isinstance(parsed, kind):
        raise ValueError("wrong JSON type")
    return parsed
