"""Segments, operations and segment exports: the asynchronous export flow of the v1-family APIs.

An export is an operation to poll; once COMPLETED it names a search export whose results endpoint gives a
pre-signed, expiring download location. That location is fetched without FullStory credentials.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import quote

from headwater.connectors.fullstory import decode
from headwater.connectors.fullstory.models import ExportLocation, Operation, Segment
from headwater.connectors.fullstory.paging import v1_items
from headwater.http import HttpClient

FORMATS = {"json": "FORMAT_JSON", "ndjson": "FORMAT_NDJSON", "csv": "FORMAT_CSV"}
TYPES = {"events": "TYPE_EVENT", "individuals": "TYPE_INDIVIDUAL"}


class SegmentsApi:
    def __init__(self, http: HttpClient, storage: HttpClient) -> None:
        self._http = http
        self._storage = storage

    def list(self, *, creator: str | None = None, limit: int = 100) -> Iterator[Segment]:
        params = {"limit": limit, "creator": creator}
        for item in v1_items(self._http, "/segments/v1", params, "segments"):
            yield Segment.model_validate(item)

    def list_operations(
        self, *, state: str | None = None, type: str | None = None, limit: int = 100
    ) -> Iterator[Operation]:
        params = {"limit": limit, "state": state, "type": type}
        for item in v1_items(self._http, "/operations/v1", params, "operations"):
            yield Operation.model_validate(item)

    def first_operation_page(self) -> None:
        """The cheapest authenticated read that needs an Admin or Architect key."""
        self._http.request("GET", "/operations/v1", params={"limit": 1})

    def get_operation(self, operation_id: str) -> Operation:
        rsp = self._http.request("GET", f"/operations/v1/{quote(operation_id, safe='')}")
        return Operation.model_validate(rsp.json())

    def create_export(
        self,
        segment_id: str,
        *,
        export_type: str = "events",
        fmt: str = "json",
        start: str = "",
        end: str = "",
        fields: Sequence[str] = (),
        timezone: str | None = None,
    ) -> str:
        """Start an export of [start, end) (RFC 3339, empty = unbounded); returns the operation id."""
        body: dict[str, Any] = {
            "segmentId": segment_id,
            "type": TYPES[export_type],
            "format": FORMATS[fmt],
            "timeRange": {"start": start, "end": end},
            "segmentTimeRange": {"start": "", "end": ""},
        }
        if fields:
            body["fields"] = list(fields)
        if timezone:
            body["timezone"] = timezone
        rsp = self._http.request("POST", "/segments/v1/exports", json=body)
        return str(rsp.json()["operationId"])

    def export_location(self, search_export_id: str) -> ExportLocation:
        path = f"/search/v1/exports/{quote(search_export_id, safe='')}/results"
        return ExportLocation.model_validate(self._http.request("GET", path).json())

    def download(self, location: str, fmt: str = "json") -> Iterator[dict[str, Any]]:
        """Rows of a finished export, decoded while the download is still arriving."""
        with self._storage.stream("GET", location) as rsp:
            yield from decode.rows(rsp.iter_bytes(), fmt)
