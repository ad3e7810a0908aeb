"""FullStory events from the legacy data-export bundles, one batch per bundle, oldest first.

The bookmark is the end (`Stop`) of the last bundle fully loaded, as RFC 3339 UTC — the same meaning and
shape as tap-fullstory's `{"events": "2017-06-02T00:00:00Z"}` — so the next run lists bundles after it.

FullStory allows 2 bundle downloads a minute. Nothing is paced until the first 429 (a sandbox or a
proxy may have no such limit); from then on downloads keep to the documented rate, so the run sits at
the ceiling instead of meeting a refusal for every bundle.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from headwater.connectors.fullstory.client import BUNDLE_DOWNLOADS
from headwater.connectors.fullstory.legacy import LegacyExportApi
from headwater.http import CallRecord, HttpClient, RateLimiter
from headwater.sync.batches import Batch, Scratch
from headwater.sync.download import is_gzip, to_file

GET_PATH = "/api/v1/export/get"
LIST_PATH = "/api/v1/export/list"


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_bookmark(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


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
    kind = "fullstory"
    stream = "events"
    unit = "bundles"
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
