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


@dataclass(frozen=True)
class PersonColumns:
    """Where rows of the `events` table name a person: what erasing a person from a replica and dropping
    a suppressed person's rows at load time look at (`sync.replicas`, `sync.suppression`).

    Fields are the names privacy knows a person by: `Subject`'s (`email`, `fullstory_uid`,
    `amplitude_user_id`, `amplitude_id`) and the provider's own ids (`fullstory_user_id`). An email is
    compared without regard to case, every other value exactly.
    """

    #: field -> the columns that may hold its value (Amplitude's `user_id` holds the email when the
    #: project uses emails as user ids, so it serves both)
    holds: Mapping[str, tuple[str, ...]]
    #: the field whose column ties all of one person's rows together (FullStory's user id, Amplitude's
    #: amplitude_id): a row sharing its value with a matched row is the same person's, signed in or not
    link: str | None = None
    #: the (field, value) pairs a resolved identity gives, from the identity as privacy stores it
    #: (`{"kind", "id", "label", "attributes"}`)
    identity_fields: Callable[[Mapping[str, Any]], Iterator[tuple[str, str]]] = lambda _identity: iter(())


class EventExport(Protocol):
    """How a provider's events are exported, for `headwater sync` and the provider's Singer tap."""

    #: what the loading report calls one batch: "bundles", "hours"
    unit: str
    timeline: Timeline
    #: where its rows name a person (erasing and suppressing them in a replica)
    person: PersonColumns

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
