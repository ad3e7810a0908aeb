"""The legacy Data Export API: bundle listing and download (2 downloads a minute), and one person's
events (`userEvents`, meant for data-subject requests)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from headwater.connectors.fullstory import decode
from headwater.connectors.fullstory.models import Bundle
from headwater.http import HttpClient, RateLimiter

BUNDLES_PER_PAGE = 20


class LegacyExportApi:
    def __init__(self, http: HttpClient, downloads: RateLimiter) -> None:
        self._http = http
        self._downloads = downloads

    def bundles(self, start: int = 0) -> Iterator[Bundle]:
        """Every bundle ending after `start` (Unix seconds), oldest first, 20 per call."""
        while True:
            body = self._http.request("GET", "/api/v1/export/list", params={"start": start}).json()
            page = [Bundle.model_validate(item) for item in body.get("exports") or []]
            yield from page
            if len(page) < BUNDLES_PER_PAGE or page[-1].Stop <= start:
                return
            start = page[-1].Stop

    def download(self, bundle_id: int) -> Iterator[dict[str, Any]]:
        """Rows of one bundle, parsed while they download.

        A token of the 2-a-minute budget is spent before asking, so we wait our turn instead of meeting a
        429; the slot is released at once, so parsing one bundle never holds up the next download.
        """
        with self._downloads.slot():
            pass
        with self._http.stream("GET", "/api/v1/export/get", params={"id": bundle_id}) as rsp:
            yield from decode.rows(rsp.iter_bytes())

    def user_events(self, uid: str) -> Iterator[dict[str, Any]]:
        """Every exported event row of the person with this uid."""
        with self._http.stream("GET", "/api/v1/export/userEvents", params={"uid": uid}) as rsp:
            yield from decode.rows(rsp.iter_bytes())

    def user_pages(self, uid: str) -> Iterator[dict[str, Any]]:
        """Lines of `userPages`: for each page its metadata, then the page object with its events."""
        with self._http.stream("GET", "/api/v1/export/userPages", params={"uid": uid}) as rsp:
            yield from decode.rows(rsp.iter_bytes(), "ndjson")
