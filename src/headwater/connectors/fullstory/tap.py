"""`tap-headwater-fullstory`: a Singer tap for FullStory, a drop-in for tap-fullstory 1.0.x.

It takes tap-fullstory's config (`api_key`, `start_date`, `user_agent`) plus `region` and `base_url`,
its flat state (`{"events": "..."}`) as well as the SDK's, and emits the same `events` stream (same
columns and types, plus every other exported field) with a bookmark per fully emitted bundle. It adds
`users` and their `sessions`, and discovery, catalogs and `--about` from the Singer SDK.
"""

from __future__ import annotations

import hashlib
import tempfile
import threading
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from singer_sdk import Stream, Tap
from singer_sdk import typing as th
from singer_sdk.helpers.types import Context, Record

from headwater.connectors.fullstory import decode
from headwater.connectors.fullstory import tap_schema as schemas
from headwater.connectors.fullstory.client import BUNDLE_DOWNLOADS, FullStoryClient
from headwater.connectors.fullstory.legacy import LegacyExportApi
from headwater.connectors.fullstory.settings import FullStorySettings
from headwater.connectors.fullstory.source import GET_PATH, DownloadPacer
from headwater.http import RateLimiter
from headwater.sync.download import to_file
from headwater.sync.singer.checkpoint import CheckpointedStream, upgrade_flat_state
from headwater.sync.source import rfc3339

SAMPLE_ROWS = 2000
SESSIONS_PER_USER = 1000
DEFAULT_HISTORY = timedelta(days=365)
_samples: dict[tuple[str, str, int], tuple[tuple[str, Any], ...]] = {}
_samples_lock = threading.Lock()


class FullStoryEvents(CheckpointedStream):
    """Every exported event, bundle by bundle; STATE after each bundle's last record."""

    name = "events"
    primary_keys = ()
    replication_key = "EventStart"

    def get_records(self, context: Context | None) -> Iterable[Record]:
        tap: TapHeadwaterFullStory = self._tap  # type: ignore[assignment]
        since = self.get_starting_timestamp(context) or tap.default_start
        start = int(since.timestamp())
        known = self.schema["properties"]
        with tempfile.TemporaryDirectory(prefix="headwater-tap-") as scratch:
            for bundle in tap.listing.bundles(start):
                if bundle.Stop <= start:
                    continue
                tap.pacer.wait_turn()
                path = Path(scratch) / f"bundle-{bundle.Id}"
                to_file(tap.client.http, GET_PATH, path, params={"id": bundle.Id})
                with path.open("rb") as body:
                    for row in decode.rows(iter(lambda: body.read(1 << 20), b"")):
                        yield schemas.shape_event(row, known)
                path.unlink()
                self.checkpoint(rfc3339(datetime.fromtimestamp(bundle.Stop, UTC)), context)


class FullStoryUsers(Stream):
    name = "users"
    primary_keys = ("id",)
    schema = schemas.USERS_SCHEMA

    def get_records(self, context: Context | None) -> Iterable[Record]:
        tap: TapHeadwaterFullStory = self._tap  # type: ignore[assignment]
        wanted = schemas.USERS_SCHEMA["properties"]
        for user in tap.client.users.list():
            data = user.model_dump(mode="json")
            yield {key: data.get(key) for key in wanted}

    def get_child_context(self, record: Record, context: Context | None) -> dict[str, Any]:
        return {"uid": record.get("uid") or "", "email": record.get("email") or ""}


class FullStorySessions(Stream):
    """Each user's sessions (`/sessions/v2`), newest first as FullStory lists them."""

    name = "sessions"
    primary_keys = ("userId", "sessionId")
    schema = schemas.SESSIONS_SCHEMA
    parent_stream_type = FullStoryUsers
    state_partitioning_keys: list[str] = []

    def get_records(self, context: Context | None) -> Iterable[Record]:
        tap: TapHeadwaterFullStory = self._tap  # type: ignore[assignment]
        uid, email = (context or {}).get("uid") or None, (context or {}).get("email") or None
        if uid is None and email is None:
            return
        found = tap.client.sessions.search(uid=uid, email=None if uid else email, limit=SESSIONS_PER_USER)
        for session in found:
            created = int(session.createdTime) if session.createdTime.isdigit() else None
            yield {
                "userId": session.userId,
                "sessionId": session.sessionId,
                "createdTime": rfc3339(datetime.fromtimestamp(created, UTC)) if created is not None else None,
                "fsUrl": session.fsUrl or None,
                "uid": uid,
            }


class TapHeadwaterFullStory(Tap):
    name = "tap-headwater-fullstory"
    config_jsonschema = th.PropertiesList(
        th.Property("api_key", th.StringType, required=True, secret=True, description="Admin API key"),
        th.Property(
            "start_date", th.DateTimeType, description="First data to replicate (default: a year ago)"
        ),
        th.Property("user_agent", th.StringType, description="Accepted for tap-fullstory compatibility"),
        th.Property("region", th.StringType, allowed_values=["na", "eu"], description="Data center (na, eu)"),
        th.Property("base_url", th.StringType, description="API host override (a sandbox or a proxy)"),
        th.Property(
            "sample_custom_fields",
            th.BooleanType,
            default=True,
            description="Read the first rows of a bundle at discovery to type custom variables",
        ),
    ).to_dict()

    def load_state(self, state: dict[str, Any]) -> None:
        super().load_state(upgrade_flat_state(state, "events", "EventStart"))

    @cached_property
    def pacer(self) -> DownloadPacer:
        return DownloadPacer()

    @cached_property
    def client(self) -> FullStoryClient:
        settings = FullStorySettings(region=self.config.get("region"), base_url=self.config.get("base_url"))
        return FullStoryClient(SecretStr(self.config["api_key"]), settings, observers=[self.pacer.observe])

    @cached_property
    def listing(self) -> LegacyExportApi:
        return LegacyExportApi(self.client.http, RateLimiter(BUNDLE_DOWNLOADS))

    @property
    def default_start(self) -> datetime:
        return (datetime.now(UTC) - DEFAULT_HISTORY).replace(hour=0, minute=0, second=0, microsecond=0)

    def discover_streams(self) -> list[Stream]:
        sampled = self._sample() if self.config.get("sample_custom_fields", True) else ()
        return [
            FullStoryEvents(self, schema=schemas.events_schema(sampled)),
            FullStoryUsers(self),
            FullStorySessions(self),
        ]

    def _sample(self) -> tuple[tuple[str, Any], ...]:
        """Field names and values of the first rows of a recent bundle (once per process and account)."""
        start = self.config.get("start_date")
        since = (
            int(datetime.fromisoformat(start).timestamp()) if start else int(self.default_start.timestamp())
        )
        key = (self.client.base_url, hashlib.sha256(self.config["api_key"].encode()).hexdigest(), since)
        with _samples_lock:
            if key not in _samples:
                _samples[key] = tuple(_first_fields(self, since))
            return _samples[key]


def _first_fields(tap: TapHeadwaterFullStory, since: int) -> Iterable[tuple[str, Any]]:
    page = []
    for bundle in tap.listing.bundles(since):
        page.append(bundle)
        if len(page) == 20:
            break
    if not page:
        return []
    seen: dict[str, Any] = {}
    with tap.client.http.stream("GET", GET_PATH, params={"id": page[-1].Id}) as rsp:
        for count, row in enumerate(decode.rows(rsp.iter_bytes())):
            for key, value in row.items():
                if seen.get(key) is None:
                    seen[key] = value
            if count + 1 >= SAMPLE_ROWS:
                break
    return list(seen.items())


def main() -> None:
    TapHeadwaterFullStory.cli()


if __name__ == "__main__":
    main()
