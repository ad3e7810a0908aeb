"""Strict mode, FullStory: an empty user list is a 404, deletions show late and finish later still, and
the business plan has no legacy Data Export, so Segment Export is the way out; each beside the lenient
default it replaces."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.sandbox.strict_support import NOW, WORLD_START, Running, running, segment_export_rows

NOBODY = "nobody-at-all@example.com"
DAY = 86_400


def _user(sandbox: Running, user_id: str) -> httpx.Response:
    return sandbox.fs.get(f"/v2/users/{user_id}")


def test_strict_user_list_answers_404_when_nobody_matches() -> None:
    with running(strict=True, users=4, events_per_user=10) as strict:
        answer = strict.fs.get("/v2/users", params={"email": NOBODY})
        assert answer.status_code == 404 and answer.json()["code"] == "resource_not_found"
        assert strict.fs.get("/v2/users", params={"uid": "usr-no-such-uid"}).status_code == 404
        person = strict.world.person(1)
        found = strict.fs.get("/v2/users", params={"email": person.email})
        assert found.status_code == 200 and found.json()["total_records"] == "1"


def test_lenient_user_list_answers_an_empty_page_when_nobody_matches() -> None:
    with running(strict=False, users=4, events_per_user=10) as lenient:
        answer = lenient.fs.get("/v2/users", params={"email": NOBODY})
        assert answer.status_code == 200
        assert (answer.json()["results"], answer.json()["total_records"]) == ([], "0")


def test_strict_deletion_shows_is_being_deleted_late_and_404s_a_day_later() -> None:
    with running(strict=True, users=4, events_per_user=10) as strict:
        user_id = str(strict.world.person(2).fs_user_id)
        assert strict.fs.delete(f"/v2/users/{user_id}").json() == {}
        pending = _user(strict, user_id).json()
        assert pending["is_being_deleted"] is False and pending["properties"]
        strict.advance(seconds=30 * 60 - 1)
        assert _user(strict, user_id).json()["is_being_deleted"] is False
        strict.advance(seconds=1)
        flagged = _user(strict, user_id).json()
        assert flagged["is_being_deleted"] is True and flagged["properties"] == {}
        strict.advance(seconds=DAY - 30 * 60 - 1)
        assert _user(strict, user_id).status_code == 200
        strict.advance(seconds=1)
        assert _user(strict, user_id).status_code == 404


def test_lenient_deletion_shows_at_once_and_404s_after_a_minute() -> None:
    with running(strict=False, users=4, events_per_user=10) as lenient:
        user_id = str(lenient.world.person(2).fs_user_id)
        assert lenient.fs.delete(f"/v2/users/{user_id}").json() == {}
        assert _user(lenient, user_id).json()["is_being_deleted"] is True
        lenient.advance(seconds=60)
        assert _user(lenient, user_id).status_code == 404


def _poll(sandbox: Running, operation_id: str) -> dict[str, Any]:
    body: dict[str, Any] = sandbox.fs.get(f"/operations/v1/{operation_id}").json()
    return body


@pytest.mark.parametrize(
    ("strict", "polls_before_done"), [(True, None), (False, 2)], ids=["strict", "lenient"]
)
def test_v1_deletion_operation_completes_when_the_user_is_gone(
    strict: bool, polls_before_done: int | None
) -> None:
    with running(strict=strict, users=4, events_per_user=10) as sandbox:
        person = sandbox.world.person(3)
        operation_id = sandbox.fs.delete(f"/users/v1/individual/{person.uid}").json()["id"]
        shown = sandbox.fs.get(f"/users/v1/individual/{person.uid}").json()  # documented for v1: at once
        assert shown["existingOperation"]["id"] == operation_id
        states = [_poll(sandbox, operation_id)["state"] for _ in range(5)]
        if polls_before_done is not None:
            assert states == ["PENDING"] + ["COMPLETED"] * 4
            assert _user(sandbox, str(person.fs_user_id)).status_code == 404
            return
        assert states == ["PENDING"] * 5  # however often it is polled
        assert _user(sandbox, str(person.fs_user_id)).status_code == 200
        sandbox.advance(days=1)
        done = _poll(sandbox, operation_id)
        assert done["state"] == "COMPLETED" and done["estimatePctComplete"] == 100
        assert _user(sandbox, str(person.fs_user_id)).status_code == 404


@pytest.mark.parametrize(
    ("strict", "plan", "available"),
    [(True, None, False), (False, "business", False), (True, "enterprise", True), (False, None, True)],
    ids=["strict", "lenient-business", "strict-enterprise", "lenient"],
)
def test_legacy_data_export_needs_the_add_on_that_the_business_plan_lacks(
    strict: bool, plan: str | None, available: bool
) -> None:
    bundle_id = int(WORLD_START.timestamp()) // DAY
    with running(strict=strict, plan=plan, users=3, events_per_user=20) as sandbox:
        listed = sandbox.fs.get("/api/v1/export/list", params={"start": 0})
        listed_by_body = sandbox.fs.post("/api/v1/export/list", json={"start": 0})
        download = sandbox.fs.get("/api/v1/export/get", params={"id": bundle_id})
        answers = (listed, listed_by_body, download)
        if available:
            assert [answer.status_code for answer in answers] == [200, 200, 200]
            assert listed.json()["exports"][0]["Id"] == bundle_id
        else:
            assert [answer.status_code for answer in answers] == [404, 404, 404]
            assert all(answer.json()["code"] == "resource_not_found" for answer in answers)
        user = sandbox.world.person(0)
        assert sandbox.fs.get("/api/v1/export/userEvents", params={"uid": user.uid}).status_code == 200


def test_strict_business_plan_replicates_through_segment_export() -> None:
    with running(strict=True, users=3, events_per_user=40) as strict:
        happened = sum(1 for index in range(3) for event in strict.world.events(index) if event.time < NOW)
        rows = segment_export_rows(strict)
        assert rows and len(rows) == happened
