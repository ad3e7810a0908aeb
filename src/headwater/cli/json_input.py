"""JSON given on the command line inline, as `@file.json`, or as `@-` for standard input."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from headwater.errors import BadInput


def read_json(raw: str, option: str) -> Any:
    source = option
    if raw.startswith("@"):
        path = raw[1:]
        source = "standard input" if path == "-" else path
        try:
            raw = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise BadInput(f"Cannot read {path} (given to {option}): {exc.strerror}.") from None
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise BadInput(
            f"The JSON in {source} is not valid: {exc.msg} (line {exc.lineno}, column {exc.colno})."
        ) from None
