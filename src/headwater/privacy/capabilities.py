"""What privacy asks of a connector beyond the `Connector` protocol, read by name so any provider works.

Every member is optional and has a safe default; a connector opts in to faster or safer behaviour:

- `batch_size` (int): identities one `delete()` call may take. Default 1.
- `call_interval` (float): seconds between the starts of two `delete()` calls of a connection. Default:
  a second and 5% for batch APIs (`batch_size` > 1, limited per call), 0 for single-identity ones (their
  client paces each request). A connector whose `delete()` makes one request per identity says 0.
- `deletion_identities(subject)`: identities good enough to delete by, without lookups when the
  provider's deletion API resolves ids itself. Default: `resolve(subject)`.
- `find_deletions(identities)`: deletion jobs already requested for these identities; lets a run that
  crashed mid-call find out whether the call landed instead of calling again. Default: `probe`, which
  asks `poll()` about a job named after each identity (right for providers whose deletion is followed
  by the identity itself, as FullStory's is) and gives up — "cannot tell" — for any other.
- `request_copy(identity)` -> list[ProviderJob]: ask the provider for its own copy of the person (e.g.
  Amplitude's DSAR); [] when it cannot, and `export_subject` collects the copy directly. The jobs are
  followed with `poll()` like deletions, and once all are done `collect_copy(job)` yields the copy.
- `ProviderJob.detail["identities"]`: the identity ids a job covers (default: the job id) and
  `detail["records"]`: records per identity id as the provider counts them (default: 1 per identity).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from headwater.connectors.base import Connector, Identity, ProviderJob, Subject
from headwater.privacy.states import ProviderJobStatus

DEFAULT_BATCH_SIZE = 1
#: a batch call starts no sooner than this after the previous one of its lane: a second (batch APIs are
#: limited per second) and 5% more, because the provider counts arrivals, which jitter by tens of ms
BATCH_CALL_INTERVAL = 1.05


def batch_size(connector: Connector) -> int:
    size = getattr(connector, "batch_size", DEFAULT_BATCH_SIZE)
    return max(1, int(size)) if isinstance(size, int) else DEFAULT_BATCH_SIZE


def call_interval(connector: Connector) -> float:
    interval = getattr(connector, "call_interval", None)
    if isinstance(interval, int | float) and interval >= 0:
        return float(interval)
    return BATCH_CALL_INTERVAL if batch_size(connector) > 1 else 0.0


CopyRequester = Callable[[Identity], list[ProviderJob]]
CopyCollector = Callable[[ProviderJob], Iterator[tuple[str, Any]]]


def copy_by_provider(connector: Connector) -> tuple[CopyRequester, CopyCollector] | None:
    """The connector's provider-side copy (request, then collect), if it has one."""
    request = getattr(connector, "request_copy", None)
    collect = getattr(connector, "collect_copy", None)
    return (request, collect) if request is not None and collect is not None else None


def identities_for(connector: Connector, subject: Subject, *, deleting: bool) -> list[Identity]:
    quick: Callable[[Subject], list[Identity]] | None = getattr(connector, "deletion_identities", None)
    if deleting and quick is not None:
        return list(quick(subject))
    return list(connector.resolve(subject))


class CannotTell(Exception):
    """The provider cannot say whether a deletion was requested."""


def deletion_finder(connector: Connector) -> Callable[[Sequence[Identity]], list[ProviderJob]]:
    finder: Callable[[Sequence[Identity]], list[ProviderJob]] | None = getattr(
        connector, "find_deletions", None
    )
    if finder is not None:
        return finder
    return lambda identities: probe(connector, identities)


def probe(connector: Connector, identities: Sequence[Identity]) -> list[ProviderJob]:
    """Jobs for the identities whose deletion the provider reports running or done; [] if none was."""
    found = []
    for identity in identities:
        asked = ProviderJob(
            connector.kind, identity.id, ProviderJobStatus.RUNNING, {"identities": [identity.id]}
        )
        try:
            job = connector.poll(asked)
        except Exception as exc:  # this provider's jobs are not named after identities
            raise CannotTell(str(exc)) from None
        if job.status in (ProviderJobStatus.RUNNING, ProviderJobStatus.DONE):
            found.append(job)
    if found and len(found) != len(identities):
        raise CannotTell("only some of the batch was found")
    return found


def covered(job: ProviderJob) -> list[str]:
    ids = job.detail.get("identities")
    return [str(i) for i in ids] if isinstance(ids, list) and ids else [job.id]


def records_for(job: ProviderJob, identity_id: str) -> int:
    counts = job.detail.get("records")
    if isinstance(counts, dict) and identity_id in counts:
        return int(counts[identity_id] or 0)
    return 0 if job.status == ProviderJobStatus.FAILED else 1


def identity_to_json(identity: Identity) -> dict[str, Any]:
    return {
        "kind": identity.kind,
        "id": identity.id,
        "label": identity.label,
        "attributes": identity.attributes,
    }


def identity_from_json(data: dict[str, Any]) -> Identity:
    return Identity(
        str(data["kind"]), str(data["id"]), str(data.get("label", "")), dict(data.get("attributes") or {})
    )


def job_to_json(job: ProviderJob) -> dict[str, Any]:
    return {
        "kind": job.kind,
        "id": job.id,
        "status": job.status,
        "detail": job.detail,
        "next_poll_after": job.next_poll_after.isoformat() if job.next_poll_after else None,
    }


def job_from_json(data: dict[str, Any]) -> ProviderJob:
    after = data.get("next_poll_after")
    return ProviderJob(
        str(data["kind"]),
        str(data["id"]),
        str(data["status"]),
        dict(data.get("detail") or {}),
        datetime.fromisoformat(after) if after else None,
    )
