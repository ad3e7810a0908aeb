"""Nothing stalls silently: `headwater status` tells queued work no one runs from work a live worker will
run, as real worker processes start, die and stop; and `worker --once` on a store it cannot write ends
with one clear message instead of retrying until it is killed."""

from __future__ import annotations

import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.jobs.harness import MODES, JobsEnv, mode_param, open_env

LIVENESS = {"HEADWATER_JOBS_STALL_SECONDS": "0", "HEADWATER_JOBS_HEARTBEAT_SECONDS": "0.5"}


def status(env: dict[str, str]) -> tuple[int, dict[str, Any], str]:
    done = subprocess.run(
        [sys.executable, "-m", "headwater", "status", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout, done.stderr
    return done.returncode, json.loads(done.stdout), done.stderr


@pytest.mark.parametrize(
    "jobs_mode", [mode_param("embedded-sqlite"), mode_param("celery-redis")], indirect=True
)
def test_status_tells_work_nobody_runs_from_work_a_live_worker_will_run(jobs_env: JobsEnv) -> None:
    jobs_env.env.update(LIVENESS)
    first = jobs_env.queue.submit("demo.noop", {"n": 1})
    code, report, _ = status(jobs_env.env)
    assert code == 1 and report["stalled"] and report["workers_alive"] == 0
    assert report["jobs"]["due"] == 1 and report["jobs"]["oldest_due_at"]
    assert "no worker is running" in report["warning"] and "headwater worker" in report["warning"]

    worker = jobs_env.start_worker()
    jobs_env.wait_done([first.id])
    found: dict[str, Any] = {}

    def worker_seen() -> bool:
        code, report, _ = status(jobs_env.env)
        found.update(report, code=code)
        return report["workers_alive"] == 1

    jobs_env.wait_until(worker_seen, 60, "the worker's heartbeat")
    assert found["code"] == 0 and not found["stalled"] and found["warning"] is None
    live = [p for p in found["processes"] if p["alive"]]
    assert [p["pid"] for p in live if p["runs_jobs"]] == [worker.pid]
    assert found["scheduler"], "the worker's ticker holds the scheduler's lease"

    worker.kill()  # SIGKILL: no clean goodbye, the heartbeat simply stops
    jobs_env.queue.submit("demo.noop", {"n": 2})

    def worker_gone() -> bool:
        code, report, _ = status(jobs_env.env)
        found.update(report, code=code)
        return report["workers_alive"] == 0

    jobs_env.wait_until(worker_gone, 30, "the killed worker to be counted gone")
    assert found["code"] == 1 and found["stalled"] and "the last one" in found["warning"]
    assert any(not p["alive"] for p in found["processes"])

    stopped = jobs_env.start_worker()
    jobs_env.wait_until(lambda: status(jobs_env.env)[1]["workers_alive"] == 1, 60, "the new worker")
    stopped.stop()  # SIGTERM: it says goodbye, so it is gone at once
    assert stopped.popen.returncode == 0
    assert all(p["process"].split(":")[1] != str(stopped.pid) for p in status(jobs_env.env)[1]["processes"])


WRITE_LIMIT = 40_000  # bytes a process may write into one file: above SQLite's 32 KiB shared memory file


def _limit_file_size() -> None:
    """In the child: writing past WRITE_LIMIT fails with EFBIG (SQLite's "disk I/O error") instead of
    killing the process with SIGXFSZ."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (WRITE_LIMIT, WRITE_LIMIT))


@pytest.mark.timeout(120)
def test_once_on_a_store_it_cannot_write_exits_2_with_one_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "store.db"
    env = open_env(MODES["embedded-sqlite"], tmp_path, monkeypatch, f"sqlite:///{path}")
    reader = sqlite3.connect(path)  # held open: the write-ahead log stays, and grows
    try:
        reader.execute("PRAGMA wal_autocheckpoint=0")
        env.queue.submit("demo.noop", {"padding": "x" * 200_000})
        assert os.path.getsize(f"{path}-wal") > WRITE_LIMIT  # so the worker's first write fails
        once = subprocess.run(
            [sys.executable, "-m", "headwater", "worker", "--once"],
            env={**env.env, "PYTHONDONTWRITEBYTECODE": "1"},
            preexec_fn=_limit_file_size,
            capture_output=True,
            text=True,
            timeout=60,  # the old worker retried for ever
        )
    finally:
        reader.close()
        env.close()
    said = "".join(once.stderr.split())  # the console wraps long paths anywhere
    assert once.returncode == 2, once.stderr
    assert f"Error:Cannotclaimjobsfromthestoreatsqlite:///{path}:diskI/Oerror" in said
    assert "Traceback" not in said and "databaseserver" not in said
    assert f"ThestoreistheSQLitefile{path}" in said and "freespace" in said
