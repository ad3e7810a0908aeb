"""Run real `headwater worker` processes in each jobs mode, for end-to-end and fault tests.

The four modes CI runs: embedded on SQLite (one worker), embedded on PostgreSQL (two workers), Celery with
Redis and Celery with RabbitMQ (both on PostgreSQL, two workers). Each test gets its own store, its own
Redis database number / queue name, and fast lease, poll and tick settings.

To run another feature's end-to-end test in every mode, import the fixtures into that package's
conftest.py and parametrise nothing else:

    # tests/privacy/conftest.py
    from tests.jobs.harness import jobs_env, jobs_mode  # noqa: F401

    # tests/privacy/test_e2e.py
    @pytest.mark.slow
    def test_delete_ticket(jobs_env: JobsEnv) -> None:
        jobs_env.start_workers()                    # the mode's number of worker processes
        job = jobs_env.queue.submit("privacy.delete", {"ticket": 7})
        jobs_env.wait_done([job.id])                 # fails with the workers' logs on a timeout

Workers import `headwater.jobs.demo` plus `BUILTIN_MODULES`; for other task modules build the env with
`open_env(mode, tmp_path, monkeypatch, store_url_for(mode, request, tmp_path), modules="your.tasks")`.
PostgreSQL modes share one database per test process, emptied before each test.
"""

from __future__ import annotations

import os
import signal
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import create_engine, select, text

from headwater.config import load_settings
from headwater.jobs import DEAD, SUCCEEDED, JobQueue, JobRow, load_job_settings, open_queue
from headwater.store import Database
from tests.jobs.processes import (
    PrivateRedis,
    WorkerProcess,
    delete_broker_queue,
    delete_calls,
    free_port,
    fullstory_sandbox,
)
from tests.waiting import wait_until

__all__ = [
    "ALL_MODES",
    "MODES",
    "JobsEnv",
    "Mode",
    "PrivateRedis",
    "WorkerProcess",
    "delete_calls",
    "free_port",
    "fullstory_sandbox",
    "jobs_env",
    "jobs_mode",
    "mode_param",
    "open_env",
    "shared_pg_store",
]

REDIS_URL = os.environ.get("HEADWATER_TEST_REDIS_URL", "")
AMQP_URL = os.environ.get("HEADWATER_TEST_AMQP_URL", "")
PG_URL = os.environ.get("HEADWATER_TEST_DATABASE_URL", "")
DEMO_MODULES = "headwater.jobs.demo"

#: settings that make crashes and retries show up in seconds rather than minutes
FAST_SETTINGS = {
    "HEADWATER_JOBS_LEASE_SECONDS": "2",
    "HEADWATER_JOBS_POLL_SECONDS": "0.1",
    "HEADWATER_JOBS_TICK_SECONDS": "0.25",
    "HEADWATER_JOBS_BACKOFF_SECONDS": "0.1",
    "HEADWATER_JOBS_BACKOFF_MAX_SECONDS": "1",
    "HEADWATER_JOBS_REDISPATCH_SECONDS": "5",
    "HEADWATER_JOBS_SHUTDOWN_GRACE_SECONDS": "5",
    "HEADWATER_JOBS_BROKER_TIMEOUT_SECONDS": "2",
}


@dataclass(frozen=True)
class Mode:
    name: str
    store: str  # "sqlite" | "postgresql"
    broker: str | None  # None (embedded) | "redis" | "amqp"
    workers: int  # worker processes an end-to-end test starts

    def __str__(self) -> str:
        return self.name


MODES = {
    mode.name: mode
    for mode in (
        Mode("embedded-sqlite", "sqlite", None, 1),
        Mode("embedded-postgresql", "postgresql", None, 2),
        Mode("celery-redis", "postgresql", "redis", 2),
        Mode("celery-rabbitmq", "postgresql", "amqp", 2),
    )
}


def mode_param(name: str) -> Any:
    """A pytest param for one mode, skipped (with the reason shown) when its server is not configured."""
    mode = MODES[name]
    marks: list[Any] = []
    if mode.store == "postgresql":
        marks.append(pytest.mark.postgres)
        marks.append(pytest.mark.skipif(not PG_URL, reason="needs HEADWATER_TEST_DATABASE_URL (CI sets it)"))
    if mode.broker == "redis":
        marks.append(pytest.mark.skipif(not REDIS_URL, reason="needs HEADWATER_TEST_REDIS_URL (CI sets it)"))
    if mode.broker == "amqp":
        marks.append(pytest.mark.skipif(not AMQP_URL, reason="needs HEADWATER_TEST_AMQP_URL (CI sets it)"))
    return pytest.param(mode, id=name, marks=marks)


ALL_MODES = [mode_param(name) for name in MODES]


def redis_url(base: str, database: int) -> str:
    """The Redis server of `base`, database number `database`."""
    return urlunsplit(urlsplit(base)._replace(path=f"/{database}"))


def redis_database_number() -> int:
    """A Redis database number for this test process (1-15), so parallel runs rarely share one."""
    return 1 + os.getpid() % 15


@dataclass
class JobsEnv:
    mode: Mode
    db: Database
    queue: JobQueue
    env: dict[str, str]
    folder: Path
    broker_queue: str
    workers: list[WorkerProcess] = field(default_factory=list)

    def start_worker(self, *args: str, concurrency: int = 1) -> WorkerProcess:
        log = self.folder / f"worker-{len(self.workers)}.log"
        worker = WorkerProcess(self.env, log, ["--concurrency", str(concurrency), *args])
        self.workers.append(worker)
        return worker

    def start_workers(self, count: int | None = None, *, concurrency: int = 1) -> list[WorkerProcess]:
        """Start the mode's number of worker processes (or `count`)."""
        return [self.start_worker(concurrency=concurrency) for _ in range(count or self.mode.workers)]

    def replace(self, worker: WorkerProcess) -> WorkerProcess:
        fresh = worker.restart()
        self.workers.append(fresh)
        return fresh

    def jobs(self, ids: Sequence[int]) -> dict[int, JobRow]:
        with self.db.session() as session:
            return {job.id: job for job in session.scalars(select(JobRow).where(JobRow.id.in_(ids)))}

    def wait_done(self, ids: Sequence[int], timeout: float = 60) -> dict[int, JobRow]:
        """Wait until every job has finished, having succeeded or died; returns them, for the caller to
        assert which (a dead job ends the wait as soon as a success would)."""
        found: dict[int, JobRow] = {}

        def finished() -> bool:
            found.update(self.jobs(ids))
            return len(found) == len(ids) and all(j.status in (SUCCEEDED, DEAD) for j in found.values())

        self.wait_until(finished, timeout, f"{len(ids)} jobs to finish")
        return found

    def wait_until(self, predicate: Callable[[], object], timeout: float, what: str) -> None:
        """`tests.waiting.wait_until`, with the workers' logs in the message of a timeout."""
        wait_until(predicate, timeout=timeout, what=what, details=self.logs)

    def logs(self) -> str:
        parts = []
        for log in sorted({worker.log for worker in self.workers}):
            text = log.read_text(errors="replace") if log.exists() else ""
            parts.append(f"--- {log.name} ---\n{text[-4000:]}")
        return "\n".join(parts)

    def close(self) -> None:
        for worker in self.workers:  # all at once: each may take a moment to finish its job
            if worker.alive():
                worker.signal(signal.SIGTERM)
        for worker in self.workers:
            worker.reap(10)
        self.queue.db.dispose()
        delete_broker_queue(self.env.get("HEADWATER_BROKER_URL"), self.broker_queue)


def build_env(
    tmp_path: Path, store_url: str, broker: str | None, queue_name: str, modules: str = DEMO_MODULES
) -> dict[str, str]:
    """The HEADWATER_* settings one test's workers and its own process share."""
    env = {
        "HEADWATER_HOME": str(tmp_path / "home"),
        "HEADWATER_DATABASE_URL": store_url,
        "HEADWATER_JOBS_MODULES": modules,
        "HEADWATER_JOBS_QUEUE": queue_name,
        "HEADWATER_LOG_LEVEL": "INFO",
        "HEADWATER_OUTBOUND_ALLOW": os.environ.get("HEADWATER_OUTBOUND_ALLOW", ""),
        **FAST_SETTINGS,
    }
    if broker is not None:
        env["HEADWATER_BROKER_URL"] = broker
    return env


def process_env(settings_env: dict[str, str]) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("HEADWATER_")}
    return {**base, **settings_env, "PYTHONUNBUFFERED": "1"}


def open_env(
    mode: Mode,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    store_url: str,
    *,
    broker_url: str | None = None,
    modules: str = DEMO_MODULES,
) -> JobsEnv:
    """A `JobsEnv` for `mode`, also pointing this test process's settings at it."""
    queue_name = f"hwtest-{uuid.uuid4().hex[:10]}"
    if broker_url is None and mode.broker == "redis":
        broker_url = redis_url(REDIS_URL, redis_database_number())
    elif broker_url is None and mode.broker == "amqp":
        broker_url = AMQP_URL
    settings_env = build_env(tmp_path, store_url, broker_url, queue_name, modules)
    for name, value in settings_env.items():
        monkeypatch.setenv(name, value)
    db = Database(store_url)
    db.migrate()
    queue = open_queue(db, load_settings(), load_job_settings())
    folder = tmp_path / "workers"
    folder.mkdir(exist_ok=True)
    return JobsEnv(mode, db, queue, process_env(settings_env), folder, queue_name)


_SHARED_PG: dict[int, str] = {}


def shared_pg_url(templates: Any) -> str:
    """One migrated PostgreSQL database per test process, emptied (`reset_store`) before each use.

    Emptying takes milliseconds; creating and dropping a database per test takes seconds on a busy server.
    """
    if id(templates) not in _SHARED_PG:
        _SHARED_PG[id(templates)] = templates.fresh()
    return _SHARED_PG[id(templates)]


@pytest.fixture
def shared_pg_store(pg_templates: Any) -> str:
    """The shared PostgreSQL store, emptied for this test."""
    return reset_store(shared_pg_url(pg_templates))


def reset_store(url: str) -> str:
    """Empty every table (the schema stays), so a test starts from a fresh store."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.begin() as conn:
            tables = [
                name
                for name in conn.execute(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                ).scalars()
                if name != "alembic_version"
            ]
            if tables:
                names = ", ".join(f'"{name}"' for name in tables)
                conn.execute(text(f"TRUNCATE TABLE {names} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()
    return url


def store_url_for(mode: Mode, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if mode.store == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return reset_store(shared_pg_url(request.getfixturevalue("pg_templates")))


@pytest.fixture(params=ALL_MODES)
def jobs_mode(request: pytest.FixtureRequest) -> Mode:
    mode: Mode = request.param
    return mode


@pytest.fixture
def jobs_env(
    jobs_mode: Mode, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[JobsEnv]:
    """A store, a broker queue and fast settings for `jobs_mode`; workers are started by the test."""
    env = open_env(jobs_mode, tmp_path, monkeypatch, store_url_for(jobs_mode, request, tmp_path))
    try:
        yield env
    finally:
        env.close()
