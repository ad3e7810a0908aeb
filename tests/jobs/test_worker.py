from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

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
from tests.waiting import wait_until


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
    assert waiting.run_at > datetime.now(UTC)  # deferred, not due again at once
    wait_until(lambda: queue.get(job.id).run_at <= datetime.now(UTC), timeout=10, what="the job to be due")
    run_once(queue)
    done = queue.get(job.id)
    assert (done.status, done.result) == (SUCCEEDED, {"attempt": 1})


def test_a_stopping_worker_hands_a_cooperative_job_back(queue: JobQueue) -> None:
    """The task notices the stop itself (`ctx.check_stop()`), so the grace period is not waited out."""
    job = queue.submit("demo.sleep", {"seconds": 30})
    worker = EmbeddedWorker(queue, concurrency=1, ticker=False).start()
    wait_until(lambda: queue.get(job.id).status == RUNNING, timeout=10, what="the job to start")
    worker.shutdown()
    assert worker.counts == Counter({QUEUED: 1})  # its thread ended: the task handed the job back
    released = queue.get(job.id)
    assert (released.status, released.attempts, released.lease_owner) == (QUEUED, 0, None)
    assert released.last_error == "Interrupted: the worker is stopping"


def test_after_the_grace_period_a_busy_job_is_released(
    queue: JobQueue, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HEADWATER_JOBS_SHUTDOWN_GRACE_SECONDS", "0.3")
    queue = open_queue(queue.db, load_settings(), load_job_settings())
    job = queue.submit("demo.hold_db", {"dir": str(tmp_path), "timeout": 60})  # ignores the stop
    worker = EmbeddedWorker(queue, concurrency=1, ticker=False).start()
    wait_until((tmp_path / "ready-1").exists, timeout=10, what="the job to start")
    worker.shutdown()  # the task is still running: its job is released once the grace period is over
    assert worker.counts == Counter()
    released = queue.get(job.id)
    assert (released.status, released.attempts, released.lease_owner) == (QUEUED, 0, None)
    assert released.last_error == "the worker stopped before the job finished"
    (tmp_path / "go").touch()  # the task ends now; its lease is gone, so it cannot record anything
    worker.join(10)
    assert worker.counts.total() == 1
    after = queue.get(job.id)
    assert (after.status, after.result, after.last_error) == (QUEUED, None, released.last_error)
