"""FullStory behind the privacy seam: find a person, delete them for real, follow the deletion until the
user is gone, and copy out what FullStory holds about them.

A v2 delete answers `200 {}` with no operation id: the user shows `is_being_deleted` until FullStory has
purged them, after which reading the user is a 404. That 404 is the proof a deletion is done.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from headwater.connectors.base import Connector, Identity, NeedsInput, ProviderJob, Subject
from headwater.connectors.fullstory.client import ADMIN_KEY_HINT, FullStoryClient
from headwater.connectors.fullstory.models import User
from headwater.errors import HeadwaterError, NotFound, PermissionDenied, ProviderUnavailable

KIND = "fullstory"
POLL_EVERY = timedelta(minutes=10)
MAX_SESSIONS = 1000


class FullStoryConnector(Connector):
    kind = KIND
    # one user per DELETE request; a privacy batch makes up to this many of them, one after another,
    # paced by the client rather than by the lane (FullStory publishes no per-call limit)
    batch_size = 10
    call_interval = 0.0

    def __init__(self, client: FullStoryClient) -> None:
        self.client = client
        self.identify_by = client.settings.identify_by

    def test(self) -> None:
        """A one-item read of operations: it succeeds only with a key that may also delete."""
        try:
            self.client.segments.first_operation_page()
        except PermissionDenied as exc:
            raise PermissionDenied(
                "This FullStory key may not read or delete data: privacy requests need an Admin or "
                "Architect API key.",
                hint=ADMIN_KEY_HINT,
            ) from exc

    def resolve(self, subject: Subject) -> list[Identity]:
        if self.identify_by == "uid":
            return [self._by_uid(subject)]
        if not subject.email:
            raise NeedsInput(
                "This FullStory connection finds people by email, and the request has no email.",
                hint="Add the person's email to the request, or set identify_by=uid on the connection.",
            )
        return [identity(user) for user in self._by_email(subject.email)]

    def _by_email(self, email: str) -> list[User]:
        """Exact (case-insensitive) email matches only, over every page; never a near match."""
        wanted = email.strip().casefold()
        found: dict[str, User] = {}
        for term in dict.fromkeys([email.strip(), email.strip().lower()]):
            for user in self.client.users.list(email=term):
                if user.email.casefold() == wanted:
                    found[user.id] = user
        return list(found.values())

    def _by_uid(self, subject: Subject) -> Identity:
        uid = subject.fullstory_uid
        if not uid:
            raise NeedsInput(
                "This FullStory connection finds people by uid, and the request has no FullStory uid.",
                hint="Add the person's uid (your application's user id) to the request.",
            )
        for user in self.client.users.list(uid=uid):
            if user.uid == uid:
                return identity(user)
        raise NotFound(
            f"FullStory has no user with uid {uid!r}.",
            hint="Check the uid: it is the id your app passes to FS.identify, and it is case-sensitive.",
        )

    def deletion_identities(self, subject: Subject) -> list[Identity]:
        """FullStory deletes by its own user id, so a person is always looked up first."""
        return self.resolve(subject)

    def delete(self, identities: Sequence[Identity]) -> list[ProviderJob]:
        """One DELETE per user. If one fails after others were sent, the failure is reported as
        `ProviderUnavailable`, never as a refusal: the batch may not be sent again as a whole, and its
        retry asks FullStory (`find_deletions`) which of its users are already being deleted."""
        jobs: list[ProviderJob] = []
        for person in identities:
            requested = datetime.now(UTC)
            detail = _detail(person.id, 1, requested_at=requested.isoformat())
            try:
                self.client.users.delete(person.id)
            except NotFound:  # purged before this call: nothing left for it to delete
                jobs.append(
                    ProviderJob(KIND, person.id, "done", {**_detail(person.id, 0), "already_gone": True})
                )
                continue
            except HeadwaterError as exc:
                if not jobs:
                    raise
                raise ProviderUnavailable(
                    f"FullStory failed on user {len(jobs) + 1} of {len(identities)} in this batch: "
                    f"{exc.message}",
                    hint="The batch is retried; users whose deletion FullStory already runs are not "
                    "asked again.",
                ) from exc
            jobs.append(ProviderJob(KIND, person.id, "running", detail, requested + POLL_EVERY))
        return jobs

    def find_deletions(self, identities: Sequence[Identity]) -> list[ProviderJob]:
        """Deletions already under way or done, read from the users themselves.

        After a crash hid whether a DELETE landed, this tells without sending it again: a user that is
        gone (404) or `is_being_deleted` was asked for; any other user was not, and is left out.
        """
        found = []
        for person in identities:
            checked = datetime.now(UTC)
            detail = _detail(person.id, 1, checked_at=checked.isoformat())
            try:
                user = self.client.users.get(person.id)
            except NotFound:
                found.append(ProviderJob(KIND, person.id, "done", {**detail, "gone_at": checked.isoformat()}))
                continue
            if user.is_being_deleted:
                running = {**detail, "is_being_deleted": True}
                found.append(ProviderJob(KIND, person.id, "running", running, checked + POLL_EVERY))
        return found

    def poll(self, job: ProviderJob) -> ProviderJob:
        """Done once FullStory answers 404 for the user; running while it says `is_being_deleted`."""
        checked = datetime.now(UTC).isoformat()
        try:
            user = self.client.users.get(job.id)
        except NotFound:
            return ProviderJob(KIND, job.id, "done", {**job.detail, "gone_at": checked})
        if user.is_being_deleted:
            detail = {**job.detail, "checked_at": checked, "is_being_deleted": True}
            return ProviderJob(KIND, job.id, "running", detail, datetime.now(UTC) + POLL_EVERY)
        error = "FullStory still has this user and is not deleting it; request the deletion again."
        return ProviderJob(KIND, job.id, "failed", {**job.detail, "checked_at": checked, "error": error})

    def export_subject(self, identity: Identity) -> Iterator[tuple[str, Any]]:
        """The profile, the sessions with their replay links, then every event row FullStory exports."""
        user = self.client.users.get(identity.id)
        yield "profile", user.model_dump(mode="json")
        # a uid names one person; an email may be shared, so it is only the fallback for anonymous users
        if user.uid:
            sessions = self.client.sessions.search(uid=user.uid, limit=MAX_SESSIONS)
        elif user.email:
            sessions = self.client.sessions.search(email=user.email, limit=MAX_SESSIONS)
        else:
            sessions = []
        for session in sessions:
            yield (
                "session",
                {**session.model_dump(mode="json"), "id": session.full_id(), "replay_url": session.fsUrl},
            )
        if user.uid:
            for row in self.client.legacy.user_events(user.uid):
                yield "event", row
            return
        for session in sessions:
            for event in self.client.sessions.events(session.full_id()):
                yield "event", event

    def close(self) -> None:
        self.client.close()


def _detail(user_id: str, records: int, **extra: Any) -> dict[str, Any]:
    """What privacy files a job under: the person it covers and how many records (one user) it removes."""
    return {"user_id": user_id, "identities": [user_id], "records": {user_id: records}, **extra}


def identity(user: User) -> Identity:
    who = f"uid {user.uid}" if user.uid else f"user {user.id}"
    label = f"{who} ({user.email})" if user.email else who
    attributes = {
        "uid": user.uid,
        "email": user.email,
        "display_name": user.display_name,
        "is_being_deleted": user.is_being_deleted,
    }
    return Identity(KIND, user.id, label, attributes)
