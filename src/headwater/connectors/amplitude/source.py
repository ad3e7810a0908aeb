"""Amplitude events for the sync, from the Export API, one batch per upload hour, oldest first.

The bookmark is the last hour fully loaded (`2026-10-26T05:00:00Z` = hour 05 is in). Requests cover up
to a day of hours; the ZIP is saved to disk (its directory is at the end), then each hour's gzipped NDJSON
members are extracted as they are, without decoding, and loaded together. An hour is only asked for once
it is over and Amplitude has had `lag` to make it exportable. A range Amplitude refuses as too large
(400) or times out on (504) is split in two and asked for again.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from headwater.connectors.amplitude.client import AmplitudeClient
from headwater.connectors.amplitude.export import hour as hour_param
from headwater.errors import BadRequest, NotFound, ProviderError, ProviderUnavailable
from headwater.http import CallRecord, HttpClient
from headwater.sync.batches import Batch, Scratch
from headwater.sync.download import to_file
from headwater.sync.source import PersonColumns, Timeline, rfc3339

HOUR = timedelta(hours=1)
EXPORT_PATH = "/api/2/export"
# <app>/<app>_<YYYY-MM-DD>_<H>#<part>.json.gz, the hour not zero-padded
_ENTRY = re.compile(r"_(\d{4}-\d{2}-\d{2})_(\d{1,2})#(\d+)\.json(?:\.gz)?$")


def floor_hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


class AmplitudeSource:
    stream = "events"
    json_columns = frozenset(
        {"event_properties", "user_properties", "group_properties", "groups", "data", "plan"}
    )

    def __init__(
        self,
        http: HttpClient,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        lag: timedelta = timedelta(hours=2),
        window_hours: int = 24,
    ) -> None:
        self.http = http
        self.now = now
        self.lag = lag
        self.window_hours = window_hours

    def observe(self, record: CallRecord) -> None:
        """Nothing to learn: Amplitude documents no rate limit for exports."""

    def last_complete_hour(self) -> datetime:
        return floor_hour(self.now() - self.lag) - HOUR

    def resume_from(self, bookmark: str | None, start: datetime) -> datetime:
        """The first hour still to load: the one after the bookmark, else the hour of `start`."""
        if bookmark:
            return datetime.fromisoformat(bookmark.replace("Z", "+00:00")) + HOUR
        return floor_hour(start)

    def batches(self, since: datetime, scratch: Scratch) -> Iterator[Batch]:
        """Hours after `since` (the first hour to load) up to the last complete one."""
        first, last = floor_hour(since), self.last_complete_hour()
        while first <= last:
            end = min(last, first + (self.window_hours - 1) * HOUR)
            yield from self._window(first, end, scratch)
            first = end + HOUR

    def _window(self, first: datetime, last: datetime, scratch: Scratch) -> Iterator[Batch]:
        archive = scratch.file(f"export-{first:%Y%m%dT%H}.zip")
        try:
            to_file(
                self.http, EXPORT_PATH, archive, params={"start": hour_param(first), "end": hour_param(last)}
            )
        except NotFound:
            yield _empty(last)  # Amplitude's answer for hours without data
            return
        except (BadRequest, ProviderUnavailable):
            if first == last:
                raise
            middle = first + ((last - first) // HOUR // 2) * HOUR
            yield from self._window(first, middle, scratch)
            yield from self._window(middle + HOUR, last, scratch)
            return
        try:
            yield from self._hours(archive, first, last, scratch)
        finally:
            archive.unlink(missing_ok=True)

    def _hours(self, archive: Path, first: datetime, last: datetime, scratch: Scratch) -> Iterator[Batch]:
        try:
            zipped = zipfile.ZipFile(archive)
        except zipfile.BadZipFile:
            raise ProviderError(
                f"Amplitude's export for {first:%Y-%m-%d %H}:00 to {last:%Y-%m-%d %H}:00 is not a valid ZIP.",
                hint="The download was damaged; run the sync again (it resumes from the last loaded hour).",
            ) from None
        with zipped:
            members: dict[datetime, list[zipfile.ZipInfo]] = defaultdict(list)
            for info in zipped.infolist():
                if not info.is_dir():
                    members[_member_hour(info.filename) or last].append(info)
            loaded = first - HOUR
            for moment in sorted(members):
                parts = sorted(members[moment], key=lambda info: _part(info.filename))
                files = [self._extract(zipped, info, scratch, moment, n) for n, info in enumerate(parts)]
                bookmark = min(max(moment, loaded), last)
                yield Batch(
                    key=f"hour {moment:%Y-%m-%dT%H}",
                    files=files,
                    fmt="newline_delimited",
                    bookmark=rfc3339(bookmark),
                    start=moment,
                    end=moment + HOUR,
                    size_bytes=sum(info.compress_size for info in parts),
                    details={"parts": len(parts)},
                )
                loaded = bookmark
            if loaded < last:
                yield _empty(last)

    @staticmethod
    def _extract(
        zipped: zipfile.ZipFile, info: zipfile.ZipInfo, scratch: Scratch, moment: datetime, n: int
    ) -> Path:
        suffix = ".json.gz" if info.filename.endswith(".gz") else ".json"
        target = scratch.file(f"hour-{moment:%Y%m%dT%H}-{n}{suffix}")
        with zipped.open(info) as source, target.open("wb") as out:
            shutil.copyfileobj(source, out, 1 << 20)
        return target


def _empty(last: datetime) -> Batch:
    """No rows, but the hours up to `last` are done: moves the bookmark on."""
    return Batch(
        key=f"hours to {last:%Y-%m-%dT%H}", files=[], fmt="newline_delimited", bookmark=rfc3339(last)
    )


def _member_hour(name: str) -> datetime | None:
    match = _ENTRY.search(name)
    if match is None:
        return None
    day = datetime.strptime(match[1], "%Y-%m-%d").replace(tzinfo=UTC)
    return day + int(match[2]) * HOUR


def _part(name: str) -> int:
    match = _ENTRY.search(name)
    return int(match[3]) if match else 0


PAGE_URL = "[Amplitude] Page URL"
ELEMENT_TEXT = "[Amplitude] Element Text"


def _describe(row: Mapping[str, Any]) -> tuple[Any, Any, Any]:
    """Page and target from the event properties Amplitude's autocapture sets."""
    properties = _properties(row.get("properties"))
    return properties.get(PAGE_URL), properties.get(ELEMENT_TEXT), None


def _properties(value: Any) -> dict[str, Any]:
    """`event_properties` as loaded: an object, or its JSON text."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value:
        try:
            parsed = json.loads(value)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}


def _identity_fields(identity: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """An Amplitude identity as privacy resolved it: its user_id and every amplitude_id it merged."""
    attributes = identity.get("attributes") or {}
    if attributes.get("user_id"):
        yield "amplitude_user_id", str(attributes["user_id"])
    for number in attributes.get("amplitude_ids") or ():
        yield "amplitude_id", str(number)


class AmplitudeEvents:
    """Amplitude's part of the sync (`ProviderSpec.events`). Rows name the person by `user_id` (often
    the email) and `amplitude_id`, Amplitude's own id, which its anonymous rows carry too."""

    unit = "hours"
    person = PersonColumns(
        holds={
            "email": ("user_id",),
            "amplitude_user_id": ("user_id",),
            "amplitude_id": ("amplitude_id",),
        },
        link="amplitude_id",
        identity_fields=_identity_fields,
    )
    timeline = Timeline(
        columns={
            "session": "session_id",
            "time": "event_time",
            "type": "event_type",
            "properties": "event_properties",
            "email": "user_id",
            "uid": "user_id",
        },
        describe=_describe,
    )

    def source(
        self, client: AmplitudeClient, *, now: Callable[[], datetime] | None = None
    ) -> AmplitudeSource:
        """The Export API lives on the REST host, read with the project key pair (`client.http`)."""
        return AmplitudeSource(client.http, now=now or (lambda: datetime.now(UTC)))
