"""User Profile API: a user's current properties (and cohorts), read with the secret key alone.

Amplitude offers it in the US region only.
"""

from __future__ import annotations

from typing import Any

from headwater.connectors.amplitude.models import Profile
from headwater.errors import BadInput, BadRequest, NotFound
from headwater.http import HttpClient

UNSEEN = "not seen before"


class ProfileApi:
    def __init__(self, http: HttpClient | None) -> None:
        self._http = http

    def get(
        self,
        *,
        user_id: str | None = None,
        device_id: str | None = None,
        amp_props: bool = True,
        cohort_ids: bool = False,
    ) -> Profile:
        if self._http is None:
            raise BadInput(
                "Amplitude does not offer the User Profile API in the EU region.",
                hint="Use search-users and get-user-activity for EU projects.",
            )
        if not user_id and not device_id:
            raise BadInput("Reading an Amplitude profile needs a user_id or a device_id.")
        params: dict[str, Any] = {"user_id": user_id, "device_id": device_id}
        if amp_props:
            params["get_amp_props"] = "true"
        if cohort_ids:
            params["get_cohort_ids"] = "true"
        query = {k: v for k, v in params.items() if v}
        try:
            body = self._http.request("GET", "/v1/userprofile", params=query).json()
        except BadRequest as exc:
            if UNSEEN in exc.message:
                raise _unseen(user_id or device_id) from None
            raise
        if UNSEEN in str(body.get("error", "")):  # the status of this answer is undocumented
            raise _unseen(user_id or device_id)
        return Profile.model_validate(body.get("userData") or {})


def _unseen(who: str | None) -> NotFound:
    return NotFound(
        f"Amplitude's profile API has never seen user {who!r} in this project.",
        hint="Check the id (user_ids are case-sensitive) and that the key belongs to this project.",
    )
