from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from headwater.jobs import QUEUED, RUNNING, EmbeddedWorker, JobQueue, JobRow, claims, every, locks, recurring
from headwater.jobs.models import LockRow, TickRow
from headwater.jobs.ticker import LOCK_NAME, Ticker
from tests.jobs.conftest import RecordingDispatcher


@pytest.fixture
def hourly() -> Iterator[None]:
    entry = every("test.hourly", 3600, "demo.noop", {"from": "ticker"})
    yield
    recurring._SCHEDULE.pop(entry.name, None)


def ticked(queue: JobQueue) -> list[JobRow]:
    with queue.db.session() as session:
        query = select(JobRow).where(JobRow.dedupe_key.like("tick:test.hourly:%"))
        return list(session.scalars(query))


def test_one_ticker_leads_and_a_successor_takes_over(queue: JobQueue) -> None:
    first, second = Ticker(queue, "a"), Ticker(queue, "b")
    assert first.tick().leader and not second.tick().leader
    assert first.tick().leader  # renewing its own lease
    locks.release(queue.db, LOCK_NAME, "a")
    assert second.tick().leader and not first.tick().leader


def test_a_dead_leaders_lease_runs_out(queue: JobQueue) -> None:
    assert locks.acquire(queue.db, "x", "a", ttl=60)
    assert not locks.acquire(queue.db, "x", "b", ttl=60)
    with queue.db.session() as session:  # "a" stopped renewing a minute ago
        session.execute(update(LockRow).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert locks.acquire(queue.db, "x", "b", ttl=60)
    assert not locks.acquire(queue.db, "x", "a", ttl=60)


@pytest.mark.usefixtures("hourly")
def test_a_periodic_task_fires_once_per_period(queue: JobQueue) -> None:
    ticker = Ticker(queue, "a")
    ticker.tick()
    ticker.tick()
    jobs = ticked(queue)
    assert len(jobs) == 1 and jobs[0].payload == {"from": "ticker"} and jobs[0].status == QUEUED
    with queue.db.session() as session:
        row = session.get(TickRow, "test.hourly")
        assert row is not None and row.next_tick_at > datetime.now(UTC) + timedelta(minutes=59)


@pytest.mark.usefixtures("hourly")
def test_missed_ticks_fire_once_on_start(queue: JobQueue) -> None:
    Ticker(queue, "a").tick()
    with queue.db.session() as session:  # as if every worker had been down for a day
        session.execute(
            update(TickRow)
            .where(TickRow.name == "test.hourly")
            .values(next_tick_at=datetime.now(UTC) - timedelta(hours=24))
        )
    Ticker(queue, "b").tick()  # "b" is refused: "a" still leads
    locks.release(queue.db, LOCK_NAME, "a")
    Ticker(queue, "b").tick()
    Ticker(queue, "b").tick()
    assert len(ticked(queue)) == 2  # the first tick, and one for the whole missed day
    with queue.db.session() as session:
        row = session.get(TickRow, "test.hourly")
        assert row is not None and row.next_tick_at > datetime.now(UTC) + timedelta(minutes=59)


def test_the_sweeper_sends_what_the_broker_never_got_or_lost(
    celery_queue: JobQueue, recording: RecordingDispatcher
) -> None:
    recording.down = True
    missed = celery_queue.submit("demo.noop")
    running = celery_queue.submit("demo.noop")
    recording.down = False
    claims.claim(celery_queue.db, running.id, "vanished-worker", 30)
    with celery_queue.db.session() as session:
        session.execute(
            update(JobRow)
            .where(JobRow.status == RUNNING)
            .values(lease_expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    report = Ticker(celery_queue, "a").tick()
    assert report.requeued == [running.id]
    assert set(report.dispatched) >= {missed.id, running.id}
    assert {missed.id, running.id} <= set(recording.sent)
    assert Ticker(celery_queue, "a").tick().dispatched == []  # sent, not yet stale: not sent again


def test_a_worker_run_once_ticks_and_hands_the_lease_on(queue: JobQueue) -> None:
    EmbeddedWorker(queue, concurrency=1, ticker=True).run(once=True)
    assert Ticker(queue, "next").tick().leader  # no wait for the lease of the one that ran once
