"""Strict mode's DSAR downloads: the API answers 302 to a presigned URL on another origin.

Amplitude's DSAR output URLs redirect (302) to presigned storage URLs on another host
(amplitude.com/docs/apis/analytics/ccpa-dsar; shared/api/real-behaviour.md, "DSAR"). Here the storage is
this same app reached on another origin, ``settings.dsar_storage_url`` (SandboxServer listens on a second
port for it), and answers only there, like S3 with its XML errors. A client must follow the redirect and
must not send its org credentials along: S3 refuses a presigned request that also carries an
``Authorization`` header (AWS S3 docs, "Authenticating requests: query parameters"), and httpx drops the
header across origins.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from headwater.sandbox.amplitude.access import DsarRequest
from headwater.sandbox.amplitude.state import AmplitudeState, get_state

PREFIX = "/amplitude-dsar-outputs/"
LINK_LIFETIME = timedelta(hours=1)
ONE_AUTH_ONLY = (
    "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string "
    "parameter or the Authorization header should be specified"
)


def presigned_url(state: AmplitudeState, found: DsarRequest, number: int) -> str:
    """A link to one output file that needs no credentials, valid for an hour (never past the outputs)."""
    now = state.clock.now()
    expires = min(now + LINK_LIFETIME, found.expires(state.settings))
    stamp = str(int(expires.timestamp()))
    path = f"{PREFIX}{found.request_id}/{number}.json.gz"
    base = state.settings.dsar_storage_url.rstrip("/")
    return f"{base}{path}?expires={stamp}&signature={_sign(state, path, stamp)}"


def _sign(state: AmplitudeState, path: str, expires: str) -> str:
    return hmac.new(state.signing_secret, f"{path}:{expires}".encode(), hashlib.sha256).hexdigest()


def _s3_error(status: int, code: str, message: str) -> Response:
    xml = '<?xml version="1.0" encoding="UTF-8"?>\n'
    body = f"{xml}<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    return Response(body, status_code=status, media_type="application/xml")


def router() -> APIRouter:
    routes = APIRouter()

    @routes.get(PREFIX + "{request_id}/{number}.json.gz")
    def download(
        request_id: int,
        number: int,
        request: Request,
        expires: str = "",
        signature: str = "",
        state: AmplitudeState = Depends(get_state),
    ) -> Response:
        if urlsplit(state.settings.dsar_storage_url).netloc != request.url.netloc:
            raise HTTPException(404)  # the API's own origin serves no storage paths
        if "authorization" in request.headers:
            return _s3_error(400, "InvalidArgument", ONE_AUTH_ONLY)
        path = request.url.path
        if not expires.isdigit() or not hmac.compare_digest(signature, _sign(state, path, expires)):
            return _s3_error(
                403, "SignatureDoesNotMatch", "The request signature we calculated does not match"
            )
        now = state.clock.now()
        if now >= datetime.fromtimestamp(int(expires), UTC):
            return _s3_error(403, "AccessDenied", "Request has expired")
        found = state.dsar.get(request_id, state.store, now, state.settings)
        outputs = (found.outputs or []) if found is not None else []
        if not 0 <= number < len(outputs):
            return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
        return Response(outputs[number], media_type="application/gzip")

    return routes
