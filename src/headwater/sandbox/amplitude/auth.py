"""The three ways Amplitude authenticates: Basic key:secret (project or org pair), ``Api-Key`` for the
profile API, and a bare ``api_key`` field for ingestion (write-only, no secret)."""

from __future__ import annotations

import base64
import binascii
import hmac

from fastapi import Depends, Request

from headwater.sandbox.amplitude.errors import ApiError
from headwater.sandbox.amplitude.state import AmplitudeState, get_state


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def _basic_pair(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    key, sep, secret = decoded.partition(":")
    return (key, secret) if sep else None


def invalid_key() -> ApiError:
    """Strict mode's answer to a wrong key or secret: a 400 whose body says 403.

    The Privacy API documents 401, but what has been observed (a rudder-transformer capture of Amplitude's
    deletion API) is a 400 with this body (shared/api/amplitude.md §1.2 "Errors"; shared/api/
    real-behaviour.md, "Bad key"). A client must read the body, not only the status, to tell a bad key.
    """
    return ApiError(
        400, {"code": 403, "message": "HTTP 403: Forbidden (Invalid API Key)", "status": "Forbidden"}
    )


def _check_basic(request: Request, state: AmplitudeState, key: str, secret: str, which: str) -> str:
    pair = _basic_pair(request)
    if pair is None:
        raise ApiError(
            state.settings.auth_failure_status,
            {"error": f"Missing Basic authorization: send base64({which} API key:secret key)"},
            headers={"WWW-Authenticate": 'Basic realm="Amplitude"'},
        )
    if not (_same(pair[0], key) and _same(pair[1], secret)):
        if state.strict:
            raise invalid_key()
        raise ApiError(
            state.settings.auth_failure_status,
            {"error": f"Invalid API key or secret key (this endpoint needs the {which} key pair)"},
            headers={"WWW-Authenticate": 'Basic realm="Amplitude"'},
        )
    return pair[0]


def project_key(request: Request, state: AmplitudeState = Depends(get_state)) -> str:
    """Dependency for ``/api/2/*``: the project's API key and secret key; returns the API key."""
    creds = state.credentials
    return _check_basic(request, state, creds.amplitude_api_key, creds.amplitude_secret_key, "project")


def org_key(request: Request, state: AmplitudeState = Depends(get_state)) -> str:
    """Dependency for DSAR: the org-level pair, which Amplitude Support provisions separately."""
    creds = state.credentials
    return _check_basic(
        request, state, creds.amplitude_org_api_key, creds.amplitude_org_secret_key, "org-level"
    )


def profile_key(request: Request, state: AmplitudeState = Depends(get_state)) -> str:
    """Dependency for ``/v1/userprofile``: ``Authorization: Api-Key <secret key>``, errors as plain text."""
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "api-key" or not secret.strip():
        raise ApiError(401, "Missing Api-Key in Authorization header")
    if not _same(secret.strip(), state.credentials.amplitude_secret_key):
        raise ApiError(401, "Invalid Api-Key")
    return secret.strip()


def ingest_key_valid(state: AmplitudeState, api_key: object) -> bool:
    return isinstance(api_key, str) and _same(api_key, state.credentials.amplitude_api_key)
