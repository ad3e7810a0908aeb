"""``Authorization: Basic <raw key>`` (no base64), key roles, and the per-key general rate limit."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Depends, Request

from headwater.sandbox.fullstory import errors
from headwater.sandbox.fullstory.state import ADMIN, GENERAL_BUCKET, FullStoryState, get_state


def api_key(request: Request, state: FullStoryState) -> tuple[str, str]:
    """The key and its role, or a 401 exactly as FullStory words it."""
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    allowed = ("basic", "bearer") if state.options.accept_bearer else ("basic",)
    key = key.strip()
    if scheme.lower() not in allowed or not key:
        raise errors.unauthorized()
    role = state.roles.get(key)
    if role is None:
        raise errors.unauthorized()
    return key, role


def _requirement(admin_only: bool, bucket: str | None) -> Callable[..., str]:
    def check(request: Request, state: FullStoryState = Depends(get_state)) -> str:
        key, role = api_key(request, state)
        if admin_only and role != ADMIN:
            raise errors.forbidden()
        for name in (GENERAL_BUCKET, bucket):
            if name is None:
                continue
            wait = state.limiter.check(key, name)
            if wait is not None:
                raise errors.rate_limited(wait)
        return key

    return check


any_key = _requirement(admin_only=False, bucket=None)
"""Create, update and batch requests: Standard keys are enough."""

admin_key = _requirement(admin_only=True, bucket=None)
"""Anything that views or deletes data needs an Admin (or Architect) key."""


def admin_key_limited(bucket: str) -> Callable[..., str]:
    """Admin key plus a route-specific bucket, e.g. the legacy export's 2 downloads a minute."""
    return _requirement(admin_only=True, bucket=bucket)
