"""The Amplitude client: one object per connection, with a typed API family per attribute.

Each family has its own HTTP client because each differs in host, authentication or rate limit:
REST calls use Basic base64(api_key:secret_key); DSAR the org-level pair; the profile API
`Api-Key <secret_key>`; ingestion puts the api_key in the body. Deletions are paced at 1 call a second
and user search/activity at 360 calls an hour, Amplitude's documented limits.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable

import httpx
from pydantic import SecretStr

from headwater.connectors.amplitude.dashboard import DashboardApi
from headwater.connectors.amplitude.deletions import DeletionsApi
from headwater.connectors.amplitude.dsar import DsarApi
from headwater.connectors.amplitude.export import ExportApi
from headwater.connectors.amplitude.ingest import IngestApi
from headwater.connectors.amplitude.profile import ProfileApi
from headwater.connectors.amplitude.settings import AmplitudeSettings
from headwater.connectors.transport import borrowed
from headwater.http import HttpClient, Observer, RateLimit, RateLimiter

PROVIDER = "Amplitude"
DELETIONS_LIMIT = RateLimit(per_second=1.0, burst=1, concurrency=8)
# 360 an hour with no hour ever above it: a burst of 36, then 324 spread over the hour
LOOKUP_LIMIT = RateLimit(per_second=324 / 3600, burst=36, concurrency=10)


def basic(key: SecretStr, secret: SecretStr) -> SecretStr:
    pair = f"{key.get_secret_value()}:{secret.get_secret_value()}".encode()
    return SecretStr("Basic " + base64.b64encode(pair).decode())


class AmplitudeClient:
    def __init__(
        self,
        api_key: SecretStr,
        secret_key: SecretStr,
        settings: AmplitudeSettings | None = None,
        *,
        org_api_key: SecretStr | None = None,
        org_secret_key: SecretStr | None = None,
        transport: httpx.BaseTransport | None = None,
        observers: list[Observer] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings = settings or AmplitudeSettings()
        project = basic(api_key, secret_key)
        secrets = [api_key, secret_key]
        self._clients: list[HttpClient] = []

        def make(
            base: str, auth: dict[str, SecretStr], limit: RateLimit | None = None, name: str = PROVIDER
        ) -> HttpClient:
            # the first client owns the transport and closes it; the others borrow it
            shared = transport if not self._clients else borrowed(transport)
            client = HttpClient(
                base_url=base,
                provider=name,
                auth_headers=auth,
                secrets=[*secrets, *(s for s in (org_api_key, org_secret_key) if s is not None)],
                transport=shared,
                sleep=sleep,
                limiter=RateLimiter(limit, clock=clock, sleep=sleep) if limit else None,
                observers=list(observers or []),
                hints=hints(settings),
            )
            self._clients.append(client)
            return client

        rest = make(settings.rest_url, {"Authorization": project})
        self.http = rest  # the project-key client raw requests go through
        self.lookup = DashboardApi(make(settings.rest_url, {"Authorization": project}, LOOKUP_LIMIT))
        self.deletions = DeletionsApi(make(settings.rest_url, {"Authorization": project}, DELETIONS_LIMIT))
        self.export = ExportApi(rest)
        self.ingest = IngestApi(make(settings.ingest_url, {}, name=f"{PROVIDER} ingestion"), api_key)
        profile_url = settings.profile_url
        self.profile = ProfileApi(
            make(profile_url, {"Authorization": SecretStr(f"Api-Key {secret_key.get_secret_value()}")})
            if profile_url
            else None
        )
        org = (
            make(
                settings.rest_url,
                {"Authorization": basic(org_api_key, org_secret_key)},
                name=f"{PROVIDER} DSAR",
            )
            if org_api_key is not None and org_secret_key is not None
            else None
        )
        self.dsar = DsarApi(org, settings.dsar_hosts())

    def __repr__(self) -> str:
        return f"AmplitudeClient(region={self.settings.region!r}, base_url={self.settings.rest_url!r})"

    def __enter__(self) -> AmplitudeClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        for client in reversed(self._clients):
            client.close()


def hints(settings: AmplitudeSettings) -> dict[int, str]:
    other = "eu" if settings.region == "us" else "us"
    auth = (
        "Check the project's API key and secret key (Amplitude > Settings > Projects > your project > "
        f"General) and the region: the connection uses {settings.region!r}; a project in the other data "
        f"region needs region={other}."
    )
    return {
        401: auth,
        403: auth,
        429: "Amplitude's rate limit was reached; wait and retry (deletions: 1 a second, "
        "user search and activity: 360 an hour per project).",
    }
