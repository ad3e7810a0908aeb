"""The connector hooks privacy uses, against the sandbox: batch sizes, identities to delete by without
lookups, per-person record counts, and finding deletions a crash hid."""

from __future__ import annotations

from datetime import timedelta

import pytest

from headwater.connectors.amplitude import AmplitudeClient, AmplitudeConnector
from headwater.connectors.base import CannotTell, Connector, NeedsInput, Subject
from headwater.connectors.fullstory import FullStoryConnector
from headwater.errors import ProviderUnavailable, RateLimited
from headwater.http import CallRecord
from headwater.sandbox import World
from headwater.sandbox.common.faults import RATE_BURST

from .conftest import AmpFactory, FsFactory, Sandbox


def merge_a_device_into(amp: AmplitudeClient, user_id: str) -> None:
    """Give `user_id` a second amplitude_id: an anonymous device that later identifies as them."""
    amp.ingest.send([{"event_type": "Opened", "device_id": f"anon-{user_id}"}])
    amp.ingest.send([{"event_type": "Signed In", "device_id": f"anon-{user_id}", "user_id": user_id}])


def test_batch_sizes(amp_connector: AmplitudeConnector, fs_connector: FullStoryConnector) -> None:
    assert amp_connector.batch_size == 100
    assert fs_connector.batch_size == 10 and fs_connector.call_interval == 0  # one request per user


def test_amplitude_deletes_by_email_with_no_lookup(
    amp_connector: AmplitudeConnector, amp_sandbox: Sandbox
) -> None:
    amp_sandbox.clear_calls()
    [one] = amp_connector.deletion_identities(Subject(email=" ann@example.com "))
    assert (one.id, one.attributes) == ("ann@example.com", {"user_id": "ann@example.com"})
    both = amp_connector.deletion_identities(Subject(email="Ann@Example.com"))
    assert [i.id for i in both] == ["Ann@Example.com", "ann@example.com"]  # user_ids are case-sensitive
    assert amp_sandbox.calls() == []
    with pytest.raises(NeedsInput, match="no email"):
        amp_connector.deletion_identities(Subject(amplitude_user_id="u-1"))


def test_amplitude_by_user_id_needs_the_id_and_fails_an_unknown_one(
    make_amp: AmpFactory, world: World
) -> None:
    connector = AmplitudeConnector(make_amp(identify_by="user-id"))
    with pytest.raises(NeedsInput, match="user id"):
        connector.deletion_identities(Subject(email=world.person(1).email))
    person = world.person(1)
    [known] = connector.deletion_identities(Subject(amplitude_user_id=person.amplitude_user_id))
    [by_number] = connector.deletion_identities(Subject(amplitude_id=person.amplitude_id + 999_999))
    [typo] = connector.deletion_identities(Subject(amplitude_user_id="no-such-user"))
    jobs = {job.id: job for job in connector.delete([known, by_number, typo])}
    error = jobs["unknown"].detail["error"]
    assert jobs["unknown"].status == "failed" and "case-sensitive" in error
    assert "'no-such-user'" in error and f"'{by_number.id}'" in error
    assert jobs["unknown"].detail["identities"] == sorted([by_number.id, typo.id])
    assert jobs["unknown"].detail["records"] == {by_number.id: 0, typo.id: 0}
    [day] = [job for job in jobs.values() if job.id != "unknown"]
    assert day.detail["identities"] == [known.id] and day.detail["records"] == {known.id: 1}


def test_one_call_for_a_hundred_people_with_records_per_person(
    amp_connector: AmplitudeConnector, amp: AmplitudeClient, amp_sandbox: Sandbox, world: World
) -> None:
    merge_a_device_into(amp, world.person(0).email)
    extra = [f"bulk-{n:03d}@example.org" for n in range(96)]
    amp.ingest.send([{"event_type": "Signed Up", "user_id": u} for u in extra])
    people = [world.person(i).email for i in range(3)] + extra + ["ghost@example.org"]
    identities = [i for email in people for i in amp_connector.deletion_identities(Subject(email=email))]
    amp_sandbox.clear_calls()
    jobs = {job.id: job for job in amp_connector.delete(identities)}
    assert [c["method"] for c in amp_sandbox.calls()] == ["POST"]  # no user search, one call
    day = next(job for job in jobs.values() if job.id != "none")
    records = day.detail["records"]
    assert records[world.person(0).email] == 2 and records[world.person(1).email] == 1
    assert len(day.detail["identities"]) == 99 and sum(records.values()) == 100
    assert jobs["none"].detail["identities"] == ["ghost@example.org"]
    assert jobs["none"].detail["records"] == {"ghost@example.org": 0}
    polled = amp_connector.poll(day)
    assert polled.detail["records"] == records and polled.detail["identities"] == day.detail["identities"]


def test_a_near_miss_email_deletes_no_one(
    amp_connector: AmplitudeConnector, amp_sandbox: Sandbox, world: World
) -> None:
    person = world.person(5)
    near = amp_connector.deletion_identities(Subject(email=person.email[:-1]))
    [job] = amp_connector.delete(near)
    assert job.id == "none" and job.detail["records"] == {person.email[:-1]: 0}
    today = amp_sandbox.state.clock.today()
    held = {i for j in amp_sandbox.state.jobs.between(today, today + timedelta(days=60)) for i in j.entries}
    assert person.amplitude_id not in held


def test_amplitude_finds_the_deletions_a_crash_hid(
    amp_connector: AmplitudeConnector, amp: AmplitudeClient, amp_sandbox: Sandbox, world: World
) -> None:
    asked = [
        i for n in (2, 3) for i in amp_connector.deletion_identities(Subject(email=world.person(n).email))
    ]
    ghost = amp_connector.deletion_identities(Subject(email="ghost@example.org"))
    amp_sandbox.clear_calls()
    assert amp_connector.find_deletions(asked + ghost) == []
    assert [c["path"] for c in amp_sandbox.calls()] == ["/api/2/deletions/users"]  # nothing held: no search

    [scheduled] = amp_connector.delete(asked[:1])
    amp_sandbox.clear_calls()
    found = {job.id: job for job in amp_connector.find_deletions(asked + ghost)}
    assert set(found) == {scheduled.id, "none"}
    held = found[scheduled.id]
    assert held.status == scheduled.status and held.detail["identities"] == [asked[0].id]
    assert held.detail["records"] == {asked[0].id: 1} and held.next_poll_after is not None
    assert found["none"].status == "done" and found["none"].detail["records"] == {ghost[0].id: 0}
    lists = [c for c in amp_sandbox.calls() if c["path"] == "/api/2/deletions/users"]
    assert len(lists) == 1 and all(c["method"] == "GET" for c in amp_sandbox.calls())


def test_fullstory_records_and_finds_deletions(
    fs_connector: FullStoryConnector, fs_sandbox: Sandbox, world: World
) -> None:
    [first] = fs_connector.deletion_identities(Subject(email=world.person(10).email))
    [second] = fs_connector.deletion_identities(Subject(email=world.person(11).email))
    assert fs_connector.find_deletions([first, second]) == []
    [job] = fs_connector.delete([first])
    assert job.detail["identities"] == [first.id] and job.detail["records"] == {first.id: 1}
    [running] = fs_connector.find_deletions([first, second])
    assert (
        running.id == first.id and running.status == "running" and running.detail["records"] == {first.id: 1}
    )
    fs_sandbox.advance(seconds=120)
    [done] = fs_connector.find_deletions([first, second])
    assert done.status == "done" and done.detail["identities"] == [first.id]
    [again] = fs_connector.delete([first])
    assert again.status == "done" and again.detail["records"] == {first.id: 0}  # already gone


def test_the_default_deletion_check_asks_poll_about_each_identity(
    fs_connector: FullStoryConnector, amp_connector: AmplitudeConnector, world: World
) -> None:
    """`Connector.find_deletions` as a provider without its own gets it: right for FullStory, whose
    deletion is followed by the user itself; unable to tell for Amplitude, whose jobs are named by day."""
    people = [fs_connector.deletion_identities(Subject(email=world.person(n).email))[0] for n in (12, 13)]
    assert Connector.find_deletions(fs_connector, people) == []
    fs_connector.delete(people[:1])
    with pytest.raises(CannotTell, match="only some"):
        Connector.find_deletions(fs_connector, people)
    fs_connector.delete(people[1:])
    found = Connector.find_deletions(fs_connector, people)
    assert [(job.id, job.status) for job in found] == [(person.id, "running") for person in people]

    named = amp_connector.deletion_identities(Subject(email=world.person(4).email))
    with pytest.raises(CannotTell):
        Connector.find_deletions(amp_connector, named)


def test_a_fullstory_batch_cut_short_is_retried_by_asking_never_by_sending_again(
    make_fs: FsFactory, fs_sandbox: Sandbox, world: World
) -> None:
    """FullStory starts refusing (429) after the first DELETE of a batch: the error is `unavailable`
    (a retry that checks), not the refusal that would let the whole batch be sent again."""
    refused: list[str] = []

    def refuse_after_the_first_delete(record: CallRecord) -> None:
        if record.method == "DELETE" and record.status == 200 and not refused:
            refused.append(record.url)
            fs_sandbox.state.faults.force(RATE_BURST, 50)

    client = make_fs(observers=[refuse_after_the_first_delete])
    connector = FullStoryConnector(client)
    people = [connector.resolve(Subject(email=world.person(i).email))[0] for i in (2, 3)]
    with pytest.raises(ProviderUnavailable, match="user 2 of 2") as caught:
        connector.delete(people)
    assert isinstance(caught.value.__cause__, RateLimited)
    fs_sandbox.state.faults.clear()
    found = connector.find_deletions(people)
    assert [job.id for job in found] == [people[0].id]  # the first is being deleted; the second is not
