"""DSAR (data access) contract: org-level auth, 202 on create, clock-driven status, monthly output files."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest

from tests.sandbox.amplitude_support import ORG, PROJECT, Amp, make_amp

PATH = "/api/2/dsar/requests"


def _create(amp: Amp, body: dict[str, Any]) -> int:
    response = amp.client.post(PATH, json=body, headers=ORG)
    assert response.status_code == 202, response.text
    request_id: int = response.json()["requestId"]
    return request_id


def _status(amp: Amp, request_id: int) -> dict[str, Any]:
    response = amp.client.get(f"{PATH}/{request_id}", headers=ORG)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_request_moves_from_staging_to_done_and_lists_one_file_per_month() -> None:
    amp = make_amp()
    person = amp.world.person(0)
    request_id = _create(amp, {"userId": person.email, "startDate": "2025-02-01", "endDate": "2025-03-31"})
    status = _status(amp, request_id)
    assert status["status"] == "staging"
    assert status["userId"] == person.email and status["amplitudeId"] is None
    assert (status["startDate"], status["endDate"]) == ("2025-02-01", "2025-03-31")
    assert status["urls"] == []
    assert len(status["expires"]) == 19
    amp.advance(0.5)
    assert _status(amp, request_id)["status"] == "submitted"
    amp.advance(0.5)
    done = _status(amp, request_id)
    assert done["status"] == "done"
    months = sorted({event.time.strftime("%Y-%m") for event in amp.world.events(0)})
    assert months == ["2025-02", "2025-03"]
    assert len(done["urls"]) == 2
    assert [url.rsplit("/", 1)[1] for url in done["urls"]] == [str(n) for n in range(len(months))]
    assert done["expires"] == "2025-03-18T00:00:00"

    lines: list[dict[str, Any]] = []
    for url, month in zip(done["urls"], months, strict=True):
        path = url.split("://", 1)[1].split("/", 1)[1]
        response = amp.client.get("/" + path, headers=ORG)
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/gzip"
        rows = [json.loads(line) for line in gzip.decompress(response.content).decode().splitlines()]
        assert {row["event_time"][:7] for row in rows} == {month}
        lines.extend(rows)
    assert len(lines) == sum(1 for _ in amp.world.events(0))
    assert {row["amplitude_id"] for row in lines} == {person.amplitude_id}
    assert all(row["server_upload_time"][10] == " " for row in lines)


def test_date_range_and_amplitude_id_select_the_rows() -> None:
    amp = make_amp()
    person = amp.world.person(1)
    request_id = _create(
        amp, {"amplitudeId": person.amplitude_id, "startDate": "2025-03-01", "endDate": "2025-03-05"}
    )
    amp.advance(1)
    done = _status(amp, request_id)
    expected = [
        event
        for event in amp.world.events(1)
        if "2025-03-01" <= event.time.date().isoformat() <= "2025-03-05"
    ]
    assert len(done["urls"]) == (1 if expected else 0)
    if expected:
        content = amp.client.get(f"{PATH}/{request_id}/outputs/0", headers=ORG).content
        assert len(gzip.decompress(content).decode().splitlines()) == len(expected)


def test_an_unknown_user_finishes_with_no_files() -> None:
    amp = make_amp()
    request_id = _create(
        amp, {"userId": "nobody@example.com", "startDate": "2025-01-01", "endDate": "2025-03-31"}
    )
    amp.advance(1)
    assert _status(amp, request_id)["urls"] == []
    assert amp.client.get(f"{PATH}/{request_id}/outputs/0", headers=ORG).status_code == 404


def test_outputs_are_not_served_before_done_or_after_expiry() -> None:
    amp = make_amp()
    request_id = _create(
        amp, {"userId": amp.world.person(0).email, "startDate": "2025-02-01", "endDate": "2025-03-31"}
    )
    assert amp.client.get(f"{PATH}/{request_id}/outputs/0", headers=ORG).status_code == 404
    amp.advance(1)
    assert amp.client.get(f"{PATH}/{request_id}/outputs/0", headers=ORG).status_code == 200
    amp.advance(2)
    assert amp.client.get(f"{PATH}/{request_id}/outputs/0", headers=ORG).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"startDate": "2025-01-01", "endDate": "2025-02-01"},
        {"userId": "a@example.com", "amplitudeId": 5, "startDate": "2025-01-01", "endDate": "2025-02-01"},
        {"userId": "a@example.com", "startDate": "2025-01-01"},
        {"userId": "a@example.com", "startDate": "01/01/2025", "endDate": "2025-02-01"},
        {"userId": "a@example.com", "startDate": "2025-03-01", "endDate": "2025-02-01"},
        {"amplitudeId": "not-a-number", "startDate": "2025-01-01", "endDate": "2025-02-01"},
    ],
)
def test_invalid_requests_are_a_400(body: dict[str, Any]) -> None:
    amp = make_amp()
    assert amp.client.post(PATH, json=body, headers=ORG).status_code == 400


def test_the_project_key_pair_is_not_enough() -> None:
    amp = make_amp()
    body = {"userId": "a@example.com", "startDate": "2025-01-01", "endDate": "2025-02-01"}
    assert amp.client.post(PATH, json=body, headers=PROJECT).status_code == 401
    request_id = _create(amp, body)
    assert amp.client.get(f"{PATH}/{request_id}", headers=PROJECT).status_code == 401
    assert amp.client.get(f"{PATH}/999999", headers=ORG).status_code == 404
