"""The Amplitude connector on the privacy seam: test, exact resolve, batched deletion followed to done."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from headwater.connectors.amplitude import AmplitudeClient, AmplitudeConnector
from headwater.connectors.base import Connector, Identity, NeedsInput, ProviderJob, Subject
from headwater.errors import AuthError, NotFound, ProviderUnavailable, RateLimited
from headwater.sandbox import World

from .conftest import CREDS, AmpFactory, Sandbox, VirtualTime


def ingest_users(amp: AmplitudeClient, user_ids: list[str]) -> None:
    for start in range(0, len(user_ids), 500):
        chunk = user_ids[start : start + 500]
        result = amp.ingest.send([{"event_type": "Signed Up", "user_id": u} for u in chunk])
        assert result.events_ingested == len(chunk)


def test_it_is_a_connector_and_tests_cleanly(amp_connector: AmplitudeConnector) -> None:
    assert isinstance(amp_connector, Connector)
    amp_connector.test()


def test_wrong_secret_or_region_is_an_auth_error(make_amp: AmpFactory, amp_sandbox: Sandbox) -> None:
    with pytest.raises(AuthError) as caught:
        AmplitudeConnector(make_amp(secret="wrong-secret")).test()
    assert "region" in str(caught.value) and "wrong-secret" not in str(caught.value)
    amp_sandbox.state.settings.auth_failure_status = 403  # how a wrong region shows up
    with pytest.raises(AuthError, match="region=eu"):
        AmplitudeConnector(make_amp(secret="wrong-secret")).test()


def test_resolve_by_email_never_takes_a_prefix_match(
    amp_connector: AmplitudeConnector, amp: AmplitudeClient, world: World
) -> None:
    person = world.person(2)
    ingest_users(amp, [person.email + ".other", "pat@example.co" + "m"])
    [found] = amp_connector.resolve(Subject(email=person.email))
    assert found.id == person.email and found.attributes["amplitude_ids"] == [person.amplitude_id]
    # usersearch answers "pat@example.co" with the prefix match pat@example.com: someone else
    assert amp.lookup.search("pat@example.co").type == "match_user_prefix"
    assert amp_connector.resolve(Subject(email="pat@example.co")) == []
    assert amp_connector.resolve(Subject(email=person.email.upper())) != []  # tried lower-cased too
    with pytest.raises(NeedsInput):
        amp_connector.resolve(Subject(amplitude_user_id=person.email))


def test_resolve_by_user_id(make_amp: AmpFactory, world: World) -> None:
    connector = AmplitudeConnector(make_amp(identify_by="user-id"))
    person = world.person(4)
    [by_user] = connector.resolve(Subject(amplitude_user_id=person.amplitude_user_id))
    [by_amp] = connector.resolve(Subject(amplitude_id=person.amplitude_id))
    assert by_user.attributes["amplitude_ids"] == by_amp.attributes["amplitude_ids"] == [person.amplitude_id]
    with pytest.raises(NeedsInput, match="user id"):
        connector.resolve(Subject(email=person.email))
    with pytest.raises(NotFound):
        connector.resolve(Subject(amplitude_user_id="nobody-at-all"))
    with pytest.raises(NotFound):
        connector.resolve(Subject(amplitude_id=1))


def test_150_people_are_deleted_in_two_calls_and_followed_to_done(
    amp_connector: AmplitudeConnector, amp: AmplitudeClient, amp_sandbox: Sandbox, world: World
) -> None:
    extra = [f"bulk-{n:03d}@example.org" for n in range(140)]
    ingest_users(amp, extra)
    people = [amp_connector.resolve(Subject(email=world.person(i).email))[0] for i in range(8)]
    strangers = [Identity("amplitude", u, u, {"user_id": u}) for u in extra] + [
        Identity("amplitude", "ghost@example.org", "ghost", {"user_id": "ghost@example.org"}),
        Identity("amplitude", "ghost2@example.org", "ghost2", {"user_id": "ghost2@example.org"}),
    ]
    amp_sandbox.clear_calls()
    jobs = amp_connector.delete(people + strangers)
    posts = [c for c in amp_sandbox.calls("/api/2/deletions/users") if c["method"] == "POST"]
    assert [c["status"] for c in posts] == [200, 200]
    by_id = {job.id: job for job in jobs}
    assert set(by_id) == {(amp_sandbox.state.clock.today() + timedelta(days=14)).isoformat(), "none"}
    day = next(job for job in jobs if job.id != "none")
    assert day.status == "pending" and day.next_poll_after is not None
    assert len(day.detail["user_ids"]) == 148 and world.person(0).amplitude_id in day.detail["amplitude_ids"]
    assert by_id["none"].status == "done"
    assert by_id["none"].detail["user_ids"] == ["ghost2@example.org", "ghost@example.org"]

    amp_sandbox.advance(days=11)  # 3 days before the run: locked
    assert amp_connector.poll(day).status == "running"
    amp_sandbox.advance(days=3)  # the run day: data scrubbed
    scrubbed = amp_connector.poll(day)
    assert scrubbed.status == "running" and scrubbed.detail["active_scrub_done_date"] == day.id
    assert amp_connector.resolve(Subject(email=world.person(0).email)) == []
    amp_sandbox.advance(days=5)  # backups expired
    done = amp_connector.poll(scrubbed)
    assert done.status == "done" and done.next_poll_after is None
    assert amp_connector.poll(done) is done


def test_a_batch_is_split_into_calls_of_whole_people_and_a_later_refusal_is_retryable(
    amp_connector: AmplitudeConnector, amp: AmplitudeClient, amp_sandbox: Sandbox
) -> None:
    extra = [f"part-{n:03d}@example.org" for n in range(140)]
    ingest_users(amp, extra)
    named = [Identity("amplitude", u, u, {"user_id": u}) for u in extra]
    devices = Identity("amplitude", "7001", "two devices", {"user_id": None, "amplitude_ids": [7001, 7002]})
    people = [*named[:99], devices, *named[99:]]
    parts = amp_connector.delete_parts(people)
    assert [len(part) for part in parts] == [99, 42] and parts[1][0] == devices  # 101 ids do not fit

    book = amp_sandbox.state.jobs
    schedule = book.schedule
    scheduled: list[list[int]] = []

    def refuse_the_next_call(entries: list[Any], today: date, delay_days: int) -> Any:
        scheduled.append([entry.amplitude_id for entry in entries])
        amp_sandbox.state.faults.force("rate_burst", 3)  # with their bursts: every try of the next call
        return schedule(entries, today, delay_days)

    book.schedule = refuse_the_next_call
    amp_sandbox.clear_calls()
    with pytest.raises(ProviderUnavailable, match="call 2 of 2") as caught:
        amp_connector.delete(named)  # 140 ids: the first call lands, the second is refused
    assert not isinstance(caught.value, RateLimited)  # a refusal would say that nothing happened
    book.schedule = schedule
    amp_connector.delete(amp_connector.delete_parts(named)[1])  # the part that did not land, alone
    posts = [c for c in amp_sandbox.calls("/api/2/deletions/users") if c["method"] == "POST"]
    assert [c["status"] for c in posts] == [200, 429, 429, 429, 429, 429, 200]
    assert len(scheduled) == 1 and len(scheduled[0]) == 100


def test_nothing_scheduled_is_a_done_job(amp_connector: AmplitudeConnector) -> None:
    [job] = amp_connector.delete([Identity("amplitude", "nobody@example.org", "nobody", {})])
    assert job.id == "none" and job.status == "done"
    assert "Nothing scheduled" in job.detail["nothing_scheduled"]


def test_an_id_taken_out_of_its_job_fails_the_job(
    amp_connector: AmplitudeConnector, amp: AmplitudeClient, world: World
) -> None:
    person = world.person(9)
    [job] = amp_connector.delete(amp_connector.resolve(Subject(email=person.email)))
    amp.deletions.remove(person.amplitude_id, date.fromisoformat(job.id))
    failed = amp_connector.poll(job)
    assert failed.status == "failed" and "cancel-deletion" in failed.detail["error"]
    assert amp_connector.poll(ProviderJob("amplitude", "2001-01-01", "pending")).status == "failed"


def test_export_subject_gives_profile_and_every_event(
    amp_connector: AmplitudeConnector, amp: AmplitudeClient, world: World
) -> None:
    person = world.person(6)
    [who] = amp_connector.resolve(Subject(email=person.email))
    parts = list(amp_connector.export_subject(who))
    assert parts[0][0] == "profile"
    assert parts[0][1]["search_match"]["user_id"] == person.email
    events = [item for kind, item in parts if kind == "event"]
    assert events and len(events) == parts[0][1]["user_data"]["num_events"]
    assert {e["user_id"] for e in events} == {person.email}


def test_export_subject_pages_through_long_histories(
    amp_connector: AmplitudeConnector, amp: AmplitudeClient, amp_sandbox: Sandbox
) -> None:
    amp.ingest.send(
        [
            {"event_type": f"Step {n}", "user_id": "long@example.org", "insert_id": f"i{n}"}
            for n in range(1500)
        ]
    )
    [who] = amp_connector.resolve(Subject(email="long@example.org"))
    events = [item for kind, item in amp_connector.export_subject(who) if kind == "event"]
    assert len(events) == 1500
    offsets = [c["query"] for c in amp_sandbox.calls("/api/2/useractivity")]
    assert len(offsets) == 2 and "offset=1000" in offsets[1]


def test_a_429_from_the_deletion_api_is_waited_out(
    make_amp: AmpFactory, amp_sandbox: Sandbox, world: World, vtime: VirtualTime
) -> None:
    first, second = make_amp(), make_amp()  # two clients: two client-side budgets, one server budget
    first.deletions.request(user_ids=[world.person(10).email], requester="a")
    second.deletions.request(user_ids=[world.person(11).email], requester="b")
    statuses = [c["status"] for c in amp_sandbox.calls("/api/2/deletions/users")]
    assert statuses == [200, 429, 200]
    assert 1.0 in vtime.sleeps  # the Retry-After the emulator sent
    assert CREDS.amplitude_secret_key not in str(amp_sandbox.calls())
