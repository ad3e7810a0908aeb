"""Jobs per second with one and two `headwater worker` processes, embedded and on Celery.

Two workloads: trivial jobs (`demo.noop`: the cost of the job system itself) and delete tickets
(`demo.sandbox_delete`: an effect record before and after a real `DELETE /v2/users/{id}` against the
FullStory sandbox, its rate limits off). For each mode and worker count a fresh store is made, the workers
are started and warmed up (untimed), then N jobs are committed in one transaction and timed from that
commit until the last one is recorded done: dispatch, claiming, running and recording all count.
It prints jobs/s for each run, jobs per CPU-second of the worker processes (steadier than wall-clock
figures on a shared machine), and the scaling ratio of two workers over one.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

FAST = {"HEADWATER_JOBS_POLL_SECONDS": "0.02", "HEADWATER_JOBS_TICK_SECONDS": "0.5"}


@contextmanager
def scratch_store(postgres_admin: str, folder: Path) -> Iterator[str]:
    """A new empty store: a SQLite file, or a PostgreSQL database dropped afterwards."""
    if not postgres_admin:
        yield f"sqlite:///{folder / f'store-{uuid.uuid4().hex[:6]}.db'}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(postgres_admin.replace("postgresql://", "postgresql+psycopg://", 1))
    admin = admin.execution_options(isolation_level="AUTOCOMMIT")
    name = f"hw_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres_admin).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run_case(
    kind: str, payloads: list[dict[str, Any]], workers: int, store: str, broker: str | None, home: Path
) -> tuple[float, float]:
    """Jobs per wall-clock second and per worker CPU-second, for one workload, mode and worker count."""
    queue_name = f"hwbench-{uuid.uuid4().hex[:8]}"
    env = {
        "HEADWATER_HOME": str(home),
        "HEADWATER_DATABASE_URL": store,
        "HEADWATER_OUTBOUND_ALLOW": "127.0.0.1",  # the sandbox listens on loopback
        "HEADWATER_JOBS_MODULES": "headwater.jobs.demo",
        "HEADWATER_JOBS_QUEUE": queue_name,
        **FAST,
    }
    if broker:
        env["HEADWATER_BROKER_URL"] = broker
    for name in [name for name in os.environ if name.startswith("HEADWATER_")]:
        del os.environ[name]
    os.environ.update(env)

    from sqlalchemy import func, select

    from headwater.config import load_settings
    from headwater.jobs import SUCCEEDED, JobRow, open_queue
    from headwater.store import Database

    db = Database(store)
    db.migrate()
    queue = open_queue(db, load_settings())
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "headwater", "worker"],
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for _ in range(workers)
    ]
    try:
        warm = [queue.submit("demo.noop").id for _ in range(workers * 2)]
        wait_for(db, (JobRow.id.in_(warm),), len(warm), timeout=120)
        n = len(payloads)
        groups = {process.pid for process in processes}
        with db.session() as session:
            batch = [queue.enqueue(session, kind, payload) for payload in payloads]
            session.flush()
            first, last = batch[0].id, batch[-1].id
            cpu_before, started = group_cpu_seconds(groups), time.perf_counter()
        # the clock runs from the commit (and, in Celery mode, the publishing) to the last job done
        batch_jobs = (JobRow.id.between(first, last), JobRow.kind == kind)  # not periodic ones in between
        wait_for(db, batch_jobs, n, timeout=600)
        elapsed, cpu = time.perf_counter() - started, group_cpu_seconds(groups) - cpu_before
        with db.session() as session:
            query = select(func.count()).select_from(JobRow).where(*batch_jobs, JobRow.status == SUCCEEDED)
            ok = session.scalar(query)
        if ok != n:
            raise SystemExit(f"only {ok} of {n} jobs succeeded")
        return n / elapsed, n / cpu if cpu > 0 else float("nan")
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(60)
        db.dispose()
        if broker:
            purge_queue(broker, queue_name)


def group_cpu_seconds(groups: set[int]) -> float:
    """User + system CPU of every live process in these process groups (Linux /proc; 0 elsewhere)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) in groups:  # fields after the command: state, ppid, pgrp, ...
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def workload_payloads(workload: str, n: int, sandbox: Any) -> tuple[str, list[dict[str, Any]]]:
    if workload == "noop":
        return "demo.noop", [{"n": i} for i in range(n)]
    people = sandbox.world.people()
    return "demo.sandbox_delete", [
        {"base_url": sandbox.fullstory_url, "user_id": str(person.fs_user_id)} for person in people
    ]


def wait_for(db: Any, where: tuple[Any, ...], count: int, timeout: float) -> None:
    from sqlalchemy import func, select

    from headwater.jobs import DEAD, SUCCEEDED, JobRow

    deadline = time.monotonic() + timeout
    query = select(func.count()).select_from(JobRow).where(*where, JobRow.status.in_((SUCCEEDED, DEAD)))
    while True:
        with db.session() as session:
            if (session.scalar(query) or 0) >= count:
                return
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {count} jobs")
        time.sleep(0.01)


def purge_queue(url: str, name: str) -> None:
    """Delete the run's queue (and, on Redis, its binding keys) from the broker."""
    try:
        if url.startswith("redis"):
            from redis import Redis

            client = Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
            for key in client.scan_iter(match=f"*{name}*"):
                client.delete(key)
            client.close()
            return
        from kombu import Connection, Exchange, Queue

        with Connection(url, connect_timeout=2) as connection:
            channel = connection.default_channel
            Queue(name, Exchange(name), routing_key=name)(channel).delete()
            Exchange(name)(channel).delete()
    except Exception as exc:
        print(f"(could not delete the bench queue {name}: {exc})", file=sys.stderr)


def broker_reachable(url: str) -> bool:
    from headwater.errors import ConfigError
    from headwater.jobs.broker import check_broker

    try:
        check_broker(url, 2)
    except ConfigError as exc:
        print(f"Celery mode skipped: {exc}", file=sys.stderr)
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1000, help="trivial jobs per run (default 1000)")
    parser.add_argument("--deletes", type=int, default=300, help="delete tickets per run (default 300)")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("HEADWATER_TEST_DATABASE_URL", ""),
        help="PostgreSQL admin URL for scratch stores (default: $HEADWATER_TEST_DATABASE_URL; none = SQLite)",
    )
    parser.add_argument(
        "--broker-url",
        default=os.environ.get("HEADWATER_TEST_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/") + "/14",
        help="broker for Celery mode (default: Redis database 14 on $HEADWATER_TEST_REDIS_URL)",
    )
    parser.add_argument("--modes", default="embedded,celery", help="comma-separated: embedded, celery")
    args = parser.parse_args()

    from headwater.sandbox import SandboxOptions, SandboxServer, World

    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if "celery" in modes and not broker_reachable(args.broker_url):
        modes.remove("celery")
    folder = Path(tempfile.mkdtemp(prefix="hw-bench-jobs-"))
    store_kind = "postgresql" if args.postgres else "sqlite"
    results: dict[tuple[str, str, int], float] = {}
    print(f"store: {store_kind}; {args.jobs} trivial jobs and {args.deletes} deletes per run", flush=True)
    print(f"{'mode':<10} {'workload':<10} {'workers':>7} {'jobs/s':>10} {'jobs/CPU-s':>11}", flush=True)
    for mode in modes:
        for workload, n in (("noop", args.jobs), ("delete", args.deletes)):
            for workers in (1, 2):
                options = SandboxOptions(rate_limits=False)
                broker = args.broker_url if mode == "celery" else None
                with (
                    SandboxServer(world=World(users=n), options=options) as sandbox,
                    scratch_store(args.postgres, folder) as store,
                ):
                    kind, payloads = workload_payloads(workload, n, sandbox)
                    rate, per_cpu = run_case(kind, payloads, workers, store, broker, folder / "home")
                results[(mode, workload, workers)] = rate
                print(f"{mode:<10} {workload:<10} {workers:>7} {rate:>10.1f} {per_cpu:>11.1f}", flush=True)
    print("scaling, 2 workers / 1 worker:")
    for mode in modes:
        for workload in ("noop", "delete"):
            one, two = results[(mode, workload, 1)], results[(mode, workload, 2)]
            print(f"  {mode:<10} {workload:<10} {two / one:.2f}x")


if __name__ == "__main__":
    main()
