"""The FullStory client: one object per connection, with a typed API family per attribute.

Authentication is `Authorization: Basic <raw key>` (FullStory does not base64-encode it). Export
downloads are pre-signed URLs on another host, so they go through a second client that sends no key.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
from pydantic import SecretStr

from headwater.connectors.fullstory.admin import SettingsApi, WebhooksApi
from headwater.connectors.fullstory.batch import BatchApi
from headwater.connectors.fullstory.events import EventsApi
from headwater.connectors.fullstory.legacy import LegacyExportApi
from headwater.connectors.fullstory.segments import SegmentsApi
from headwater.connectors.fullstory.sessions import SessionsApi
from headwater.connectors.fullstory.settings import HOSTS, FullStorySettings, key_region
from headwater.connectors.fullstory.users import UsersApi
from headwater.connectors.fullstory.users_v1 import UsersV1Api
from headwater.connectors.transport import borrowed
from headwater.http import HttpClient, Observer, RateLimit, RateLimiter

PROVIDER = "FullStory"
#: the legacy bundle download is documented at 2 a minute
BUNDLE_DOWNLOADS = RateLimit(per_second=2 / 60, burst=2, concurrency=2)
ADMIN_KEY_HINT = (
    "Reading, exporting and deleting data needs an Admin or Architect API key; this key is probably a "
    "Standard key. Create an Admin key in FullStory (Settings > Integrations > API Keys) and reconnect."
)


class FullStoryClient:
    def __init__(
        self,
        api_key: SecretStr,
        settings: FullStorySettings | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        observers: list[Observer] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings or FullStorySettings()
        key = api_key.get_secret_value()
        self.base_url = self.settings.api_url(key)
        self.http = HttpClient(
            base_url=self.base_url,
            provider=PROVIDER,
            auth_headers={"Authorization": SecretStr(f"Basic {key}")},
            secrets=[api_key],
            transport=transport,
            sleep=sleep,
            observers=list(observers or []),
            hints=hints(key, self.settings),
        )
        self.storage = HttpClient(
            base_url=self.base_url,
            provider=f"{PROVIDER} export storage",
            transport=borrowed(transport),  # `http` owns the transport and closes it
            sleep=sleep,
            observers=list(observers or []),
            hints={403: "The download link has expired; fetch a fresh location and download again."},
        )
        downloads = RateLimiter(BUNDLE_DOWNLOADS, clock=clock, sleep=sleep)
        self.users = UsersApi(self.http)
        self.user_batches = BatchApi(self.http, "users")
        self.events = EventsApi(self.http)
        self.event_batches = BatchApi(self.http, "events")
        self.sessions = SessionsApi(self.http)
        self.segments = SegmentsApi(self.http, self.storage)
        self.legacy = LegacyExportApi(self.http, downloads)
        self.users_v1 = UsersV1Api(self.http)
        self.recording_settings = SettingsApi(self.http)
        self.webhooks = WebhooksApi(self.http)

    def __repr__(self) -> str:
        return f"FullStoryClient(base_url={self.base_url!r})"

    def __enter__(self) -> FullStoryClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.storage.close()
        self.http.close()


def hints(api_key: str, settings: FullStorySettings) -> dict[int, str]:
    """What to do about each refusal, naming the region when the key's prefix points elsewhere."""
    return {
        401: auth_hint(api_key, settings),
        403: ADMIN_KEY_HINT,
        429: "FullStory's rate limit was reached; wait a minute and retry.",
    }


def auth_hint(api_key: str, settings: FullStorySettings) -> str:
    named = key_region(api_key)
    used = settings.effective_region(api_key)
    if settings.base_url is None and named is not None and named != used:
        return (
            f"The key starts with '{named}1.', a key of FullStory's {named.upper()} data center, but the "
            f"connection uses region {used!r} ({HOSTS[used]}). Set region={named} and retry."
        )
    if named is None and settings.base_url is None:
        return (
            "Check the API key (FullStory > Settings > Integrations > API Keys). Older keys carry no region "
            f"prefix; if your organization is in the EU data center, set region=eu (now {used!r})."
        )
    return "Check the API key (FullStory > Settings > Integrations > API Keys) and the connection's region."
