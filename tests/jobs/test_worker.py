from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from headwater.config import load_settings
from headwater.jobs import (
    DEAD,
    QUEUED,
    RUNNING,
    SUCCEEDED,
    EmbeddedWorker,
    JobQueue,
    load_job_settings,
    open_queue,
)


def run_once(queue: JobQueue, concurrency: int = 2) -> None:
    EmbeddedWorker(queue, concurrency=concurrency, ticker=False).run(once=True)


@pytest.fixture
def eager(queue: JobQueue, monkeypatch: pytest.MonkeyPatch) -> JobQueue:
    """No backoff, so that `--once` sees each retry as due at once."""
    monkeypatch.setenv("HEADWATER_JOBS_BACKOFF_SECONDS", "0")
    return open_queue(queue.db, load_settings(), load_job_settings())


def test_once_runs_what_is_due_with_retries_and_dead_jobs(eager: JobQueue) -> None:
    ok = [eager.submit("demo.noop", {"n": n}) for n in range(5)]
    flaky = eager.submit("demo.flaky", {"failures": 2})
    hopeless = eager.submit("demo.flaky", {"failures": 9}, max_attempts=3)
    broken = eager.submit("demo.fail", {"message": "that id is malformed"})
    later = eager.submit("demo.noop", run_at=datetime.now(UTC) + timedelta(hours=1))
    run_once(eager)
    assert all(eager.get(job.id).status == SUCCEEDED for job in ok)
    assert eager.get(ok[0].id).result == {"ok": True, "n": 0}
    assert (eager.get(flaky.id).status, eager.get(flaky.id).attempts) == (SUCCEEDED, 3)
    gave_up = eager.get(hopeless.id)
    assert gave_up.status == DEAD and gave_up.attempts == 3
    assert (gave_up.last_error or "").startswith("Gave up after 3 attempts. Last error: ProviderUnavailable")
    dead = eager.get(broken.id)
    assert (dead.status, dead.attempts, dead.last_error) == (
        DEAD,
        1,
        "BadRequest: that id is malformed",
    )  # permanent: no retry
    assert eager.get(later.id).status == QUEUED


def test_deferring_uses_no_attempt(queue: JobQueue) -> None:
    job = queue.submit("demo.wait_until", {"until": time.time() + 0.3})
    run_once(queue)
    waiting = queue.get(job.id)
    assert (waiting.status, waiting.attempts) == (QUEUED, 0)
    assert "still running" in (waiting.last_error or "")
    time.sleep(0.4)
    run_once(queue)
    done = queue.get(job.id)
    assert (done.status, done.result) == (SUCCEEDED, {"attempt": 1})


def test_a_stopping_worker_hands_a_cooperative_job_back(queue: JobQueue) -> None:
    job = queue.submit("demo.sleep", {"seconds": 30})
    worker = EmbeddedWorker(queue, concurrency=1, ticker=False).start()
    deadline = time.monotonic() + 10
    while queue.get(job.id).status != RUNNING and time.monotonic() < deadline:
        time.sleep(0.02)
    started = time.monotonic()
    worker.shutdown()
    assert time.monotonic() - started < 3
    released = queue.get(job.id)
    assert (released.status, released.attempts, released.lease_owner) == (QUEUED, 0, None)


def test_after_the_grace_period_a_busy_job_is_released(
    queue: JobQueue, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEADWATER_JOBS_SHUTDOWN_GRACE_SECONDS", "0.3")
    queue = open_queue(queue.db, load_settings(), load_job_settings())
    job = queue.submit("demo.sleep", {"seconds": 1.5, "cooperative": False})
    worker = EmbeddedWorker(queue, concurrency=1, ticker=False).start()
    deadline = time.monotonic() + 10
    while queue.get(job.id).status != RUNNING and time.monotonic() < deadline:
        time.sleep(0.02)
    started = time.monotonic()
    worker.shutdown()  # the task ignores the stop, so it is released once the grace period is over
    assert time.monotonic() - started < 2
    released = queue.get(job.id)
    assert (released.status, released.attempts) == (QUEUED, 0)
    worker.join(5)  # the task ends later; its lease is gone, so it cannot record anything
    assert queue.get(job.id).status == QUEUED
