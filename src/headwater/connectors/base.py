"""The provider seam: what every connector package offers and what the rest of Headwater may rely on.

Privacy, sync, workflows and the action runner talk to a provider only through these types, so a new
provider is one new package that fills them in: a `ProviderSpec` (how to build its client, connector
and actions from a connection, and how its events are exported) and a `Connector` (what a privacy
request asks of it). Both are base classes in the manner of singer-sdk's `RESTStream`: the methods
every provider must write are abstract, and the optional ones are hooks with a safe default that a
provider overrides to opt in to faster or safer behaviour. mypy checks every override against the
signature here. Secrets arrive as `SecretStr` and stay that way.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import httpx
from pydantic import BaseModel

from headwater.connectors.info import ConnectionInfo
from headwater.errors import BadInput
from headwater.http import Observer

if TYPE_CHECKING:
    from headwater.actions.model import Action
    from headwater.sync.source import EventExport

__all__ = [
    "BATCH_CALL_INTERVAL",
    "JOB_STATUSES",
    "CannotTell",
    "ConnectionInfo",
    "Connector",
    "Identity",
    "NeedsInput",
    "ProviderJob",
    "ProviderJobStatus",
    "ProviderSpec",
    "Subject",
]

#: a batch call starts no sooner than this after the previous one of its lane: a second (batch APIs are
#: limited per second) and 5% more, because the provider counts arrivals, which jitter by tens of ms
BATCH_CALL_INTERVAL = 1.05


@dataclass(frozen=True)
class Subject:
    """A data subject as a privacy ticket names them."""

    email: str | None = None
    fullstory_uid: str | None = None
    amplitude_user_id: str | None = None
    amplitude_id: int | None = None


@dataclass(frozen=True)
class Identity:
    """A subject resolved inside one provider."""

    kind: str
    id: str
    label: str
    attributes: dict[str, Any] = field(default_factory=dict)


class ProviderJobStatus(StrEnum):
    """Where a provider-side job stands, as a connector reports it in `ProviderJob.status` (and as
    privacy stores it): a `str`, so stored values and API output are the plain words."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class ProviderJob:
    """A provider-side deletion or access job that we follow until it is done.

    `detail["identities"]` lists the identity ids the job covers (default: the job id alone) and
    `detail["records"]` the records per identity id as the provider counts them (default: 1 each).
    """

    kind: str
    id: str
    status: str  # a ProviderJobStatus value
    detail: dict[str, Any] = field(default_factory=dict)
    next_poll_after: datetime | None = None


JOB_STATUSES = tuple(ProviderJobStatus)


class NeedsInput(BadInput):
    """`resolve()` lacks the identifier this connection needs (e.g. a uid when identify-by is uid)."""

    code = "needs_input"


class CannotTell(Exception):
    """The provider cannot say whether a deletion was requested (see `Connector.find_deletions`)."""


class Connector(ABC):
    """One connection to a provider, as privacy requests use it: find a person, delete them, follow the
    deletion until the provider says it is done, and copy out what it holds about them.

    Subclasses write the abstract methods and override the hooks below them where the provider can do
    better than the default.
    """

    #: the provider's kind, as registered in `connectors.registry`: "fullstory", "amplitude"
    kind: str

    @abstractmethod
    def test(self) -> None:
        """Check the connection can serve privacy requests; raise AuthError / PermissionDenied / ...
        with a message (and hint) the user can act on."""

    @abstractmethod
    def resolve(self, subject: Subject) -> list[Identity]:
        """The provider's identities of this person: exact matches only, [] when it holds none.

        Raise `NeedsInput` when the subject lacks the identifier this connection finds people by, and
        NotFound for an id a person typed that the provider does not know.
        """

    @abstractmethod
    def delete(self, identities: Sequence[Identity]) -> list[ProviderJob]:
        """Ask the provider to delete these identities (at most `batch_size` of them); the jobs that
        follow the deletion, each listing the identities it covers (`ProviderJob`). Once one request
        has landed, fail with a retryable error (ProviderUnavailable), never a refusal: the retry asks
        `find_deletions` what landed instead of sending it all again."""

    @abstractmethod
    def poll(self, job: ProviderJob) -> ProviderJob:
        """The job as the provider reports it now; `next_poll_after` says when to ask again."""

    @abstractmethod
    def export_subject(self, identity: Identity) -> Iterator[tuple[str, Any]]:
        """Everything the provider holds about the identity, as (section, record) pairs, sections such
        as "profile", "session" and "event"; the copy a person gets when the provider makes none."""

    @abstractmethod
    def close(self) -> None:
        """Release the client and its connections."""

    # Hooks: optional, each with a safe default.

    #: identities one `delete()` call may take
    batch_size: int = 1

    @property
    def call_interval(self) -> float:
        """Seconds between the starts of two `delete()` calls of one connection.

        Default: `BATCH_CALL_INTERVAL` for batch APIs (`batch_size` > 1, limited per call), 0 for
        single-identity ones (their client paces each request). A connector whose `delete()` makes one
        request per identity says 0.
        """
        return BATCH_CALL_INTERVAL if self.batch_size > 1 else 0.0

    def deletion_identities(self, subject: Subject) -> list[Identity]:
        """Identities good enough to delete by. Default: `resolve(subject)`; a provider whose deletion
        API matches ids itself names them here without a lookup."""
        return self.resolve(subject)

    def delete_parts(self, identities: Sequence[Identity]) -> list[list[Identity]]:
        """How `delete()` splits these identities into provider requests, each of which lands or fails
        as a whole. Privacy makes one `delete()` call per part and records each part's outcome on its
        own, so a part that landed is never sent again because a later one failed.

        Default: one part — right for a `delete()` that makes one request, or one whose requests are
        each one identity (it reports a failure after the first as retryable, see `delete()`).
        """
        return [list(identities)]

    def find_deletions(self, identities: Sequence[Identity]) -> list[ProviderJob]:
        """Deletion jobs already requested for these identities, so that a run that crashed mid-call
        finds out whether the call landed instead of calling again; [] when none was.

        Default: ask `poll()` about a job named after each identity — right for providers whose
        deletion is followed by the identity itself, as FullStory's is — and raise `CannotTell` for
        any other, or when only some of the identities are found.
        """
        found = []
        for identity in identities:
            asked = ProviderJob(
                self.kind, identity.id, ProviderJobStatus.RUNNING, {"identities": [identity.id]}
            )
            try:
                job = self.poll(asked)
            except Exception as exc:  # this provider's jobs are not named after identities
                raise CannotTell(str(exc)) from None
            if job.status in (ProviderJobStatus.RUNNING, ProviderJobStatus.DONE):
                found.append(job)
        if found and len(found) != len(identities):
            raise CannotTell("only some of the batch was found")
        return found

    def request_copy(self, identity: Identity) -> list[ProviderJob]:
        """Ask the provider for its own copy of the person (e.g. Amplitude's DSAR). The jobs are
        followed with `poll()` like deletions, and once all are done `collect_copy` reads the copy.
        Default: [] — the provider makes no copy, and `export_subject` collects one directly."""
        return []

    def collect_copy(self, job: ProviderJob) -> Iterator[tuple[str, Any]]:
        """The copy a finished `request_copy` job holds, as `export_subject` yields it. Written by every
        connector whose `request_copy` returns jobs."""
        raise NotImplementedError(f"{type(self).__name__} requests copies but cannot collect them")


class ProviderSpec(ABC):
    """One per provider package (`spec` in its `__init__.py`), registered in `connectors.registry`."""

    #: the connection kind: "fullstory", "amplitude"
    kind: str
    #: the provider's name as people write it: "FullStory"
    title: str
    #: whether privacy requests go to connections of this kind; a notification channel holds none
    holds_personal_data: bool = True
    #: how its events are exported for `headwater sync` and its Singer tap; None when they are not
    events: EventExport | None = None

    @abstractmethod
    def settings_model(self) -> type[BaseModel]:
        """The connection's settings (region, base URL, ...), validated when it is created."""

    @abstractmethod
    def credential_names(self) -> tuple[str, ...]:
        """The credentials a connection must have, stored in the vault under these names."""

    @abstractmethod
    def client(
        self,
        info: ConnectionInfo,
        *,
        transport: httpx.BaseTransport | None = None,
        observers: list[Observer] | None = None,
    ) -> Any:
        """The provider's typed client (closed by the caller); it is what actions run against."""

    @abstractmethod
    def connector(
        self,
        info: ConnectionInfo,
        *,
        transport: httpx.BaseTransport | None = None,
        observers: list[Observer] | None = None,
    ) -> Connector:
        """The connector privacy requests use (closed by the caller)."""

    @abstractmethod
    def actions(self) -> list[Action]:
        """The provider's part of the action catalogue."""
