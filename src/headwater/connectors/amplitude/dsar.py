"""Data subject access requests (DSAR): Amplitude's own asynchronous copy of one person's events.

It needs the organization-level key pair, not a project's. Download links carry those credentials, so
they are only followed on Amplitude's hosts (or the configured base URL).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from headwater.connectors.amplitude.models import DsarStatus
from headwater.connectors.amplitude.unpack import archive_rows, spool
from headwater.errors import BadInput, ConfigError, ProviderError
from headwater.http import HttpClient

PATH = "/api/2/dsar/requests"
NO_ORG_KEYS = (
    "Data access requests need Amplitude's organization-level API key and secret key, which this "
    "connection does not have."
)
NO_ORG_KEYS_HINT = "Ask Amplitude Support for the org key pair and add it as org_api_key and org_secret_key."


class DsarApi:
    def __init__(self, http: HttpClient | None, trusted_hosts: set[str]) -> None:
        self._http = http
        self._trusted = trusted_hosts

    @property
    def available(self) -> bool:
        return self._http is not None

    def create(
        self, *, start_date: date, end_date: date, user_id: str | None = None, amplitude_id: int | None = None
    ) -> int:
        """Ask for a copy of one person's events between two days; returns the request id."""
        if (user_id is None) == (amplitude_id is None):
            raise BadInput("A data access request names exactly one of user_id or amplitude_id.")
        body: dict[str, Any] = {"startDate": start_date.isoformat(), "endDate": end_date.isoformat()}
        if user_id is not None:
            body["userId"] = user_id
        else:
            body["amplitudeId"] = amplitude_id
        return int(self._client().request("POST", PATH, json=body).json()["requestId"])

    def status(self, request_id: int) -> DsarStatus:
        return DsarStatus.model_validate(self._client().request("GET", f"{PATH}/{int(request_id)}").json())

    def download(self, url: str) -> Iterator[dict[str, Any]]:
        """Rows of one output file (gzipped NDJSON).

        Amplitude answers with a redirect to storage on another host; it is followed as a bare GET, without
        the org credentials (the presigned URL is the permission).
        """
        host = urlsplit(url).netloc
        if host not in self._trusted:
            raise ProviderError(
                f"Refusing to send Amplitude org credentials to {host!r}, which is not an Amplitude host.",
                hint="Check the connection's base URL and region.",
            )
        with self._client().stream("GET", url, cross_origin_redirects=True) as rsp:
            body = spool(rsp.iter_bytes())
        yield from archive_rows(body, "data access file")

    def _client(self) -> HttpClient:
        if self._http is None:
            raise ConfigError(NO_ORG_KEYS, hint=NO_ORG_KEYS_HINT)
        return self._http
