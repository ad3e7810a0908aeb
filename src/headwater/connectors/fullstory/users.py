"""The v2 Users API: upsert, search, read, update (a POST, not a PATCH) and delete."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from headwater.connectors.fullstory.models import User
from headwater.connectors.fullstory.paging import v2_items
from headwater.http import HttpClient


class UsersApi:
    def __init__(self, http: HttpClient) -> None:
        self._http = http

    def create(self, body: dict[str, Any], *, idempotency_key: str | None = None) -> str:
        """Create or update (by `uid`) a user; returns FullStory's user id."""
        rsp = self._http.request(
            "POST",
            "/v2/users",
            json=body,
            headers=_idempotency(idempotency_key),
            idempotent=bool(idempotency_key),
        )
        return str(rsp.json()["id"])

    def list(
        self,
        *,
        uid: str | None = None,
        email: str | None = None,
        display_name: str | None = None,
        is_identified: bool | None = None,
        include_schema: bool = False,
    ) -> Iterator[User]:
        params = {
            "uid": uid,
            "email": email,
            "display_name": display_name,
            "is_identified": is_identified,
            "include_schema": include_schema or None,
        }
        for item in v2_items(self._http, "/v2/users", params):
            yield User.model_validate(item)

    def get(self, user_id: str, *, include_schema: bool = False) -> User:
        params = {"include_schema": "true"} if include_schema else {}
        rsp = self._http.request("GET", f"/v2/users/{_segment(user_id)}", params=params)
        return User.model_validate(rsp.json())

    def update(self, user_id: str, body: dict[str, Any]) -> str:
        rsp = self._http.request("POST", f"/v2/users/{_segment(user_id)}", json=body)
        return str(rsp.json().get("id") or user_id)

    def delete(self, user_id: str) -> None:
        """Starts FullStory's background deletion; the user shows `is_being_deleted` until gone."""
        self._http.request("DELETE", f"/v2/users/{_segment(user_id)}")

    def delete_by_uid(self, uid: str) -> None:
        self._http.request("DELETE", "/v2/users", params={"uid": uid})


def _segment(value: str) -> str:
    return quote(value, safe="")


def _idempotency(key: str | None) -> dict[str, str]:
    return {"Idempotency-Key": key} if key else {}
