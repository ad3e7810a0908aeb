"""How privacy uses a connector's optional hooks, and how identities and provider jobs are stored.

The hooks (`batch_size`, `call_interval`, `deletion_identities`, `delete_parts`, `find_deletions`,
`request_copy`, `collect_copy`) are declared, with their defaults, on `connectors.base.Connector`; this
module adds privacy's guards around them. A job's `detail` says which identities it covers and how many
records each lost (see `ProviderJob`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from headwater.connectors.base import CannotTell as CannotTell  # what deletion_finder raises
from headwater.connectors.base import Connector, Identity, ProviderJob, Subject
from headwater.privacy.states import ProviderJobStatus


def batch_size(connector: Connector) -> int:
    return max(1, connector.batch_size)


def call_interval(connector: Connector) -> float:
    return max(0.0, connector.call_interval)


def identities_for(connector: Connector, subject: Subject, *, deleting: bool) -> list[Identity]:
    if deleting:
        return list(connector.deletion_identities(subject))
    return list(connector.resolve(subject))


def delete_parts(connector: Connector, identities: Sequence[Identity]) -> list[list[Identity]]:
    """The requests one batch's deletion is made of; every identity in exactly one, none empty."""
    parts = [list(part) for part in connector.delete_parts(identities) if part]
    placed = [identity.id for part in parts for identity in part]
    if sorted(placed) != sorted(identity.id for identity in identities):
        return [list(identities)] if identities else []  # a hook that lost or repeated someone
    return parts


def deletion_finder(connector: Connector) -> Callable[[Sequence[Identity]], list[ProviderJob]]:
    """What a retried batch asks to learn which of its deletions already landed; raises CannotTell."""
    return connector.find_deletions


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
