"""Organization settings with their audit trail, and webhook endpoints (v1-family APIs)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal
from urllib.parse import quote

from headwater.connectors.fullstory.paging import v1_items
from headwater.http import HttpClient

SettingName = Literal["blocking", "domain", "geo", "privacy", "features", "targeting"]


class SettingsApi:
    """Recording settings; `privacy` needs an Admin key, the others a Standard one."""

    def __init__(self, http: HttpClient) -> None:
        self._http = http

    def current(self, name: SettingName, *, platform: str | None = None) -> dict[str, Any]:
        params = {"platform": platform} if platform else {}
        body: dict[str, Any] = self._http.request(
            "GET", f"/settings/recording/v1/{name}", params=params
        ).json()
        return body

    def history(
        self, name: SettingName, *, platform: str | None = None, limit: int = 100
    ) -> Iterator[dict[str, Any]]:
        """Every earlier version, newest first; each carries `metadata` (who changed it, when)."""
        params = {"platform": platform, "limit": limit}
        return v1_items(self._http, f"/settings/recording/v1/{name}/history", params, "versions")


class WebhooksApi:
    def __init__(self, http: HttpClient) -> None:
        self._http = http

    def endpoints(self) -> list[dict[str, Any]]:
        return list(self._http.request("GET", "/webhooks/v1/endpoints").json().get("endpoints") or [])

    def create(self, url: str, event_types: list[dict[str, Any]], secret: str) -> dict[str, Any]:
        body = {"url": url, "event_types": event_types, "secret": secret}
        created: dict[str, Any] = self._http.request("POST", "/webhooks/v1/endpoints", json=body).json()
        return created

    def get(self, endpoint_id: str) -> dict[str, Any]:
        body: dict[str, Any] = self._http.request("GET", self._path(endpoint_id)).json()
        return body

    def update(self, endpoint_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """`disabled`, `event_types`, `url` (a new URL means a new id) or `secret`.

        FullStory does not say which verb updates; POST is what its other v1 updates use.
        """
        body: dict[str, Any] = self._http.request("POST", self._path(endpoint_id), json=changes).json()
        return body

    def delete(self, endpoint_id: str) -> None:
        self._http.request("DELETE", self._path(endpoint_id))

    def event_types(self) -> list[dict[str, Any]]:
        body = self._http.request("GET", "/webhooks/v1/event-types").json()
        return list(body.get("eventTypes") or body.get("event_types") or [])

    @staticmethod
    def _path(endpoint_id: str) -> str:
        return f"/webhooks/v1/endpoints/{quote(endpoint_id, safe='')}"
