"""Server-side events and timeline annotations (v2)."""

from __future__ import annotations

from typing import Any

from headwater.connectors.fullstory.models import Annotation
from headwater.http import HttpClient


class EventsApi:
    def __init__(self, http: HttpClient) -> None:
        self._http = http

    def create(self, body: dict[str, Any], *, idempotency_key: str | None = None) -> None:
        """Send one custom event; FullStory answers `200 {}`."""
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        self._http.request("POST", "/v2/events", json=body, headers=headers, idempotent=bool(idempotency_key))

    def annotate(
        self,
        text: str,
        *,
        start_time: str | None = None,
        end_time: str | None = None,
        source: str | None = None,
    ) -> Annotation:
        body = {"text": text, "start_time": start_time, "end_time": end_time, "source": source}
        rsp = self._http.request(
            "POST", "/v2/annotations", json={k: v for k, v in body.items() if v is not None}
        )
        return Annotation.model_validate(rsp.json())
