"""Sessions: the list of a person's sessions (`/sessions/v2`, a v1-family endpoint despite its name), and
one session's events, context and summary with the summary profiles (the v2 Sessions API)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from headwater.connectors.fullstory.models import Session
from headwater.errors import BadInput
from headwater.http import HttpClient

DEFAULT_LIMIT = 20


class SessionsApi:
    def __init__(self, http: HttpClient) -> None:
        self._http = http

    def search(
        self, *, uid: str | None = None, email: str | None = None, limit: int = DEFAULT_LIMIT
    ) -> list[Session]:
        """Sessions of the people matching `uid` or `email` (the union when both are given)."""
        if not uid and not email:
            raise BadInput("Listing FullStory sessions needs a uid or an email.")
        params: dict[str, Any] = {"limit": limit}
        if uid:
            params["uid"] = uid
        if email:
            params["email"] = email
        body = self._http.request("GET", "/sessions/v2", params=params).json()
        return [Session.model_validate(item) for item in body.get("sessions") or []]

    def events(self, session_id: str) -> list[dict[str, Any]]:
        """Events of one session, `session_id` being `UserId:SessionId` (the colon travels as %3A)."""
        body = self._http.request("GET", f"{_session_path(session_id)}/events").json()
        events: list[dict[str, Any]] = body.get("events") or []
        return events

    def context(
        self, session_id: str, *, options: dict[str, Any] | None = None, config_profile: str | None = None
    ) -> dict[str, Any]:
        """A lightly transformed session for language models; `options` holds slice/context/events/cache."""
        params = {"config_profile": config_profile} if config_profile else {}
        path = f"{_session_path(session_id)}/context"
        body: dict[str, Any] = self._http.request("POST", path, params=params, json=options or {}).json()
        return body

    def summary(self, session_id: str, *, config_profile: str | None = None) -> dict[str, Any]:
        """FullStory's generated summary of a session (beta), shaped by a summary profile."""
        params = {"config_profile": config_profile} if config_profile else {}
        body: dict[str, Any] = self._http.request(
            "GET", f"{_session_path(session_id)}/summary", params=params
        ).json()
        return body

    def create_profile(self, profile_id: str, configuration: dict[str, Any]) -> dict[str, Any]:
        """A summary profile: prompts, response schema and model settings, under an id you choose."""
        return self._json(
            "POST", "/v2/visit_profile", json={"id": profile_id, "configuration": configuration}
        )

    def profiles(self) -> dict[str, Any]:
        return self._json("GET", "/v2/visit_profile")

    def get_profile(self, profile_id: str) -> dict[str, Any]:
        return self._json("GET", f"/v2/visit_profile/{quote(profile_id, safe='')}")

    def update_profile(self, profile_id: str, configuration: dict[str, Any]) -> dict[str, Any]:
        path = f"/v2/visit_profile/{quote(profile_id, safe='')}"
        return self._json("POST", path, json={"configuration": configuration})

    def delete_profile(self, profile_id: str) -> None:
        self._http.request("DELETE", f"/v2/visit_profile/{quote(profile_id, safe='')}")

    def _json(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        body: dict[str, Any] = self._http.request(method, path, **kwargs).json()
        return body


def _session_path(session_id: str) -> str:
    if ":" not in session_id:
        raise BadInput(
            f"FullStory session id {session_id!r} must look like <UserId>:<SessionId>.",
            hint="Take it from list-sessions (userId:sessionId) or from the end of a session replay URL.",
        )
    return f"/v2/sessions/{quote(session_id, safe='')}"
