"""Ingestion: HTTP V2 events, batch events and identify. The API key travels in the body, not a header.

A wrong key here is a 400 "Invalid API key", reported as the authentication failure it is.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pydantic import SecretStr

from headwater.connectors.amplitude.models import IngestResult
from headwater.errors import AuthError, BadRequest
from headwater.http import HttpClient

MAX_EVENTS = 2000


class IngestApi:
    def __init__(self, http: HttpClient, api_key: SecretStr) -> None:
        self._http = http
        self._api_key = api_key

    def send(self, events: Sequence[dict[str, Any]], *, min_id_length: int | None = None) -> IngestResult:
        """HTTP V2: up to 2000 events, each with event_type and a user_id or device_id."""
        return self._events("/2/httpapi", events, min_id_length)

    def batch(self, events: Sequence[dict[str, Any]], *, min_id_length: int | None = None) -> IngestResult:
        """Batch API: the same events, with higher per-user throughput limits."""
        return self._events("/batch", events, min_id_length)

    def identify(self, identifications: Sequence[dict[str, Any]]) -> str:
        """Set user properties without sending an event; they apply from the user's next event."""
        form = {
            "api_key": self._api_key.get_secret_value(),
            "identification": json.dumps(list(identifications)),
        }
        return self._post("/identify", data=form).text.strip()

    def _events(self, path: str, events: Sequence[dict[str, Any]], min_id_length: int | None) -> IngestResult:
        body: dict[str, Any] = {"api_key": self._api_key.get_secret_value(), "events": list(events)}
        if min_id_length is not None:
            body["options"] = {"min_id_length": min_id_length}
        return IngestResult.model_validate(self._post(path, json=body).json())

    def _post(self, path: str, **kwargs: Any) -> Any:
        try:
            return self._http.request("POST", path, **kwargs)
        except BadRequest as exc:
            if "invalid api key" in exc.message.lower():
                raise AuthError(
                    "Amplitude refused the project API key for ingestion.",
                    hint="Check the connection's api_key and region (EU projects need region=eu).",
                ) from None
            raise
