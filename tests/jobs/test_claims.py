from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from headwater.jobs import DEAD, QUEUED, RUNNING, SUCCEEDED, JobQueue, JobRow, claims


def expire_leases(queue: JobQueue) -> None:
    with queue.db.session() as session:
        session.execute(
            update(JobRow)
            .where(JobRow.status == RUNNING)
            .values(lease_expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )


def test_claims_the_oldest_due_job_of_a_known_kind(queue: JobQueue) -> None:
    queue.submit("demo.noop", {"n": "future"}, run_at=datetime.now(UTC) + timedelta(hours=1))
    first = queue.submit("demo.noop", {"n": 1})
    queue.submit("demo.fail", {})
    queue.submit("demo.noop", {"n": 2})
    job = claims.claim_next(queue.db, "w1", 30, ["demo.noop"])
    assert job is not None and job.id == first.id
    assert (job.status, job.attempts, job.lease_owner) == (RUNNING, 1, "w1")
    assert job.lease_expires_at is not None and job.lease_expires_at > datetime.now(UTC)
    second = claims.claim_next(queue.db, "w2", 30, ["demo.noop"])
    assert second is not None and second.payload == {"n": 2}
    assert claims.claim_next(queue.db, "w3", 30, ["demo.noop"]) is None  # the rest is not due or not ours


def test_a_lost_lease_is_claimed_again_and_fences_the_old_owner(queue: JobQueue) -> None:
    job = queue.submit("demo.noop")
    assert claims.claim_next(queue.db, "dead-worker", 30, ["demo.noop"]) is not None
    assert claims.claim_next(queue.db, "w2", 30, ["demo.noop"]) is None  # the lease is still live
    expire_leases(queue)
    again = claims.claim_next(queue.db, "w2", 30, ["demo.noop"])
    assert again is not None and (again.id, again.attempts) == (job.id, 2)
    assert not claims.complete(queue.db, job.id, "dead-worker", {"late": True})  # fenced off
    assert claims.heartbeat(queue.db, job.id, "w2", 30)
    assert claims.complete(queue.db, job.id, "w2", {"ok": True})
    stored = queue.get(job.id)
    assert (stored.status, stored.result, stored.lease_owner) == (SUCCEEDED, {"ok": True}, None)


def test_claim_by_id_only_takes_a_due_unleased_job(queue: JobQueue) -> None:
    job = queue.submit("demo.noop")
    later = queue.submit("demo.noop", run_at=datetime.now(UTC) + timedelta(hours=1))
    assert claims.claim(queue.db, later.id, "w1", 30) is None
    assert claims.claim(queue.db, job.id, "w1", 30) is not None
    assert claims.claim(queue.db, job.id, "w2", 30) is None  # a duplicate message finds nothing


def test_release_gives_the_attempt_back_and_retry_later_waits(queue: JobQueue) -> None:
    job = queue.submit("demo.noop")
    claims.claim(queue.db, job.id, "w1", 30)
    assert claims.release(queue.db, job.id, "w1", "stopping")
    stored = queue.get(job.id)
    assert (stored.status, stored.attempts) == (QUEUED, 0)
    claims.claim(queue.db, job.id, "w1", 30)
    assert claims.retry_later(queue.db, job.id, "w1", "ProviderUnavailable: 503", 60, counts=True)
    stored = queue.get(job.id)
    assert (stored.status, stored.attempts, stored.last_error) == (QUEUED, 1, "ProviderUnavailable: 503")
    assert stored.run_at > datetime.now(UTC) + timedelta(seconds=50)


def test_jobs_that_kill_their_worker_every_time_end_up_dead(queue: JobQueue) -> None:
    job = queue.submit("demo.noop", max_attempts=2)
    for owner in ("w1", "w2"):
        assert claims.claim_next(queue.db, owner, 30, ["demo.noop"]) is not None
        expire_leases(queue)
    assert claims.claim_next(queue.db, "w3", 30, ["demo.noop"]) is None
    assert claims.bury_exhausted(queue.db) == 1
    stored = queue.get(job.id)
    assert stored.status == DEAD and "lease ran out" in (stored.last_error or "")


def test_requeue_expired_hands_lost_jobs_back_for_dispatch(celery_queue: JobQueue) -> None:
    job = celery_queue.submit("demo.noop")
    claims.claim(celery_queue.db, job.id, "w1", 30)
    assert claims.requeue_expired(celery_queue.db) == []
    expire_leases(celery_queue)
    assert claims.requeue_expired(celery_queue.db) == [job.id]
    stored = celery_queue.get(job.id)
    assert (stored.status, stored.dispatched_at, stored.attempts) == (QUEUED, None, 1)


def test_concurrent_claimers_never_share_a_job(queue: JobQueue) -> None:
    """Eight threads race for 120 jobs: on PostgreSQL through SKIP LOCKED, on SQLite its write lock."""
    for n in range(120):
        queue.submit("demo.noop", {"n": n})
    taken: Counter[int] = Counter()
    lock = threading.Lock()

    def claimer(owner: str) -> None:
        while (job := claims.claim_next(queue.db, owner, 30, ["demo.noop"])) is not None:
            with lock:
                taken[job.id] += 1

    threads = [threading.Thread(target=claimer, args=(f"w{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(taken) == 120 and set(taken.values()) == {1}
