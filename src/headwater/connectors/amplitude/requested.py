"""Which of some people Amplitude's deletion jobs already hold: the way to tell, after a crash hid the
answer to a deletion call, whether that call landed, without sending it (and Amplitude's admin email)
again.

One listing of the jobs around today answers for everyone. The listing names amplitude_ids only, so a
person known by user_id alone is looked up with a user search, and only when some job holds anybody at
all: a crash is rare, and user searches are limited to 360 an hour.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from headwater.connectors.amplitude.client import AmplitudeClient
from headwater.connectors.amplitude.models import DeletionJob
from headwater.connectors.amplitude.plan import MUST_EXIST, NO_JOB, UNKNOWN_JOB
from headwater.connectors.base import Identity

#: job days worth listing: a request joins a job running 3 to about 40 days later
LOOK_BACK = timedelta(days=1)
LOOK_AHEAD = timedelta(days=45)


def requested_deletions(client: AmplitudeClient, identities: Sequence[Identity]) -> dict[str, dict[str, Any]]:
    """Job details by day for the people some job holds (plus, if any is held, the people Amplitude does
    not know, whose deletion is moot); {} when no job holds anyone."""
    today = datetime.now(UTC).date()
    listed = client.deletions.jobs(today - LOOK_BACK, today + LOOK_AHEAD)
    held: dict[int, DeletionJob] = {entry.amplitude_id: job for job in listed for entry in job.amplitude_ids}
    if not held:
        return {}
    found: dict[str, dict[str, Any]] = {}
    for person in identities:
        ids = _amplitude_ids(client, person)
        if not ids:
            _file(found, UNKNOWN_JOB if person.attributes.get(MUST_EXIST) else NO_JOB, person, [], None)
            continue
        for day in sorted({held[i].day for i in ids if i in held}):
            mine = [i for i in ids if i in held and held[i].day == day]
            _file(found, day, person, mine, held[mine[0]])
    return found


def _amplitude_ids(client: AmplitudeClient, person: Identity) -> list[int]:
    known = [int(i) for i in person.attributes.get("amplitude_ids") or []]
    user_id = person.attributes.get("user_id", person.id)
    if known or not user_id:
        return known
    return sorted({m.amplitude_id for m in client.lookup.search(user_id).matches if m.user_id == user_id})


def _file(
    found: dict[str, dict[str, Any]], day: str, person: Identity, ids: list[int], job: DeletionJob | None
) -> None:
    detail = found.setdefault(
        day,
        {
            "day": job.day if job else None,
            "amplitude_ids": [],
            "user_ids": [],
            "identities": [],
            "records": {},
            "found_after_restart": True,
        },
    )
    user_id = person.attributes.get("user_id", person.id)
    detail["amplitude_ids"] = sorted({*detail["amplitude_ids"], *ids})
    detail["user_ids"] = sorted({*detail["user_ids"], *([user_id] if user_id else [])})
    detail["identities"] = sorted({*detail["identities"], person.id})
    detail["records"][person.id] = len(ids)
    if job is not None:
        detail.update(
            provider_status=job.status, app=job.app, active_scrub_done_date=job.active_scrub_done_date
        )
    else:
        detail["nothing_scheduled"] = "Amplitude does not know these ids"
