"""The ticker: one process at a time (a store lease) fires periodic tasks and sweeps the job table.

Every worker runs a ticker thread; the lease decides which one acts. Sweeping means burying jobs whose
worker died on every attempt and, in Celery mode, sending again what the broker never got or lost: the
store, not the broker, decides what is done.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from headwater.jobs import claims, locks, recurring
from headwater.jobs.outcomes import describe
from headwater.jobs.queue import JobQueue
from headwater.store.models import utcnow

log = logging.getLogger(__name__)
LOCK_NAME = "ticker"


@dataclass
class TickReport:
    leader: bool
    fired: list[int] = field(default_factory=list)  # job ids submitted for periodic tasks
    buried: int = 0
    requeued: list[int] = field(default_factory=list)
    dispatched: list[int] = field(default_factory=list)


class Ticker:
    def __init__(self, queue: JobQueue, owner: str) -> None:
        self.queue = queue
        self.owner = owner
        seconds = queue.job_settings.tick_seconds
        self.ttl = max(3 * seconds, 2.0)

    def tick(self) -> TickReport:
        if not locks.acquire(self.queue.db, LOCK_NAME, self.owner, self.ttl):
            return TickReport(leader=False)
        report = TickReport(leader=True)
        report.fired = self._fire_due()
        report.buried = claims.bury_exhausted(self.queue.db)
        if self.queue.mode != "embedded":
            report.requeued = claims.requeue_expired(self.queue.db)
            report.dispatched = self.queue.dispatch(self.queue.due_undispatched())
        return report

    def _fire_due(self) -> list[int]:
        fired = []
        for entry in recurring.schedule():
            at = utcnow()
            with self.queue.db.session() as session:
                slot = recurring.due_slot(session, entry, at)
                if slot is None:
                    continue
                key = f"tick:{entry.name}:{slot.isoformat()}"
                job = self.queue.enqueue(session, entry.kind, entry.payload, dedupe_key=key)
                fired.append(job.id)
        return fired

    def run(self, stop: threading.Event) -> None:
        """Tick until `stop` is set, then hand the lease on at once."""
        while True:
            try:
                report = self.tick()
                if report.fired or report.buried or report.requeued or report.dispatched:
                    log.info("ticker: %s", report)
            except Exception as exc:
                log.warning("ticker: could not tick (%s); trying again", describe(exc))
            if stop.wait(self.queue.job_settings.tick_seconds):
                break
        self.release()

    def release(self) -> None:
        """Hand the lease on now, so another process's ticker need not wait for it to expire."""
        try:
            locks.release(self.queue.db, LOCK_NAME, self.owner)
        except Exception as exc:
            log.warning("ticker: could not release its lease (%s); it expires by itself", describe(exc))

    def start(self, stop: threading.Event) -> threading.Thread:
        thread = threading.Thread(target=self.run, args=(stop,), name="headwater-ticker", daemon=True)
        thread.start()
        return thread
