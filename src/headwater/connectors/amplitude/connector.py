"""Amplitude behind the privacy seam: find a person, schedule their deletion in batches, follow the
deletion job day by day until Amplitude reports it done, and copy out their profile and events: through
Amplitude's own data access request (DSAR) when the connection has the org key pair, else through user
search and the activity API.

Amplitude cannot look people up by email: with identify_by=email the email is taken to be the user_id,
and only exact user_id matches count (usersearch also returns prefix matches, i.e. other people).
Deleting needs no lookup at all: the deletion API matches user_ids exactly and reports the ones it does
not know, so a delete costs no user search (360 an hour) and runs at the deletion API's own limit.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from headwater.connectors.amplitude.client import AmplitudeClient
from headwater.connectors.amplitude.deletions import MAX_IDS
from headwater.connectors.amplitude.models import SearchMatch
from headwater.connectors.amplitude.plan import MUST_EXIST, NO_JOB, UNKNOWN_JOB, DeletionPlan, parts
from headwater.connectors.amplitude.requested import requested_deletions
from headwater.connectors.base import Connector, Identity, NeedsInput, ProviderJob, Subject
from headwater.errors import AuthError, HeadwaterError, NotFound, PermissionDenied, ProviderUnavailable

KIND = "amplitude"
STATUSES = {"staging": "pending", "submitted": "running", "done": "done"}
POLL_EVERY = timedelta(days=1)
#: DSAR: its job ids, how often it is polled (it takes up to 3 days) and the first day it asks about
DSAR_PREFIX = "dsar-"
DSAR_POLL_EVERY = timedelta(hours=6)
DSAR_FROM = date(2011, 1, 1)  # before any Amplitude project held data
DSAR_STATUSES = {"staging": "pending", "submitted": "running", "done": "done", "failed": "failed"}


class AmplitudeConnector(Connector):
    kind = KIND
    batch_size = MAX_IDS  # people one deletion call takes

    def __init__(self, client: AmplitudeClient) -> None:
        self.client = client
        self.settings = client.settings

    def test(self) -> None:
        """List today's deletion jobs: cheap, and refused unless the key, secret and region are right."""
        today = datetime.now(UTC).date()
        try:
            self.client.deletions.jobs(today, today + timedelta(days=1))
        except (AuthError, PermissionDenied) as exc:
            raise AuthError(
                f"Amplitude refused the connection's API key and secret key ({exc.message}).",
                hint=exc.hint,
            ) from exc

    def resolve(self, subject: Subject) -> list[Identity]:
        if self.settings.identify_by == "email":
            return self._by_email(subject)
        return [self._by_user_id(subject)]

    def _by_email(self, subject: Subject) -> list[Identity]:
        """The email as user_id: as given, then lower-cased (user_ids are case-sensitive)."""
        if not subject.email:
            raise NeedsInput(
                "This Amplitude connection finds people by email (used as the user_id), and the request "
                "has no email.",
                hint="Add the email, or set identify_by=user-id and give the Amplitude user_id.",
            )
        email = subject.email.strip()
        for term in dict.fromkeys([email, email.lower()]):
            matches = self._exact_user(term)
            if matches:
                return [identity(term, matches)]
        return []

    def _by_user_id(self, subject: Subject) -> Identity:
        if subject.amplitude_user_id:
            matches = self._exact_user(subject.amplitude_user_id)
            if not matches:
                raise _unknown(f"user_id {subject.amplitude_user_id!r}")
            return identity(subject.amplitude_user_id, matches)
        if subject.amplitude_id is not None:
            found = self.client.lookup.search(subject.amplitude_id).matches
            matches = [m for m in found if m.amplitude_id == subject.amplitude_id]
            if not matches:
                raise _unknown(f"amplitude_id {subject.amplitude_id}")
            return identity(matches[0].user_id, matches)
        raise NeedsInput(
            "This Amplitude connection finds people by user id, and the request has neither an Amplitude "
            "user_id nor an amplitude_id.",
            hint="Add the person's Amplitude user_id (or amplitude_id) to the request.",
        )

    def deletion_identities(self, subject: Subject) -> list[Identity]:
        """Who to name in a deletion call, with no lookup: the deletion API does the exact matching.

        By email, the email is the user_id, as given and lower-cased (user_ids are case-sensitive, and
        both spellings are the same person's address); an id Amplitude does not know is then simply a
        person it holds nothing about. By user id, the ids were typed by a person, so an unknown one
        fails the task as a typo to correct (see `plan`).
        """
        if self.settings.identify_by == "email":
            if not subject.email:
                self._by_email(subject)  # raises NeedsInput with the same advice as resolve()
            email = (subject.email or "").strip()
            return [_named(term) for term in dict.fromkeys([email, email.lower()])]
        if subject.amplitude_user_id:
            return [_named(subject.amplitude_user_id, strict=True)]
        if subject.amplitude_id is not None:
            number = int(subject.amplitude_id)
            attributes = {"user_id": None, "amplitude_ids": [number], MUST_EXIST: True}
            return [Identity(KIND, str(number), f"amplitude_id {number}", attributes)]
        return [self._by_user_id(subject)]  # raises NeedsInput with the same advice as resolve()

    def find_deletions(self, identities: Sequence[Identity]) -> list[ProviderJob]:
        """The deletion jobs that already hold these people (see `requested`); [] when none does."""
        return [
            self._job(day, detail) for day, detail in requested_deletions(self.client, identities).items()
        ]

    def _exact_user(self, user_id: str) -> list[SearchMatch]:
        return [m for m in self.client.lookup.search(user_id).matches if m.user_id == user_id]

    def delete_parts(self, identities: Sequence[Identity]) -> list[list[Identity]]:
        """One part per deletion call: at most 100 ids, a person never split across two calls."""
        return parts(identities)

    def delete(self, identities: Sequence[Identity]) -> list[ProviderJob]:
        """One deletion call per 100 ids; the answers are regrouped into one job per scheduled day.

        A call that fails after an earlier one landed is reported as `ProviderUnavailable`, never as a
        refusal: the whole may not be sent again, and its retry asks `find_deletions` what landed.
        """
        plan = DeletionPlan(identities)
        calls = list(plan.batches())
        for number, (amplitude_ids, user_ids) in enumerate(calls):
            try:
                result = self.client.deletions.request(
                    amplitude_ids=amplitude_ids,
                    user_ids=user_ids,
                    requester=self.settings.requester,
                    ignore_invalid_id=True,
                    include_mapped_user_ids=True,
                )
            except HeadwaterError as exc:
                if number == 0:
                    raise
                raise ProviderUnavailable(
                    f"Amplitude failed on deletion call {number + 1} of {len(calls)}: {exc.message}",
                    hint="The deletion is retried; ids Amplitude already scheduled are not asked again.",
                ) from exc
            plan.record(amplitude_ids, user_ids, result)
        return [self._job(day, detail) for day, detail in plan.jobs().items()]

    def _job(self, day: str, detail: dict[str, Any]) -> ProviderJob:
        if day == NO_JOB:
            return ProviderJob(KIND, NO_JOB, "done", detail)
        if day == UNKNOWN_JOB:
            ids = ", ".join(repr(str(i)) for i in [*detail["user_ids"], *detail["amplitude_ids"]])
            error = (
                f"Amplitude has no user with the id(s) {ids} in this project, so nothing was deleted. "
                "Check the id (user_ids are case-sensitive) and that the key belongs to this project."
            )
            return ProviderJob(KIND, UNKNOWN_JOB, "failed", {**detail, "error": error})
        status = STATUSES.get(str(detail.get("provider_status")), "running")
        return ProviderJob(KIND, day, status, detail, None if status == "done" else _next_poll())

    def request_copy(self, identity: Identity) -> list[ProviderJob]:
        """Ask Amplitude for its own copy (DSAR) of this person; [] without the org key pair, and the
        copy is then collected directly (`export_subject`). By user_id when there is one (Amplitude
        then covers every amplitude_id merged into it), else one request per amplitude_id."""
        if not self.client.dsar.available:
            return []
        user_id = identity.attributes.get("user_id")
        targets: list[dict[str, Any]] = (
            [{"user_id": str(user_id)}]
            if user_id
            else [{"amplitude_id": int(i)} for i in identity.attributes.get("amplitude_ids") or [identity.id]]
        )
        today, jobs = datetime.now(UTC).date(), []
        for target in targets:
            request_id = self.client.dsar.create(start_date=DSAR_FROM, end_date=today, **target)
            detail = {"dsar_request": request_id, "identities": [identity.id], "records": {identity.id: 0}}
            jobs.append(
                ProviderJob(
                    KIND, f"{DSAR_PREFIX}{request_id}", "pending", detail, _next_poll(DSAR_POLL_EVERY)
                )
            )
        return jobs

    def collect_copy(self, job: ProviderJob) -> Iterator[tuple[str, Any]]:
        """The events of a finished DSAR, read from its output files (gzipped NDJSON)."""
        for url in job.detail.get("urls", []):
            for row in self.client.dsar.download(str(url)):
                yield "event", row

    def _poll_copy(self, job: ProviderJob) -> ProviderJob:
        status = self.client.dsar.status(int(job.detail["dsar_request"]))
        detail = {
            **job.detail,
            "provider_status": status.status,
            "urls": list(status.urls),
            "expires": status.expires,
            "checked_at": datetime.now(UTC).isoformat(),
        }
        state = DSAR_STATUSES.get(status.status, "running")
        if state == "failed":
            detail["error"] = (
                f"Amplitude could not prepare the copy: {status.failReason or 'no reason given'}."
            )
        open_ = state in ("pending", "running")
        return ProviderJob(KIND, job.id, state, detail, _next_poll(DSAR_POLL_EVERY) if open_ else None)

    def poll(self, job: ProviderJob) -> ProviderJob:
        """Look the job's day up again; Amplitude moves it staging -> submitted -> done over weeks."""
        if job.id in (NO_JOB, UNKNOWN_JOB) or job.status in ("done", "failed"):
            return job
        if job.id.startswith(DSAR_PREFIX):
            return self._poll_copy(job)
        day = date.fromisoformat(job.id)
        listed = self.client.deletions.jobs(day - timedelta(days=1), day + timedelta(days=1))
        checked = datetime.now(UTC).isoformat()
        current = next((j for j in listed if j.day == job.id), None)
        ours = {int(i) for i in job.detail.get("amplitude_ids", [])}
        present = [e for e in current.amplitude_ids if e.amplitude_id in ours] if current else []
        if current is None or (ours and not present):
            error = (
                f"Amplitude's deletion job for {job.id} no longer holds these ids (they were removed from "
                "it, e.g. with cancel-deletion). Request the deletion again if it is still wanted."
            )
            return ProviderJob(KIND, job.id, "failed", {**job.detail, "checked_at": checked, "error": error})
        detail = {
            **job.detail,
            "provider_status": current.status,
            "active_scrub_done_date": current.active_scrub_done_date,
            "checked_at": checked,
        }
        status = STATUSES.get(current.status, "running")
        return ProviderJob(KIND, job.id, status, detail, None if status == "done" else _next_poll())

    def export_subject(self, identity: Identity) -> Iterator[tuple[str, Any]]:
        """Per amplitude_id: the search match and activity summary as the profile, then every event."""
        matches = [SearchMatch.model_validate(m) for m in identity.attributes.get("matches", [])]
        if not matches:
            found = self.client.lookup.search(identity.id).matches
            matches = [m for m in found if identity.id in (m.user_id, str(m.amplitude_id))]
        covered: set[int] = set()
        seen_events: set[str] = set()
        for match in matches:
            if match.amplitude_id in covered:
                continue
            for number, page in enumerate(self.client.lookup.activity_pages(match.amplitude_id)):
                if number == 0:
                    covered.update({match.amplitude_id, *page.userData.merged_amplitude_ids})
                    yield (
                        "profile",
                        {
                            "search_match": match.model_dump(mode="json"),
                            "user_data": page.userData.model_dump(mode="json"),
                        },
                    )
                for event in page.events:
                    key = str(event.get("uuid") or event.get("$insert_id") or "")
                    if key and key in seen_events:
                        continue
                    seen_events.add(key)
                    yield "event", event

    def close(self) -> None:
        self.client.close()


def identity(user_id: str | None, matches: list[SearchMatch]) -> Identity:
    amplitude_ids = sorted({m.amplitude_id for m in matches})
    ids = ", ".join(str(i) for i in amplitude_ids)
    label = f"user_id {user_id} (amplitude_id {ids})" if user_id else f"amplitude_id {ids}"
    attributes = {
        "user_id": user_id,
        "amplitude_ids": amplitude_ids,
        "matches": [m.model_dump(mode="json") for m in matches],
    }
    return Identity(KIND, user_id or str(amplitude_ids[0]), label, attributes)


def _named(user_id: str, *, strict: bool = False) -> Identity:
    attributes: dict[str, Any] = {"user_id": user_id}
    if strict:
        attributes[MUST_EXIST] = True
    return Identity(KIND, user_id, f"user_id {user_id}", attributes)


def _unknown(what: str) -> NotFound:
    return NotFound(
        f"Amplitude has no user with {what} in this project.",
        hint="Check the id (user_ids are case-sensitive) and that the key belongs to this project.",
    )


def _next_poll(after: timedelta = POLL_EVERY) -> datetime:
    return datetime.now(UTC) + after
