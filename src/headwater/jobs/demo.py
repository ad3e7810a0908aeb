"""Demonstration task kinds that exercise the job system against the sandbox.

Not loaded by default: list ``headwater.jobs.demo`` in HEADWATER_JOBS_MODULES. Tests and the benchmark use
them to prove, with real processes, what every feature's tasks rely on: retries, dead jobs, graceful
stops, and a destructive provider call (FullStory's ``DELETE /v2/users/{id}``) made once however often
the job runs.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy import text

from headwater.errors import BadRequest, NotFound, ProviderUnavailable
from headwater.http import HttpClient, RetryPolicy
from headwater.jobs.context import TaskContext
from headwater.jobs.outcomes import Defer
from headwater.jobs.registry import task
from headwater.sandbox.credentials import SandboxCredentials

Payload = dict[str, Any]


@task("demo.noop")
def noop(ctx: TaskContext, payload: Payload) -> Payload:
    return {"ok": True, **payload}


@task("demo.sleep")
def sleep(ctx: TaskContext, payload: Payload) -> Payload:
    """Sleep in short steps, handing the job back if the worker stops."""
    deadline = time.monotonic() + float(payload.get("seconds", 1.0))
    while time.monotonic() < deadline:
        if payload.get("cooperative", True):
            ctx.check_stop()
        time.sleep(0.05)
    return {"slept": payload.get("seconds", 1.0)}


@task("demo.flaky")
def flaky(ctx: TaskContext, payload: Payload) -> Payload:
    """Fail transiently on the first `failures` attempts."""
    if ctx.attempt <= int(payload.get("failures", 1)):
        raise ProviderUnavailable(f"demo: transient failure on attempt {ctx.attempt}")
    return {"attempt": ctx.attempt}


@task("demo.wait_until")
def wait_until(ctx: TaskContext, payload: Payload) -> Payload:
    """Like polling a provider job: too early is not a failure, so no attempt is used up."""
    remaining = float(payload["until"]) - time.time()
    if remaining > 0:
        raise Defer(remaining, "the provider job is still running")
    return {"attempt": ctx.attempt}


@task("demo.fail")
def fail(ctx: TaskContext, payload: Payload) -> Payload:
    raise BadRequest(str(payload.get("message", "demo: a failure no retry can fix")))


_CLIENTS: dict[str, HttpClient] = {}
_CLIENTS_LOCK = threading.Lock()


def sandbox_client(base_url: str) -> HttpClient:
    """One client per sandbox for the whole process: building one (its TLS context) costs ~60 ms."""
    with _CLIENTS_LOCK:
        if base_url not in _CLIENTS:
            key = SecretStr("Basic " + SandboxCredentials().fullstory_admin_key)
            retry = RetryPolicy(backoff_base=0.05)
            _CLIENTS[base_url] = HttpClient(
                base_url, "FullStory sandbox", auth_headers={"Authorization": key}, retry=retry
            )
        return _CLIENTS[base_url]


@task("demo.sandbox_delete")
def sandbox_delete(ctx: TaskContext, payload: Payload) -> Payload:
    """Delete one FullStory sandbox user, once; `crash_after_call` kills the worker right after the call."""
    base_url, user_id = str(payload["base_url"]), str(payload["user_id"])
    client = sandbox_client(base_url)
    path = f"/v2/users/{user_id}"

    def call() -> Payload:
        client.request("DELETE", path, idempotent=False)  # never repeated blindly, even on a 5xx
        if payload.get("crash_after_call") and ctx.attempt == 1:
            os.kill(os.getpid(), signal.SIGKILL)
        return {"deleted": user_id}

    def verify() -> Payload | None:
        try:
            user = client.request("GET", path).json()
        except NotFound:
            return {"deleted": user_id, "seen": "absent"}
        return {"deleted": user_id, "seen": "being deleted"} if user.get("is_being_deleted") else None

    outcome = ctx.once(f"fullstory-sandbox:{base_url}:delete_user:{user_id}", call, verify=verify)
    return {**outcome.result, "how": outcome.how}


@task("demo.hold_db")
def hold_db(ctx: TaskContext, payload: Payload) -> Payload:
    """Keep a store connection open across a pause that a test uses to cut it.

    Writes ``ready-<attempt>`` in `dir`, waits for a ``go`` file there, then uses the connection again.
    """
    folder = Path(payload["dir"])
    with ctx.db.session() as session:
        session.execute(text("SELECT 1"))
        (folder / f"ready-{ctx.attempt}").touch()
        deadline = time.monotonic() + float(payload.get("timeout", 30))
        while not (folder / "go").exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        session.execute(text("SELECT 1"))
    return {"attempt": ctx.attempt}
