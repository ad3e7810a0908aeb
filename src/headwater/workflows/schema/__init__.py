"""The published JSON Schema of workflow files, generated from `workflows.model` so it cannot drift.

Editors use it for completion and checks, e.g. with the YAML language server:
`# yaml-language-server: $schema=<path printed by headwater workflows schema --path>`.
Regenerate the shipped file after changing the models: `python -m headwater.workflows.schema`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from headwater.workflows.model import Workflow

SCHEMA_FILE = Path(__file__).with_name("workflow.schema.json")
DRAFT = "https://json-schema.org/draft/2020-12/schema"


def generate() -> dict[str, Any]:
    schema = Workflow.model_json_schema(by_alias=True)
    schema["properties"]["inputs"]["additionalProperties"] = False  # names must match the pattern
    return {
        "$schema": DRAFT,
        "title": "Headwater workflow",
        "description": "Steps over FullStory, Amplitude, Slack and HTTP, run on a schedule or on demand.",
        **{key: value for key, value in schema.items() if key not in ("title", "description")},
    }


def render() -> str:
    return json.dumps(generate(), indent=2, sort_keys=True) + "\n"


def published() -> str:
    """The schema file shipped with the package."""
    return SCHEMA_FILE.read_text(encoding="utf-8")


def write(path: Path = SCHEMA_FILE) -> Path:
    path.write_text(render(), encoding="utf-8")
    return path
