"""Deletion jobs over time, driven by the sandbox clock: staging -> submitted -> scrub -> done."""

from __future__ import annotations

from tests.sandbox.amplitude_support import PROJECT, Amp, make_amp, unzip_export

JOB_DAY = "2025-03-29"
RANGE = ("2025-03-01", "2025-04-30")


def _export_user_ids(amp: Amp, start: str = "20250215T00", end: str = "20250315T00") -> set[str]:
    response = amp.client.get("/api/2/export", params={"start": start, "end": end}, headers=PROJECT)
    assert response.status_code == 200
    return {row["user_id"] for rows in unzip_export(response.content).values() for row in rows}


def test_full_lifecycle_purges_the_user_on_the_job_day() -> None:
    amp = make_amp(users=4)
    person, bystander = amp.world.person(0), amp.world.person(1)
    assert person.email in _export_user_ids(amp)
    amp.delete(user_ids=[person.email], requester="dpo@example.com")

    amp.advance(10)  # 2025-03-25, day - 4
    (job,) = amp.jobs(*RANGE)
    assert job["status"] == "staging"

    amp.advance(1)  # 2025-03-26, day - 3: frozen
    (job,) = amp.jobs(*RANGE)
    assert job["status"] == "submitted"
    assert job["active_scrub_done_date"] is None
    assert amp.search(person.email)["type"] == "match_user_or_device_id"  # data stays until the scrub

    amp.advance(3)  # 2025-03-29: the scrub runs
    (job,) = amp.jobs(*RANGE)
    assert job["status"] == "submitted"
    assert job["active_scrub_done_date"] == JOB_DAY
    assert amp.search(person.email) == {"matches": [], "type": "nomatch"}
    assert amp.search(str(person.amplitude_id)) == {"matches": [], "type": "nomatch"}
    assert amp.activity(person.amplitude_id) == {"userData": {}, "events": []}
    exported = _export_user_ids(amp)
    assert person.email not in exported
    assert bystander.email in exported

    amp.advance(4)  # day + 4
    assert amp.jobs(*RANGE)[0]["status"] == "submitted"
    amp.advance(1)  # day + 5: backups expired
    (job,) = amp.jobs(*RANGE)
    assert job["status"] == "done"
    assert job["amplitude_ids"][0]["amplitude_id"] == person.amplitude_id


def test_new_events_after_the_scrub_make_a_new_amplitude_id() -> None:
    amp = make_amp(users=3)
    person = amp.world.person(2)
    amp.delete(amplitude_ids=[person.amplitude_id])
    amp.advance(14)
    assert amp.search(person.email)["type"] == "nomatch"
    response = amp.ingest(
        [{"event_type": "Came Back", "user_id": person.email, "device_id": person.device_id}]
    )
    assert response.status_code == 200
    (match,) = amp.search(person.email)["matches"]
    assert match["amplitude_id"] != person.amplitude_id
    activity = amp.activity(match["amplitude_id"])
    assert [event["event_type"] for event in activity["events"]] == ["Came Back"]


def test_ingested_events_are_scrubbed_too() -> None:
    amp = make_amp(users=2)
    amp.ingest([{"event_type": "Viewed", "user_id": "gone@example.com", "device_id": "gone-device"}])
    (match,) = amp.search("gone@example.com")["matches"]
    hour = {"start": "20250315T00", "end": "20250315T00"}
    assert _export_user_ids(amp, **hour) == {"gone@example.com"}
    amp.delete(user_ids=["gone@example.com"])
    amp.advance(14)
    assert amp.search("gone@example.com")["type"] == "nomatch"
    assert amp.activity(match["amplitude_id"])["events"] == []
    assert amp.client.get("/api/2/export", params=hour, headers=PROJECT).status_code == 404


def test_an_id_can_leave_a_staging_job_but_not_a_submitted_one() -> None:
    amp = make_amp()
    first, second = amp.world.person(0), amp.world.person(1)
    amp.delete(amplitude_ids=[first.amplitude_id, second.amplitude_id], requester="dpo@example.com")
    response = amp.client.delete(f"/api/2/deletions/users/{first.amplitude_id}/{JOB_DAY}", headers=PROJECT)
    assert response.status_code == 200
    assert response.json() == {
        "amplitude_id": first.amplitude_id,
        "requested_on_day": "2025-03-15",
        "requester": "dpo@example.com",
    }
    (job,) = amp.jobs(*RANGE)
    assert [entry["amplitude_id"] for entry in job["amplitude_ids"]] == [second.amplitude_id]
    again = amp.client.delete(f"/api/2/deletions/users/{first.amplitude_id}/{JOB_DAY}", headers=PROJECT)
    assert again.status_code == 400
    assert (
        amp.client.delete(
            f"/api/2/deletions/users/{second.amplitude_id}/2025-03-30", headers=PROJECT
        ).status_code
        == 400
    )
    assert (
        amp.client.delete(f"/api/2/deletions/users/{second.email}/{JOB_DAY}", headers=PROJECT).status_code
        == 400
    )

    amp.advance(11)  # submitted
    frozen = amp.client.delete(f"/api/2/deletions/users/{second.amplitude_id}/{JOB_DAY}", headers=PROJECT)
    assert frozen.status_code == 400
    amp.advance(3)  # the removed person survives the scrub, the other does not
    assert amp.search(first.email)["type"] == "match_user_or_device_id"
    assert amp.search(second.email)["type"] == "nomatch"


def test_removing_the_last_id_drops_the_job() -> None:
    amp = make_amp()
    person = amp.world.person(0)
    amp.delete(amplitude_ids=[person.amplitude_id])
    amp.client.delete(f"/api/2/deletions/users/{person.amplitude_id}/{JOB_DAY}", headers=PROJECT)
    assert amp.jobs(*RANGE) == []
