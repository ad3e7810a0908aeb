"""User search and user activity (Dashboard REST API): the only way to look a person up in Amplitude.

usersearch matches an amplitude_id, a user_id or device_id exactly, or a user_id prefix; useractivity
takes an amplitude_id and pages by offset from the newest event. Both share 360 calls an hour.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from headwater.connectors.amplitude.models import ActivityPage, SearchResult
from headwater.http import HttpClient

PAGE_SIZE = 1000


class DashboardApi:
    def __init__(self, http: HttpClient) -> None:
        self._http = http

    def search(self, term: str | int) -> SearchResult:
        rsp = self._http.request("GET", "/api/2/usersearch", params={"user": str(term)})
        return SearchResult.model_validate(rsp.json())

    def activity(
        self,
        amplitude_id: int,
        *,
        offset: int = 0,
        limit: int = PAGE_SIZE,
        direction: Literal["latest", "earliest"] = "latest",
    ) -> ActivityPage:
        params = {"user": amplitude_id, "offset": offset, "limit": limit, "direction": direction}
        return ActivityPage.model_validate(
            self._http.request("GET", "/api/2/useractivity", params=params).json()
        )

    def activity_pages(
        self,
        amplitude_id: int,
        *,
        direction: Literal["latest", "earliest"] = "latest",
        page_size: int = PAGE_SIZE,
    ) -> Iterator[ActivityPage]:
        """Every page of a user's events; a page may hold more than asked for, to keep a session whole."""
        offset = 0
        while True:
            page = self.activity(amplitude_id, offset=offset, limit=page_size, direction=direction)
            yield page
            if len(page.events) < page_size:
                return
            offset += len(page.events)
