"""The FullStory connector on the privacy seam: test, resolve, delete followed until gone, export."""

from __future__ import annotations

import pytest

from headwater.connectors.base import Connector, NeedsInput, ProviderJob, Subject
from headwater.connectors.fullstory import FullStoryClient, FullStoryConnector
from headwater.connectors.fullstory.connector import identity
from headwater.errors import AuthError, NotFound, PermissionDenied
from headwater.sandbox import World

from .conftest import CREDS, FsFactory, Sandbox


def test_it_is_a_connector(fs_connector: FullStoryConnector) -> None:
    assert isinstance(fs_connector, Connector)
    fs_connector.test()


def test_a_standard_key_fails_the_test_with_what_to_do(make_fs: FsFactory) -> None:
    with pytest.raises(PermissionDenied) as caught:
        FullStoryConnector(make_fs(CREDS.fullstory_standard_key)).test()
    assert "Admin or Architect" in caught.value.message
    assert "Settings > Integrations > API Keys" in str(caught.value)


def test_a_wrong_key_fails_the_test(make_fs: FsFactory) -> None:
    with pytest.raises(AuthError):
        FullStoryConnector(make_fs("na1.wrong")).test()


def test_resolve_by_email_keeps_exact_matches_only(
    fs_connector: FullStoryConnector, fs: FullStoryClient, world: World
) -> None:
    person = world.person(3)
    twin = fs.users.create({"uid": "twin-of-3", "email": person.email})  # same address, second user
    fs.users.create({"uid": "near-3", "email": "x" + person.email})
    found = fs_connector.resolve(Subject(email=person.email.upper()))
    assert {i.id for i in found} == {str(person.fs_user_id), twin}
    mine = next(i for i in found if i.id == str(person.fs_user_id))
    assert mine.attributes["uid"] == person.uid and person.email in mine.label
    assert fs_connector.resolve(Subject(email="nobody@nowhere.example")) == []


def test_resolve_needs_the_identifier_the_connection_uses(make_fs: FsFactory, world: World) -> None:
    with pytest.raises(NeedsInput, match="by email"):
        FullStoryConnector(make_fs()).resolve(Subject(fullstory_uid="usr-1"))
    by_uid = FullStoryConnector(make_fs(identify_by="uid"))
    with pytest.raises(NeedsInput, match="by uid"):
        by_uid.resolve(Subject(email="a@b.c"))
    person = world.person(5)
    [found] = by_uid.resolve(Subject(fullstory_uid=person.uid))
    assert found.id == str(person.fs_user_id)
    with pytest.raises(NotFound) as unknown:
        by_uid.resolve(Subject(fullstory_uid="usr-does-not-exist"))
    assert "usr-does-not-exist" in unknown.value.message


def test_delete_is_followed_until_the_user_is_gone(
    fs_connector: FullStoryConnector, fs_sandbox: Sandbox, world: World
) -> None:
    identities = fs_connector.resolve(Subject(email=world.person(7).email))
    [job] = fs_connector.delete(identities)
    assert job.status == "running" and job.next_poll_after is not None
    job = fs_connector.poll(job)
    assert job.status == "running" and job.detail["is_being_deleted"]
    fs_sandbox.advance(seconds=120)  # FullStory purges in the background
    job = fs_connector.poll(job)
    assert job.status == "done" and "gone_at" in job.detail
    assert fs_connector.resolve(Subject(email=world.person(7).email)) == []
    deletes = fs_sandbox.calls("/v2/users/")
    assert [c["method"] for c in deletes if c["method"] == "DELETE"] == ["DELETE"]


def test_deleting_someone_already_purged_is_done(
    fs_connector: FullStoryConnector, fs_sandbox: Sandbox, world: World
) -> None:
    identities = fs_connector.resolve(Subject(email=world.person(8).email))
    fs_connector.client.users.delete(identities[0].id)
    fs_sandbox.advance(seconds=120)
    [job] = fs_connector.delete(identities)
    assert job.status == "done" and job.detail["already_gone"]


def test_a_user_not_being_deleted_fails_the_job(
    fs_connector: FullStoryConnector, fs: FullStoryClient
) -> None:
    user_id = fs.users.create({"uid": "never-deleted"})
    job = fs_connector.poll(ProviderJob("fullstory", user_id, "running"))
    assert job.status == "failed" and "request the deletion again" in job.detail["error"]


def test_export_subject_gives_profile_sessions_and_events(
    fs_connector: FullStoryConnector, world: World
) -> None:
    person = world.person(2)
    [who] = fs_connector.resolve(Subject(email=person.email))
    parts = list(fs_connector.export_subject(who))
    kinds = [kind for kind, _ in parts]
    assert kinds[0] == "profile" and parts[0][1]["email"] == person.email
    sessions = [item for kind, item in parts if kind == "session"]
    events = [item for kind, item in parts if kind == "event"]
    assert sessions and all(s["replay_url"].startswith("https://") and ":" in s["id"] for s in sessions)
    assert events and {e["UserAppKey"] for e in events} == {person.uid}


def test_export_subject_of_a_user_without_uid_or_sessions(
    fs_connector: FullStoryConnector, fs: FullStoryClient
) -> None:
    who = identity(fs.users.get(fs.users.create({"display_name": "Anon"})))
    assert [kind for kind, _ in fs_connector.export_subject(who)] == ["profile"]
