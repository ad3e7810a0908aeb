"""User Privacy API v1 contract: scheduling rules, ignore_invalid_id semantics, and the request shapes."""

from __future__ import annotations

import pytest

from tests.sandbox.amplitude_support import PROJECT, make_amp

TODAY = "2025-03-15"
JOB_DAY = "2025-03-29"


def test_schedules_a_user_id_into_a_job_two_weeks_out() -> None:
    amp = make_amp()
    person = amp.world.person(0)
    response = amp.delete(user_ids=[person.email], requester="dpo@example.com")
    assert response.status_code == 200
    body = response.json()
    assert isinstance(body, list) and len(body) == 1
    job = body[0]
    assert job["day"] == JOB_DAY
    assert job["status"] == "staging"
    assert job["app"] == str(amp.state.settings.app_id)
    assert job["active_scrub_done_date"] is None
    assert job["amplitude_ids"] == [
        {"amplitude_id": person.amplitude_id, "requested_on_day": TODAY, "requester": "dpo@example.com"}
    ]
    assert "invalid_ids" not in job


def test_requests_join_the_open_staging_job_until_it_freezes() -> None:
    amp = make_amp()
    first, second, third = (amp.world.person(i) for i in range(3))
    amp.delete(amplitude_ids=[first.amplitude_id])
    amp.advance(2)
    joined = amp.delete(amplitude_ids=[second.amplitude_id]).json()[0]
    assert joined["day"] == JOB_DAY
    assert [entry["amplitude_id"] for entry in joined["amplitude_ids"]] == [
        first.amplitude_id,
        second.amplitude_id,
    ]
    assert joined["amplitude_ids"][1]["requested_on_day"] == "2025-03-17"
    amp.advance(9)  # 2025-03-26 = day - 3: the job is frozen, a new request opens a new job
    later = amp.delete(amplitude_ids=[third.amplitude_id]).json()[0]
    assert later["day"] == "2025-04-09"
    assert [entry["amplitude_id"] for entry in later["amplitude_ids"]] == [third.amplitude_id]
    days = [job["day"] for job in amp.jobs("2025-03-01", "2025-04-30")]
    assert days == [JOB_DAY, "2025-04-09"]


def test_an_unknown_id_without_ignore_is_a_400_and_schedules_nothing() -> None:
    amp = make_amp()
    person = amp.world.person(0)
    response = amp.delete(user_ids=[person.email, "nobody@example.com"])
    assert response.status_code == 400
    assert amp.jobs("2025-03-01", "2025-05-01") == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ignore_invalid_id", True),
        ("ignore_invalid_id", "true"),
        ("ignore_invalid_id", "True"),
        ("ignore_invalid_ids", "TRUE"),
        ("ignore_invalid_ids", True),
    ],
)
def test_ignore_invalid_id_schedules_the_valid_ones_and_echoes_the_rest(name: str, value: object) -> None:
    amp = make_amp()
    person = amp.world.person(1)
    body = {"user_ids": [person.email, "nobody@example.com"], "amplitude_ids": [12345], name: value}
    response = amp.delete(**body)
    assert response.status_code == 200
    job = response.json()[0]
    assert [entry["amplitude_id"] for entry in job["amplitude_ids"]] == [person.amplitude_id]
    assert sorted(map(str, job["invalid_ids"])) == ["12345", "nobody@example.com"]


@pytest.mark.parametrize("value", [False, "false", "False", "no"])
def test_false_spellings_of_ignore_keep_the_strict_400(value: object) -> None:
    amp = make_amp()
    assert amp.delete(user_ids=["nobody@example.com"], ignore_invalid_id=value).status_code == 400


def test_nothing_valid_with_ignore_on_is_a_200_nothing_scheduled_message() -> None:
    amp = make_amp()
    response = amp.delete(user_ids=["nobody@example.com"], ignore_invalid_id="true")
    assert response.status_code == 200
    app_id = amp.state.settings.app_id
    assert response.json() == {
        " message": f"Nothing scheduled due to invalid amplitude/user ids for app {app_id}"
    }
    assert amp.jobs("2025-03-01", "2025-05-01") == []


def test_delete_from_org_forces_ignore_invalid_id() -> None:
    amp = make_amp()
    person = amp.world.person(0)
    response = amp.delete(user_ids=[person.email, "nobody@example.com"], delete_from_org="True")
    assert response.status_code == 200
    assert response.json()[0]["invalid_ids"] == ["nobody@example.com"]


def test_a_user_id_resolves_to_every_amplitude_id_it_maps_to() -> None:
    amp = make_amp()
    amp.ingest([{"event_type": "Opened", "device_id": "anon-device-1"}])
    amp.ingest([{"event_type": "Signed Up", "user_id": "merged@example.com", "device_id": "laptop-device-2"}])
    amp.ingest([{"event_type": "Logged In", "user_id": "merged@example.com", "device_id": "anon-device-1"}])
    matches = amp.search("merged@example.com")["matches"]
    ids = sorted(match["amplitude_id"] for match in matches)
    assert len(ids) == 2
    job = amp.delete(user_ids=["merged@example.com"], include_mapped_user_ids=True).json()[0]
    assert sorted(entry["amplitude_id"] for entry in job["amplitude_ids"]) == ids
    assert {entry["user_id"] for entry in job["amplitude_ids"]} == {"merged@example.com"}


def test_more_than_100_ids_or_none_at_all_is_a_400() -> None:
    amp = make_amp()
    ids = [amp.world.person(0).amplitude_id] * 60
    emails = [amp.world.person(1).email] * 41
    assert amp.delete(amplitude_ids=ids, user_ids=emails).status_code == 400
    assert amp.delete(amplitude_ids=ids, user_ids=emails[:40]).status_code == 200
    assert amp.delete(requester="x@example.com").status_code == 400


def test_form_encoded_bodies_with_repeated_ids_are_accepted() -> None:
    amp = make_amp()
    first, second = amp.world.person(0), amp.world.person(1)
    form = [("amplitude_ids", str(first.amplitude_id)), ("amplitude_ids", str(second.amplitude_id))]
    single = {"amplitude_ids": str(first.amplitude_id), "ignore_invalid_id": "False"}
    assert amp.client.post("/api/2/deletions/users", data=single, headers=PROJECT).status_code == 200
    encoded = "&".join(f"{key}={value}" for key, value in form) + "&requester=form%40example.com"
    response = amp.client.post(
        "/api/2/deletions/users",
        content=encoded,
        headers={**PROJECT, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    entries = response.json()[0]["amplitude_ids"]
    assert [entry["amplitude_id"] for entry in entries] == [first.amplitude_id, second.amplitude_id]


def test_parameters_in_the_query_string_are_accepted_when_the_body_is_empty() -> None:
    amp = make_amp()
    person = amp.world.person(0)
    params = {"user_ids": person.email, "ignore_invalid_id": "true"}
    response = amp.client.post("/api/2/deletions/users", params=params, headers=PROJECT)
    assert response.status_code == 200
    assert response.json()[0]["amplitude_ids"][0]["amplitude_id"] == person.amplitude_id


def test_invalid_json_is_a_400() -> None:
    amp = make_amp()
    response = amp.client.post(
        "/api/2/deletions/users",
        content=b"{not json",
        headers={**PROJECT, "Content-Type": "application/json"},
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "params",
    [
        {"start_day": "2025-03-01"},
        {"start_day": "20250301", "end_day": "20250401"},
        {"start_day": "2025-04-01", "end_day": "2025-03-01"},
        {"start_day": "2025-01-01", "end_day": "2025-07-15"},
    ],
)
def test_listing_validates_its_day_range(params: dict[str, str]) -> None:
    amp = make_amp()
    assert amp.client.get("/api/2/deletions/users", params=params, headers=PROJECT).status_code == 400


def test_listing_returns_only_jobs_whose_day_is_in_range() -> None:
    amp = make_amp()
    amp.delete(amplitude_ids=[amp.world.person(0).amplitude_id])
    assert amp.jobs("2025-03-15", "2025-03-28") == []
    assert [job["day"] for job in amp.jobs(JOB_DAY, JOB_DAY)] == [JOB_DAY]
    assert amp.jobs("2025-01-01", "2025-06-30")  # six months is allowed


def test_numeric_user_ids_may_be_sent_as_numbers() -> None:
    amp = make_amp()
    amp.ingest([{"event_type": "Enrolled", "user_id": "1234567", "device_id": "lms-device"}])
    (match,) = amp.search("1234567")["matches"]
    job = amp.delete(user_ids=[1234567]).json()[0]
    assert job["amplitude_ids"][0]["amplitude_id"] == match["amplitude_id"]
