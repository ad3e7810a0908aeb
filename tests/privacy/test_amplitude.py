"""Amplitude through the whole privacy flow: deleting needs no user search, records are the amplitude_ids
Amplitude scheduled, and a call whose answer was lost is checked with Amplitude instead of being resent."""

from __future__ import annotations

from typing import Any

import httpx

from headwater.privacy.transport import shared_transport
from tests.privacy.conftest import Desk


def amplitude_calls(desk: Desk, method: str, path: str) -> list[dict[str, Any]]:
    calls = httpx.get(f"{desk.sandbox.amplitude_url}/_sandbox/calls", params={"path": path}).json()["calls"]
    return [c for c in calls if c["method"] == method and c["path"] == path]


def test_records_are_the_amplitude_ids_scheduled_and_no_user_search_is_made(desk: Desk) -> None:
    merged, single = desk.sandbox.world.person(12), desk.sandbox.world.person(13)
    client = desk.privacy.connections.open_client("amp", transport=shared_transport())
    device = "anon-device-of-12"  # an anonymous device that later signs in: a second amplitude_id
    client.ingest.send([{"event_type": "Opened", "device_id": device}])
    client.ingest.send([{"event_type": "Signed In", "device_id": device, "user_id": merged.email}])
    client.close()
    first = desk.create(email=merged.email, connections=["amp"])
    second = desk.create(email=single.email, connections=["amp"])
    desk.drain()
    assert desk.task(first["id"], "amp")["records"] == 2
    assert desk.task(second["id"], "amp")["records"] == 1
    assert amplitude_calls(desk, "GET", "/api/2/usersearch") == []
    assert len(amplitude_calls(desk, "POST", "/api/2/deletions/users")) == 1  # both in one call


def test_a_lost_answer_is_checked_with_amplitude_and_only_the_missing_people_are_sent(desk: Desk) -> None:
    known, fresh = desk.sandbox.world.person(14), desk.sandbox.world.person(15)
    earlier = desk.create(email=known.email, connections=["amp"])
    desk.drain()
    assert desk.show(earlier["id"])["status"] == "waiting"
    # the next deletion call never reaches Amplitude and its answer is lost: the job cannot tell
    httpx.post(f"{desk.sandbox.amplitude_url}/_sandbox/faults", json={"kind": "drop"}).raise_for_status()
    again = desk.create(email=known.email, connections=["amp"])
    new = desk.create(email=fresh.email, connections=["amp"])
    desk.drain()

    assert desk.show(again["id"])["status"] == "waiting"  # Amplitude already holds this person
    assert desk.show(new["id"])["status"] == "waiting"
    posts = amplitude_calls(desk, "POST", "/api/2/deletions/users")
    assert [c["status"] for c in posts] == [200, 0, 200]  # the lost call, then only the missing person
    scheduled = desk.sandbox.amplitude_app.state.sandbox.jobs
    today = desk.sandbox.clock.today()
    [job] = scheduled.between(today, today.replace(year=today.year + 1))
    assert {known.amplitude_id, fresh.amplitude_id} <= set(job.entries)
    moves = [e["message"] for e in desk.privacy.audit(new["id"]) if e["action"] == "dsr.task_status"]
    assert any("holds no deletion" in m for m in moves)
    found = [e for e in desk.privacy.audit(again["id"]) if e["action"] == "dsr.provider_call"]
    assert [e["details"]["how"] for e in found] == ["verified"]


def test_a_refused_second_request_of_a_batch_is_sent_again_alone(desk: Desk) -> None:
    """60 people whose emails are capitalised: Amplitude is asked for each email as given and lower-cased,
    120 ids in two requests. The second is refused (429) on every try of one attempt; the retry sends it
    alone, so nobody's deletion is requested twice."""
    people = [desk.sandbox.world.person(i) for i in range(60)]
    tickets = [desk.create(email=p.email.capitalize(), connections=["amp"])["id"] for p in people]
    scheduled: list[int] = []
    book = desk.sandbox.amplitude_app.state.sandbox.jobs
    schedule = book.schedule

    def refuse_the_next_request(entries: list[Any], today: Any, delay_days: int) -> Any:
        job = schedule(entries, today, delay_days)
        if not scheduled:  # 3 forced 429s, each followed by a burst of 2: every try of the next request
            desk.sandbox.amplitude_app.state.sandbox.faults.force("rate_burst", 3)
        scheduled.extend(entry.amplitude_id for entry in entries)
        return job

    book.schedule = refuse_the_next_request
    desk.drain(timeout=60)

    posts = amplitude_calls(desk, "POST", "/api/2/deletions/users")
    assert [c["status"] for c in posts] == [200, 429, 429, 429, 429, 429, 200]
    assert sorted(scheduled) == sorted(p.amplitude_id for p in people)  # each person asked for once
    assert {desk.show(t)["status"] for t in tickets} == {"waiting"}
