"""Crashes with real processes: a killed worker, a broker that is down, a database connection cut."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from headwater.jobs import SUCCEEDED, JobRow
from tests.jobs.harness import (
    MODES,
    PG_URL,
    JobsEnv,
    PrivateRedis,
    delete_calls,
    fullstory_sandbox,
    mode_param,
    open_env,
)


def submit_deletes(env: JobsEnv, base_url: str, user_ids: list[int], **extra: object) -> list[int]:
    payloads = [{"base_url": base_url, "user_id": str(user), **extra} for user in user_ids]
    return [env.queue.submit("demo.sandbox_delete", payload).id for payload in payloads]


def succeeded(env: JobsEnv) -> int:
    with env.db.session() as session:
        query = select(func.count()).select_from(JobRow).where(JobRow.status == SUCCEEDED)
        return int(session.scalar(query) or 0)


@pytest.mark.slow
@pytest.mark.parametrize(
    "jobs_mode", [mode_param("embedded-postgresql"), mode_param("celery-redis")], indirect=True
)
def test_a_worker_killed_mid_batch_loses_nothing_and_deletes_nobody_twice(jobs_env: JobsEnv) -> None:
    with fullstory_sandbox(users=100, latency_ms=10) as sandbox:
        users = [person.fs_user_id for person in sandbox.world.people()]
        ids = submit_deletes(jobs_env, sandbox.fullstory_url, users)
        victim, _survivor = jobs_env.start_workers(2)
        jobs_env.wait_until(lambda: succeeded(jobs_env) >= 25, 60, "a quarter of the deletes")
        victim.kill()
        assert succeeded(jobs_env) < 100, "the batch finished before the kill; slow the sandbox down"
        jobs_env.replace(victim)
        done = jobs_env.wait_done(ids, timeout=90)
        calls = Counter(delete_calls(sandbox))
    assert {job.status for job in done.values()} == {SUCCEEDED}
    assert len(calls) == 100, "every user was deleted"
    assert max(calls.values()) == 1, f"deleted twice: {[p for p, n in calls.items() if n > 1]}"


@pytest.mark.slow
@pytest.mark.parametrize(
    "jobs_mode", [mode_param("embedded-sqlite"), mode_param("celery-rabbitmq")], indirect=True
)
def test_a_crash_right_after_the_provider_call_is_not_followed_by_a_second_call(jobs_env: JobsEnv) -> None:
    with fullstory_sandbox(users=3) as sandbox:
        user = sandbox.world.person(1).fs_user_id
        [job_id] = submit_deletes(jobs_env, sandbox.fullstory_url, [user], crash_after_call=True)
        worker = jobs_env.start_worker()
        jobs_env.wait_until(
            lambda: not worker.alive() or jobs_env.queue.get(job_id).status == SUCCEEDED, 60, "the crash"
        )
        if not worker.alive():  # embedded: the whole worker died; Celery: only a pool process did
            jobs_env.replace(worker)
        done = jobs_env.wait_done([job_id])[job_id]
        assert delete_calls(sandbox) == [f"/v2/users/{user}"]
    assert (done.status, done.attempts) == (SUCCEEDED, 2)
    assert done.result == {"deleted": str(user), "seen": "being deleted", "how": "verified"}


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        pytest.skip("needs the redis-server program (CI installs it)")
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.mark.slow
def test_jobs_created_while_the_broker_is_down_run_once_it_is_back(
    private_redis: PrivateRedis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broker = f"redis://127.0.0.1:{private_redis.port}/0"
    env = open_env(
        MODES["celery-redis"], tmp_path, monkeypatch, f"sqlite:///{tmp_path / 'store.db'}", broker_url=broker
    )
    try:
        with fullstory_sandbox(users=20) as sandbox:
            env.start_worker()
            env.wait_done([env.queue.submit("demo.noop").id])  # the worker is up and consuming
            private_redis.stop()
            ids = submit_deletes(env, sandbox.fullstory_url, [p.fs_user_id for p in sandbox.world.people()])
            # created and committed without the broker: nothing was handed to it, the sweeper will
            assert all(job.dispatched_at is None for job in env.jobs(ids).values())
            private_redis.start()  # empty: whatever it held before is gone too
            done = env.wait_done(ids, timeout=90)
            calls = Counter(delete_calls(sandbox))
        assert {job.status for job in done.values()} == {SUCCEEDED}
        assert len(calls) == 20 and max(calls.values()) == 1
    finally:
        env.close()


def cut_connections(database_url: str) -> int:
    """Terminate every server connection to this database, as a failover or network cut would."""
    name = make_url(database_url).database
    admin = create_engine(
        PG_URL.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    try:
        with admin.connect() as conn:
            statement = text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            )
            return int(conn.execute(statement, {"name": name}).scalar() or 0)
    finally:
        admin.dispose()


@pytest.mark.slow
@pytest.mark.parametrize(
    "jobs_mode", [mode_param("embedded-postgresql"), mode_param("celery-redis")], indirect=True
)
def test_a_database_connection_dropped_mid_job_is_retried(jobs_env: JobsEnv, tmp_path: Path) -> None:
    folder = tmp_path / "hold"
    folder.mkdir()
    job = jobs_env.queue.submit("demo.hold_db", {"dir": str(folder)})
    jobs_env.start_worker()
    jobs_env.wait_until((folder / "ready-1").exists, 60, "the job to hold its connection")
    assert cut_connections(jobs_env.db.url) >= 1
    (folder / "go").touch()
    done = jobs_env.wait_done([job.id])[job.id]
    assert (done.status, done.attempts) == (SUCCEEDED, 2)
    assert (folder / "ready-2").exists()
