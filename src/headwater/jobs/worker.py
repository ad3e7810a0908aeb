"""The embedded worker: threads that claim due jobs from the store, plus the ticker.

It needs nothing but the store, so it is the default (`headwater worker`, and inside `headwater serve`
through `start()`/`shutdown()`); several of them can share one PostgreSQL database. On SIGTERM or Ctrl-C
it stops claiming, lets running jobs finish for `HEADWATER_JOBS_SHUTDOWN_GRACE_SECONDS` (a task that calls
`ctx.check_stop()` hands its job back at once), then releases what is still running; a second signal
stops at once. A worker that dies without any of this loses nothing: its leases run out.

While it runs it beats (`heartbeats`), so `headwater status` knows a worker is alive. `--once` is for a
cron job or a script: a store it cannot claim from on three tries in a row ends it with a `ConfigError`
(one line, exit code 2) rather than retrying until someone notices; a long-running worker waits for it.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import threading
import time
from collections import Counter
from collections.abc import Sequence
from types import FrameType
from typing import Any

from headwater.errors import ConfigError
from headwater.jobs import claims, registry, runner
from headwater.jobs.heartbeats import Pulse
from headwater.jobs.outcomes import describe
from headwater.jobs.queue import JobQueue
from headwater.jobs.ticker import Ticker

log = logging.getLogger(__name__)
#: `--once`: consecutive failures to claim from the store before giving up
ONCE_STORE_TRIES = 3


def process_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class EmbeddedWorker:
    def __init__(
        self,
        queue: JobQueue,
        *,
        concurrency: int = 1,
        ticker: bool = True,
        role: str = "worker",
        kinds: Sequence[str] | None = None,
    ) -> None:
        """`role` names the process in its heartbeat ("serve" inside the web service); `kinds` limits
        the jobs it claims (a command doing its own work now), default every registered kind."""
        self.queue = queue
        self.concurrency = max(1, concurrency)
        self.use_ticker = ticker
        self.role = role
        self.kinds = list(kinds) if kinds is not None else None
        self.failure: ConfigError | None = None  # `once`: the store could not be used
        self._pulse: Pulse | None = None
        self.identity = f"{process_identity()}:{secrets.token_hex(3)}"  # unique even within a process
        self.stopping = threading.Event()
        self.counts: Counter[str] = Counter()
        self._force = threading.Event()
        self._ticker_stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._current: dict[int, int] = {}  # thread index -> job id
        self._lock = threading.Lock()

    def run(self, *, once: bool = False) -> Counter[str]:
        """Work until stopped (or, with `once`, until nothing is due); returns jobs by final status."""
        previous = self._install_signals()
        try:
            if once and self.use_ticker:
                self._tick_once()
            self.start(once=once)
            self._wait()
        finally:
            self._restore_signals(previous)
        if self.failure is not None:
            raise self.failure
        return self.counts

    def start(self, *, once: bool = False) -> EmbeddedWorker:
        kinds = self.kinds if self.kinds is not None else registry.kinds()
        if not once:  # a run that ends when nothing is due keeps no one waiting for it
            interval = self.queue.job_settings.heartbeat_seconds
            self._pulse = Pulse(self.queue.db, self.identity, self.role, interval).start()
        if self.use_ticker and not once:
            Ticker(self.queue, f"{self.identity}:ticker").start(self._ticker_stop)
        for index in range(self.concurrency):
            thread = threading.Thread(
                target=self._loop, args=(index, kinds, once), name=f"headwater-worker-{index}", daemon=True
            )
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        if self.stopping.is_set():
            self._force.set()
            return
        self.stopping.set()
        self._ticker_stop.set()

    def shutdown(self) -> None:
        """Stop and wait (for embedding in another service)."""
        self.stop()
        self._wait()

    @property
    def idle(self) -> bool:
        """Every job thread has ended: with `once`, nothing this worker may claim is due now."""
        return not any(thread.is_alive() for thread in self._threads)

    def join(self, timeout: float) -> None:
        """Wait for the job threads themselves to end (a released job's thread may still be running)."""
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def _wait(self) -> None:
        deadline: float | None = None
        while any(thread.is_alive() for thread in self._threads):
            if self.stopping.is_set() and deadline is None:
                deadline = time.monotonic() + self.queue.job_settings.shutdown_grace_seconds
                with self._lock:
                    running = len(self._current)
                if running:
                    log.warning(
                        "stopping: waiting up to %.0f s for %d running job(s); signal again to stop now",
                        self.queue.job_settings.shutdown_grace_seconds,
                        running,
                    )
            if deadline is not None and (self._force.is_set() or time.monotonic() > deadline):
                self._release_running()
                break
            time.sleep(0.05)
        self._ticker_stop.set()
        if self._pulse is not None:
            self._pulse.stop()
            self._pulse = None

    def _release_running(self) -> None:
        with self._lock:
            running = dict(self._current)
        for index, job_id in running.items():
            owner = f"{self.identity}:{index}"
            try:
                claims.release(self.queue.db, job_id, owner, "the worker stopped before the job finished")
                log.warning("released job %s unfinished", job_id)
            except Exception as exc:
                log.warning("could not release job %s (%s); its lease will run out", job_id, describe(exc))

    def _tick_once(self) -> None:
        ticker = Ticker(self.queue, f"{self.identity}:ticker")
        try:
            ticker.tick()
        except Exception as exc:
            log.warning("ticker: could not tick (%s)", describe(exc))
        finally:
            ticker.release()

    def _loop(self, index: int, kinds: list[str], once: bool) -> None:
        owner = f"{self.identity}:{index}"
        settings = self.queue.job_settings
        failures = 0
        while not self.stopping.is_set():
            try:
                job = claims.claim_next(self.queue.db, owner, settings.lease_seconds, kinds)
                failures = 0
            except Exception as exc:
                failures += 1
                if once and failures >= ONCE_STORE_TRIES:
                    self.failure = self.queue.db.unusable("claim jobs from", exc)
                    self.stop()
                    return
                log.warning("cannot claim jobs from the store (%s); trying again", describe(exc))
                self.stopping.wait(min(30.0, settings.poll_seconds * 2**failures))
                continue
            if job is None:
                if once:
                    return
                self.stopping.wait(settings.poll_seconds)
                continue
            with self._lock:
                self._current[index] = job.id
            try:
                status = runner.execute(self.queue, job, owner, self.stopping)
            finally:
                with self._lock:
                    self._current.pop(index, None)
            self.counts[status] += 1

    def _install_signals(self) -> dict[int, Any]:
        if threading.current_thread() is not threading.main_thread():
            return {}
        previous: dict[int, Any] = {}
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous[signum] = signal.signal(signum, self._on_signal)
        return previous

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        log.warning("received %s", signal.Signals(signum).name)
        self.stop()

    @staticmethod
    def _restore_signals(previous: dict[int, Any]) -> None:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
