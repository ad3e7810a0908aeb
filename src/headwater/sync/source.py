"""What the sync asks of a provider's event export, declared by the provider as `ProviderSpec.events`.

The sync itself is generic: it knows batches of downloaded files, bookmarks and destinations, never a
provider. A provider package (`connectors/<p>/source.py`) says how its events leave the provider: a
source that lists and downloads them batch by batch, the word its reports use for one batch, and where
the timeline finds a person's events in the loaded rows. Bookmarks are RFC 3339 UTC strings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from headwater.http import CallRecord
from headwater.sync.batches import Batch, Scratch


class EventSource(Protocol):
    """One connection's events, extracted batch by batch, oldest first."""

    #: the destination table, and the bookmark's name
    stream: str
    #: columns stored as JSON whatever their detected type (values that change shape from row to row)
    json_columns: frozenset[str]

    def observe(self, record: CallRecord) -> None:
        """Every HTTP call the client makes, e.g. to learn a rate limit from its first 429."""

    def resume_from(self, bookmark: str | None, start: datetime) -> datetime:
        """Where extraction starts: after the stored bookmark, else at `start` (a first run)."""

    def batches(self, since: datetime, scratch: Scratch) -> Iterator[Batch]:
        """Batches after `since`, downloaded into `scratch`; each carries its bookmark."""


@dataclass(frozen=True)
class Timeline:
    """How a person's events read back from the `events` table a sync loaded (`sync.timeline`)."""

    #: normalised name -> the column holding it; `session`, `time`, `type`, `email` and `uid` are
    #: required, `page`, `page_id`, `subtype`, `target`, `custom`, `name`, `properties` optional
    columns: Mapping[str, str]
    #: (page, target, detail) of one event, from its row keyed by the normalised names
    describe: Callable[[Mapping[str, Any]], tuple[Any, Any, Any]]


class EventExport(Protocol):
    """How a provider's events are exported, for `headwater sync` and the provider's Singer tap."""

    #: what the loading report calls one batch: "bundles", "hours"
    unit: str
    timeline: Timeline

    def source(self, client: Any, *, now: Callable[[], datetime] | None = None) -> EventSource:
        """A source reading through `client` (the provider's client, `ProviderSpec.client`), which the
        caller closes; `now` moves the clock of sources that wait for data to settle."""


def rfc3339(moment: datetime) -> str:
    """A bookmark: the moment in UTC to the second, `2017-06-02T00:00:00Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_bookmark(value: str) -> datetime:
    """A bookmark back as an aware UTC datetime (one without an offset is taken as UTC)."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
