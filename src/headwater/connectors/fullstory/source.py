"""FullStory events for the sync, from the legacy data-export bundles, one batch per bundle, oldest first.

The bookmark is the end (`Stop`) of the last bundle fully loaded, as RFC 3339 UTC — the same meaning and
shape as tap-fullstory's `{"events": "2017-06-02T00:00:00Z"}` — so the next run lists bundles after it.

FullStory allows 2 bundle downloads a minute. Nothing is paced until the first 429 (a sandbox or a
proxy may have no such limit); from then on downloads keep to the documented rate, so the run sits at
the ceiling instead of meeting a refusal for every bundle.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from headwater.connectors.fullstory.client import BUNDLE_DOWNLOADS, FullStoryClient
from headwater.connectors.fullstory.legacy import LegacyExportApi
from headwater.http import CallRecord, HttpClient, RateLimiter
from headwater.sync.batches import Batch, Scratch
from headwater.sync.download import is_gzip, to_file
from headwater.sync.source import PersonColumns, Timeline, parse_bookmark, rfc3339

GET_PATH = "/api/v1/export/get"
LIST_PATH = "/api/v1/export/list"


class DownloadPacer:
    """Learns FullStory's download limit from its first 429 and keeps to it afterwards."""

    def __init__(self) -> None:
        self.paced = False
        self._limiter = RateLimiter(BUNDLE_DOWNLOADS)

    def observe(self, record: CallRecord) -> None:
        if record.status == 429 and GET_PATH in record.url:
            self.paced = True

    def wait_turn(self) -> None:
        if self.paced:
            with self._limiter.slot():
                pass


class FullStorySource:
    stream = "events"
    json_columns: frozenset[str] = frozenset()

    def __init__(self, http: HttpClient) -> None:
        self.http = http
        self.pacer = DownloadPacer()
        self._listing = LegacyExportApi(http, RateLimiter(BUNDLE_DOWNLOADS))

    def observe(self, record: CallRecord) -> None:
        self.pacer.observe(record)

    def resume_from(self, bookmark: str | None, start: datetime) -> datetime:
        """Bundles ending after the bookmark, else after `start`."""
        return parse_bookmark(bookmark) if bookmark else start

    def batches(self, since: datetime, scratch: Scratch) -> Iterator[Batch]:
        """Every bundle ending after `since`, downloaded to `scratch` one at a time."""
        start = int(since.timestamp())
        for bundle in self._listing.bundles(start):
            if bundle.Stop <= start:
                continue
            self.pacer.wait_turn()
            raw = scratch.file(f"bundle-{bundle.Id}.download")
            size = to_file(self.http, GET_PATH, raw, params={"id": bundle.Id})
            path = raw.with_suffix(".json.gz" if is_gzip(raw) else ".json")
            raw.rename(path)
            stop = datetime.fromtimestamp(bundle.Stop, UTC)
            yield Batch(
                key=f"bundle {bundle.Id}",
                files=[path],
                fmt="array",
                bookmark=rfc3339(stop),
                start=datetime.fromtimestamp(bundle.Start, UTC),
                end=stop,
                size_bytes=size,
                details={"bundle": bundle.Id},
            )


def _describe(row: Mapping[str, Any]) -> tuple[Any, Any, Any]:
    """Page and target as FullStory names them; the detail is a custom event's name, or the subtype."""
    subtype = row.get("subtype") if row.get("subtype") != row.get("type") else None
    return row.get("page"), row.get("target"), row.get("custom") or subtype


def _identity_fields(identity: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """A FullStory user as privacy resolved it: its id is FullStory's user id (the bundles' `UserId`)."""
    attributes = identity.get("attributes") or {}
    yield "fullstory_user_id", str(identity["id"])
    if attributes.get("uid"):
        yield "fullstory_uid", str(attributes["uid"])
    if attributes.get("email"):
        yield "email", str(attributes["email"])


class FullStoryEvents:
    """FullStory's part of the sync (`ProviderSpec.events`). Rows name the person by `UserEmail` and
    `UserAppKey` (your uid); `UserId` is FullStory's own id of the person, on anonymous rows too."""

    unit = "bundles"
    person = PersonColumns(
        holds={
            "email": ("UserEmail",),
            "fullstory_uid": ("UserAppKey",),
            "fullstory_user_id": ("UserId",),
        },
        link="fullstory_user_id",
        identity_fields=_identity_fields,
    )
    timeline = Timeline(
        columns={
            "session": "SessionId",
            "page": "PageUrl",
            "page_id": "PageId",
            "time": "EventStart",
            "type": "EventType",
            "subtype": "EventSubType",
            "target": "EventTargetText",
            "custom": "EventCustomName",
            "name": "UserDisplayName",
            "email": "UserEmail",
            "uid": "UserAppKey",
        },
        describe=_describe,
    )

    def source(
        self, client: FullStoryClient, *, now: Callable[[], datetime] | None = None
    ) -> FullStorySource:
        return FullStorySource(client.http)
