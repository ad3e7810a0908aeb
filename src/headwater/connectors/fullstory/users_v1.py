"""The v1 Users API: kept for its operation-backed delete and for users identified in sessions.

v1 custom fields carry a type suffix (`plan_str`, `seats_int`); v2 replaced these calls, but a v1 delete
is the only one that returns an operation to follow.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from headwater.http import HttpClient


class UsersV1Api:
    def __init__(self, http: HttpClient) -> None:
        self._http = http

    def get(self, uid: str) -> dict[str, Any]:
        """uid, displayName, email, numSessions, firstSeen, lastSeen (or existingOperation while deleting)."""
        body: dict[str, Any] = self._http.request("GET", self._path(uid)).json()
        return body

    def delete(self, uid: str) -> str:
        """Start a DELETE_USER operation; returns its id (follow it with `segments.get_operation`)."""
        return str(self._http.request("DELETE", self._path(uid)).json()["id"])

    def set_vars(self, uid: str, variables: dict[str, Any]) -> None:
        """Set displayName, email and suffixed custom variables of an identified user."""
        self._http.request("POST", f"{self._path(uid)}/customvars", json=variables)

    def send_event(self, uid: str, event: dict[str, Any]) -> None:
        """`event`: event_name, event_data (suffixed), timestamp, and at most one session selector."""
        self._http.request("POST", f"{self._path(uid)}/customevent", json={"event": event})

    @staticmethod
    def _path(uid: str) -> str:
        return f"/users/v1/individual/{quote(uid, safe='')}"
