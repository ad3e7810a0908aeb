"""Delete requests end to end against the sandbox, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import update

from headwater.config import load_settings
from headwater.errors import BadInput
from headwater.jobs.models import LockRow, TickRow
from headwater.privacy.models import ProviderJobRow
from headwater.privacy.service import Privacy
from headwater.workflows.slack import connect_slack
from tests.privacy.conftest import Desk


def fullstory_user(desk: Desk, index: int) -> int:
    """HTTP status of the person's FullStory user (200 while it exists, 404 once purged)."""
    import httpx

    person = desk.sandbox.world.person(index)
    key = desk.sandbox.credentials.fullstory_admin_key
    response = httpx.get(
        f"{desk.sandbox.fullstory_url}/v2/users",
        params={"email": person.email},
        headers={"Authorization": f"Basic {key}"},
    )
    return len(response.json()["results"])


def test_delete_by_email_is_followed_until_both_providers_are_done(desk: Desk) -> None:
    person = desk.sandbox.world.person(3)
    ticket = desk.create(email=person.email)
    assert ticket["status"] == "received" and ticket["id"].startswith("DSR-")
    assert {t["connection"] for t in ticket["tasks"]} == {"fs", "amp"}
    desk.drain()

    shown = desk.show(ticket["id"])
    assert shown["status"] == "waiting"
    fs, amp = desk.task(ticket["id"], "fs"), desk.task(ticket["id"], "amp")
    assert fs["status"] == "waiting" and fs["records"] >= 1 and person.uid in fs["identities"][0]
    assert amp["status"] == "waiting"
    job_day = amp["counts"]["provider_jobs"][0]["id"]
    assert job_day >= desk.sandbox.clock.today().isoformat()  # the Amplitude job's day is recorded

    desk.sandbox.clock.advance(days=2)  # FullStory purges; Amplitude's job is still staging
    after = desk.privacy.refresh(ticket["id"], actor="officer")
    assert desk.task(ticket["id"], "fs")["status"] == "completed"
    assert after["status"] == "waiting" and fullstory_user(desk, 3) == 0

    desk.sandbox.clock.advance(days=13)  # the job runs: submitted
    assert desk.privacy.refresh(ticket["id"], actor="officer")["status"] == "waiting"
    desk.sandbox.clock.advance(days=6)  # backups expired: done
    done = desk.privacy.refresh(ticket["id"], actor="officer")
    assert done["status"] == "completed" and done["closed_at"] is not None

    trail = desk.privacy.audit(ticket["id"])
    actions = [e["action"] for e in trail]
    for expected in ("dsr.created", "dsr.identity_resolved", "dsr.provider_call", "dsr.provider_poll"):
        assert expected in actions
    assert {e["actor"] for e in trail} >= {"officer", "worker"}
    statuses = [e["details"]["after"] for e in trail if e["action"] == "dsr.status_changed"]
    assert statuses == ["in_progress", "waiting", "completed"]
    polls = [e["details"]["provider_status"] for e in trail if e["action"] == "dsr.provider_poll"]
    assert [p for p in polls if p] == ["staging", "submitted", "done"]


def test_the_periodic_poll_follows_jobs_on_their_schedule(desk: Desk) -> None:
    ticket = desk.create(email=desk.sandbox.world.person(4).email, connections=["fs"])
    desk.drain()
    assert desk.show(ticket["id"])["status"] == "waiting"
    desk.sandbox.clock.advance(days=1)
    desk.drain()  # not due yet: nothing polled
    assert desk.show(ticket["id"])["status"] == "waiting"
    past = datetime.now(UTC) - timedelta(minutes=1)
    with desk.privacy.db.session() as session:  # the schedule says: poll now, and the minute has passed
        session.execute(update(ProviderJobRow).values(next_poll_at=past))
        session.execute(update(TickRow).values(next_tick_at=past))
        # a minute also outlives the ticker lease (seconds) an earlier drain's worker took: any worker
        # may tick now, as one would after a real minute
        session.execute(update(LockRow).values(expires_at=past))
    desk.drain()
    assert desk.show(ticket["id"])["status"] == "completed"


def test_email_with_no_user_completes_with_zero_records(desk: Desk) -> None:
    ticket = desk.create(email="nobody.at.all@example.org")
    desk.drain()
    shown = desk.show(ticket["id"])
    assert shown["status"] == "completed" and shown["records"] == 0
    assert all(t["status"] == "completed" and t["last_error"] is None for t in shown["tasks"])


def test_a_near_miss_email_never_deletes_another_person_in_amplitude(desk: Desk) -> None:
    person = desk.sandbox.world.person(6)
    near = person.email[:-1]  # "...@example.co" for "...@example.com": a prefix of someone else's id
    ticket = desk.create(email=near, connections=["amp"])
    desk.drain()
    assert desk.show(ticket["id"])["status"] in ("completed", "waiting")
    jobs = desk.sandbox.amplitude_app.state.sandbox.jobs
    start = desk.sandbox.clock.today()
    held = {i for job in jobs.between(start, start + timedelta(days=60)) for i in job.entries}
    assert person.amplitude_id not in held


def test_a_disabled_connection_fails_its_tasks_with_what_to_do_and_retry_resumes(desk: Desk) -> None:
    ticket = desk.create(email=desk.sandbox.world.person(16).email, connections=["amp"])
    desk.privacy.connections.disable("amp", actor="officer")
    desk.drain()
    amp = desk.task(ticket["id"], "amp")
    assert desk.show(ticket["id"])["status"] == "failed"
    assert "disabled" in amp["last_error"] and "connections enable amp" in amp["last_error"]
    assert "dsr retry" in amp["last_error"]
    desk.privacy.connections.enable("amp", actor="officer")
    desk.privacy.retry(ticket["id"], actor="officer")
    desk.drain()
    assert desk.task(ticket["id"], "amp")["status"] == "waiting"


def test_a_slack_connection_gets_no_privacy_tasks_and_cannot_be_named(desk: Desk) -> None:
    connect_slack(
        desk.privacy.connections,
        "team",
        SecretStr(desk.sandbox.slack_webhook_url),
        test=False,
        actor="tester",
    )
    ticket = desk.create(email=desk.sandbox.world.person(4).email)
    assert sorted(t["connection"] for t in desk.show(ticket["id"])["tasks"]) == ["amp", "fs"]
    with pytest.raises(BadInput, match="holds no personal data"):
        desk.create(email=desk.sandbox.world.person(5).email, connections=["fs", "team"])


def test_a_retry_after_the_provider_dropped_the_deletion_asks_again_and_completes(desk: Desk) -> None:
    person = desk.sandbox.world.person(17)
    ticket = desk.create(email=person.email, connections=["amp"])
    desk.drain()
    [job] = desk.task(ticket["id"], "amp")["counts"]["provider_jobs"]
    jobs = desk.sandbox.amplitude_app.state.sandbox.jobs
    jobs.remove(person.amplitude_id, date.fromisoformat(job["id"]), desk.sandbox.clock.today())  # cancelled
    assert desk.privacy.refresh(ticket["id"], actor="officer")["status"] == "failed"

    desk.privacy.retry(ticket["id"], actor="officer")
    desk.drain()
    assert desk.task(ticket["id"], "amp")["status"] == "waiting"  # the dropped job no longer counts
    desk.sandbox.clock.advance(days=20)
    assert desk.privacy.refresh(ticket["id"], actor="officer")["status"] == "completed"


def test_a_retry_never_sends_again_a_deletion_that_landed_before_its_task_failed(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FullStory takes the first DELETE of a batch, then refuses everything (429) for longer than the
    job's one attempt lasts, so the whole batch fails although one deletion landed. The retry asks
    FullStory first: that person is followed, and only the two others are sent."""
    monkeypatch.setenv("HEADWATER_JOBS_MAX_ATTEMPTS", "1")
    desk = Desk(Privacy.open(load_settings(), desk.privacy.db), desk.sandbox)
    people = [desk.sandbox.world.person(i) for i in (20, 21, 22)]
    tickets = [desk.create(email=p.email, connections=["fs"])["id"] for p in people]
    fullstory = desk.sandbox.fullstory_app.state.sandbox
    request_delete = fullstory.users.request_delete

    def refuse_after_the_first(record: Any, operation_id: str = "") -> Any:
        # 8 forced 429s and their bursts: every try of the next DELETE and of the check that follows it
        fullstory.faults.force("rate_burst", 8)
        fullstory.users.request_delete = request_delete
        return request_delete(record, operation_id)

    fullstory.users.request_delete = refuse_after_the_first
    desk.drain(timeout=60)
    shown = [desk.show(t) for t in tickets]
    assert [t["status"] for t in shown] == ["failed"] * 3
    assert all("kept failing" in t["tasks"][0]["last_error"] for t in shown)

    fullstory.faults.clear()
    for ticket in tickets:
        desk.privacy.retry(ticket, actor="officer")
    desk.drain()
    assert [desk.show(t)["status"] for t in tickets] == ["waiting"] * 3
    landed = [
        c["path"]
        for c in fullstory.calls.calls("/v2/users/")
        if c["method"] == "DELETE" and c["status"] == 200
    ]
    assert sorted(landed) == sorted(f"/v2/users/{p.fs_user_id}" for p in people)  # each person once
    found = [e for e in desk.privacy.audit(tickets[0]) if e["details"].get("how") == "verified"]
    assert found and "not requested again" in found[0]["message"]
