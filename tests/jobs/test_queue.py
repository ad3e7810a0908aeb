from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from headwater.errors import BadInput, Conflict, NotFound
from headwater.jobs import DEAD, QUEUED, JobQueue, JobRow, TaskContext, claims, maintenance
from headwater.jobs.models import SUPERSEDED
from headwater.jobs.registry import UnknownKind
from headwater.store import audit
from tests.jobs.conftest import RecordingDispatcher


def count_jobs(queue: JobQueue) -> int:
    with queue.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(JobRow)) or 0)


def test_submit_commits_a_row_with_every_field(queue: JobQueue) -> None:
    job = queue.submit("demo.noop", {"n": 1})
    stored = queue.get(job.id)
    assert (stored.kind, stored.status, stored.payload, stored.attempts) == ("demo.noop", QUEUED, {"n": 1}, 0)
    assert stored.max_attempts == 5 and stored.run_at.tzinfo is not None
    assert stored.created_at.tzinfo is not None and stored.lease_owner is None


def test_dedupe_key_returns_the_existing_job(queue: JobQueue) -> None:
    first = queue.submit("demo.noop", {"n": 1}, dedupe_key="ticket:7")
    second = queue.submit("demo.noop", {"n": 2}, dedupe_key="ticket:7")
    assert first.id == second.id and second.payload == {"n": 1}
    assert count_jobs(queue) == 1


def test_unknown_kind_bad_payload_and_naive_time_are_refused(queue: JobQueue) -> None:
    with pytest.raises(UnknownKind, match="HEADWATER_JOBS_MODULES"):
        queue.submit("no.such.kind")
    with pytest.raises(BadInput, match="JSON"):
        queue.submit("demo.noop", {"when": object()})
    with pytest.raises(BadInput, match="timezone"):
        queue.submit("demo.noop", run_at=datetime(2030, 1, 1))


def test_enqueue_dispatches_only_after_the_callers_commit(
    celery_queue: JobQueue, recording: RecordingDispatcher
) -> None:
    with celery_queue.db.session() as session:
        job = celery_queue.enqueue(session, "demo.noop", {})
        assert recording.sent == []  # nothing leaves before the row is committed
    assert recording.sent == [job.id]
    assert celery_queue.get(job.id).dispatched_at is not None


def test_a_rolled_back_transaction_dispatches_nothing(
    celery_queue: JobQueue, recording: RecordingDispatcher
) -> None:
    with pytest.raises(RuntimeError), celery_queue.db.session() as session:
        celery_queue.enqueue(session, "demo.noop", {})
        raise RuntimeError("the ticket could not be saved")
    assert recording.sent == [] and count_jobs(celery_queue) == 0


def test_future_jobs_wait_and_an_unreachable_broker_loses_nothing(
    celery_queue: JobQueue, recording: RecordingDispatcher
) -> None:
    later = celery_queue.submit("demo.noop", run_at=datetime.now(UTC) + timedelta(hours=1))
    recording.down = True
    now = celery_queue.submit("demo.noop")
    assert recording.sent == []
    assert celery_queue.get(now.id).dispatched_at is None  # left for the sweeper
    assert celery_queue.due_undispatched() == [now.id]
    assert later.id not in celery_queue.due_undispatched()


def test_list_get_and_retry(queue: JobQueue) -> None:
    jobs = [queue.submit("demo.noop", {"n": n}) for n in range(3)]
    assert [job.id for job in queue.list_jobs()] == [job.id for job in reversed(jobs)]
    assert queue.list_jobs(status=DEAD) == []
    with pytest.raises(BadInput):
        queue.list_jobs(status="exploded")
    with pytest.raises(NotFound):
        queue.get(999)
    with queue.db.session() as session:
        row = session.get(JobRow, jobs[0].id)
        assert row is not None
        row.status, row.attempts, row.last_error = DEAD, 5, "BadRequest: no"
    retried = queue.retry(jobs[0].id, actor="operator")
    assert (retried.status, retried.attempts) == (QUEUED, 0)
    with queue.db.session() as session:
        trail = [(e.actor, e.action, e.message) for e in audit.trail(session, "job", jobs[0].id)]
    assert trail == [("operator", "job.retried", f"Job {jobs[0].id} (demo.noop) queued to run again.")]
    with queue.db.session() as session:
        row = session.get(JobRow, jobs[1].id)
        assert row is not None
        row.status = "succeeded"
    with pytest.raises(Conflict, match="already succeeded"):
        queue.retry(jobs[1].id, actor="operator")
    with queue.db.session() as session:
        assert audit.trail(session, "job", jobs[1].id) == []  # a refused retry leaves no entry


def test_a_dead_job_whose_work_was_done_elsewhere_is_superseded_then_purged_like_a_success(
    queue: JobQueue,
) -> None:
    dead, waiting = queue.submit("demo.noop", {"n": 1}), queue.submit("demo.noop", {"n": 2})
    long_ago = datetime.now(UTC) - timedelta(days=30)
    with queue.db.session() as session:
        row = session.get(JobRow, dead.id)
        assert row is not None
        row.status, row.last_error, row.finished_at = DEAD, "worker lost on every attempt", long_ago
    assert claims.supersede(queue.db, [dead.id, waiting.id], "its work was finished by job 9") == 1
    superseded = queue.get(dead.id)
    assert (superseded.status, superseded.last_error) == (SUPERSEDED, "worker lost on every attempt")
    assert superseded.result == {"superseded": "its work was finished by job 9"}
    assert queue.get(waiting.id).status == QUEUED  # only a dead job can be superseded
    assert queue.list_jobs(status=DEAD) == [] and queue.list_jobs(status=SUPERSEDED)[0].id == dead.id
    with pytest.raises(Conflict, match="finished by job 9"):
        queue.retry(dead.id, actor="operator")
    context = TaskContext(job_id=0, kind="jobs.purge", attempt=1, max_attempts=1, owner="t", queue=queue)
    assert maintenance.purge(context, {}) == {"deleted": 1}
    assert [job.id for job in queue.list_jobs()] == [waiting.id]
