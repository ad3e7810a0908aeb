"""A delete lane whose job dies on every attempt: the worker process running it is SIGKILLed right after
its n-th FullStory DELETE of each attempt has landed, until the job's attempts run out.

Used by the kill -9 tests in `test_workers`; what it reads (the job's lease owner names the worker's pid)
is only what `jobs list` shows a person.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import select

from headwater.jobs import DEAD, RUNNING, JobRow
from headwater.privacy.batching import LANE_KIND
from headwater.privacy.models import LaneRow
from headwater.sandbox import SandboxServer
from tests.jobs.harness import JobsEnv


class KillTheLane:
    """Arms a hook on the FullStory emulator's deletions until `disarm()`. Each kill starts a replacement
    worker, so the job is claimed again (by it or by another worker) once its lease runs out."""

    def __init__(self, env: JobsEnv, sandbox: SandboxServer, connection: str, *, per_attempt: int) -> None:
        self.env, self.connection = env, connection
        self.armed = True
        self.kills = 0
        self._since_kill = 0
        self._lock = threading.Lock()
        users = sandbox.fullstory_app.state.sandbox.users
        request_delete = users.request_delete

        def watched(record: Any, operation_id: str = "") -> Any:
            stored = request_delete(record, operation_id)
            with self._lock:
                self._since_kill += 1
                if self.armed and self._since_kill >= per_attempt:
                    self._kill_lane_worker()
            return stored

        users.request_delete = watched

    def _kill_lane_worker(self) -> None:
        pid = lane_worker_pid(self.env, self.connection)
        victim = next((w for w in self.env.workers if w.pid == pid and w.alive()), None)
        if victim is None:
            return
        victim.kill()
        self.kills += 1
        self._since_kill = 0
        self.env.replace(victim)

    def disarm(self) -> None:
        with self._lock:
            self.armed = False


def lane_jobs(env: JobsEnv, connection: str, status: str | None = None) -> list[JobRow]:
    with env.db.session() as session:
        query = select(JobRow).where(JobRow.kind == LANE_KIND).order_by(JobRow.id)
        if status is not None:
            query = query.where(JobRow.status == status)
        return [job for job in session.scalars(query) if job.payload.get("connection") == connection]


def lane_worker_pid(env: JobsEnv, connection: str) -> int | None:
    """The pid of the worker running the job that holds the lane (`job:ID`); a job's lease owner is
    `host:pid:token:thread`."""
    with env.db.session() as session:
        holder = session.scalar(select(LaneRow.owner).where(LaneRow.connection == connection))
        job = session.get(JobRow, int(holder.split(":")[1])) if holder else None
    owner = job.lease_owner if job is not None and job.status == RUNNING else None
    return int(owner.split(":")[1]) if owner else None


def lane_job_dead(env: JobsEnv, connection: str) -> bool:
    return bool(lane_jobs(env, connection, DEAD))
