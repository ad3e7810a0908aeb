"""The per-step run log: what each step was given (secrets masked), how big its output was, how long it
took and why it failed. Outputs themselves are not kept: they may hold personal data, and the size is
what tells a slow or runaway step apart.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from headwater.http import REDACTED, SECRET_HEADERS, SECRET_PARAMS, redact_url

SECRET_KEYS = SECRET_HEADERS | SECRET_PARAMS | {"webhook_url", "client_secret", "private_key", "credentials"}
MAX_LOGGED_TEXT = 2000


@dataclass(frozen=True)
class StepRecord:
    position: int
    step_id: str
    uses: str
    iteration: int | None
    status: str  # succeeded | failed | skipped
    inputs: dict[str, Any] | None
    output_size: int | None
    duration_ms: float
    error: str | None = None


def output_size(output: Any) -> int:
    """Bytes of the output as JSON: what the step handed to the steps after it."""
    return len(json.dumps(output, default=str, ensure_ascii=False).encode())


def scrub(text: str, secrets: Iterable[str]) -> str:
    for secret in sorted((s for s in secrets if s and len(s) >= 4), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


def mask(value: Any, secrets: Iterable[str] = ()) -> Any:
    """A copy of `value` fit for the run log: secret-named keys, known secret values and secret query
    parameters of URLs are replaced; long texts are cut."""
    known = list(secrets)
    if isinstance(value, dict):
        return {
            key: REDACTED if str(key).lower() in SECRET_KEYS and item else mask(item, known)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [mask(item, known) for item in value]
    if isinstance(value, str):
        text = scrub(value, known)
        if text.startswith(("http://", "https://")):
            text = redact_url(text)
        return text if len(text) <= MAX_LOGGED_TEXT else text[:MAX_LOGGED_TEXT] + "…"
    return value
