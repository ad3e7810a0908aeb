"""One sync run: extract a connection's events and load them, batch by batch, into its destination.

The source is the one the connection's provider declares (`ProviderSpec.events`, see `sync.source`).
It downloads a step ahead in its own thread while the destination loads; each batch and its bookmark
commit together, so a run that dies anywhere resumes exactly where the last commit left off. The
loading report and the extraction log go to the store as the run goes, and the run keeps a lease on its
report while it works (see `history`): a run stopped on purpose (Ctrl-C, `Terminated`, a worker handing
its job back) is recorded `interrupted` on the way out, and one killed outright is found by its lease.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

import httpx

from headwater.config import Settings
from headwater.connections import Connections, on_behalf_of
from headwater.connectors.registry import get_provider
from headwater.errors import HeadwaterError
from headwater.http import CallRecord
from headwater.jobs.settings import load_job_settings
from headwater.private_files import private_folder
from headwater.store import Database
from headwater.sync import leftovers, replicas
from headwater.sync.batches import Batch, Scratch, combine, prefetch
from headwater.sync.destinations import Destinations
from headwater.sync.history import RunLog
from headwater.sync.models import INTERRUPTED
from headwater.sync.providers import event_export
from headwater.sync.source import EventSource
from headwater.sync.suppression import LoadFilter
from headwater.sync.target import Target
from headwater.vault import Vault, load_keyring

DEFAULT_HISTORY = timedelta(days=365)  # as far back as a first run reaches without --start-date


class Terminated(BaseException):
    """The process was asked to stop (SIGTERM): raised by the CLI's handler so the run is recorded
    `interrupted` before the process exits. A BaseException, like KeyboardInterrupt, so that nothing
    on the way takes it for an error to handle."""


@dataclass(frozen=True)
class SyncRequest:
    """`to` is a URL given at the shell; `destination` the name of one an admin defined; neither: the
    default DuckDB file in the home."""

    connection: str
    to: str | None = None
    destination: str | None = None
    start_date: date | None = None
    full_refresh: bool = False


@dataclass(frozen=True)
class SyncProgress:
    rows: int
    batches: int
    unit: str
    last: str
    elapsed: float


class Destination(Protocol):
    def bookmark(self, stream: str) -> str | None: ...
    def reset(self, stream: str) -> None: ...
    def load(self, batch: Batch, stream: str, json_columns: frozenset[str]) -> int: ...
    def row_counts(self) -> dict[str, int]: ...
    def close(self) -> None: ...


class Fanout:
    """An observer that forwards each call record to observers attached later."""

    def __init__(self) -> None:
        self.targets: list[Callable[[CallRecord], None]] = []

    def __call__(self, record: CallRecord) -> None:
        for target in self.targets:
            target(record)


def open_destination(
    target: Target, scratch: Scratch, memory_limit: str, suppression: LoadFilter | None = None
) -> Destination:
    if target.kind == "postgresql":
        from headwater.sync.postgres_dest import PostgresDestination

        return PostgresDestination(target, scratch.root, memory_limit=memory_limit, suppression=suppression)
    from headwater.sync.duckdb_dest import DuckDBDestination

    return DuckDBDestination(target, memory_limit=memory_limit, suppression=suppression)


def run_sync(
    settings: Settings,
    request: SyncRequest,
    *,
    db: Database | None = None,
    vault: Vault | None = None,
    transport: httpx.BaseTransport | None = None,
    progress: Callable[[SyncProgress], None] | None = None,
    now: Callable[[], datetime] | None = None,
    check_stop: Callable[[], None] | None = None,
    lease_seconds: float | None = None,
) -> dict[str, Any]:
    """Run one sync and return its loading report (also stored: `sync history`).

    The destination is recorded as a replica of the connection before anything is loaded, and rows of
    people whose deletion is pending are dropped from every batch (`sync.suppression`).
    `lease_seconds`: how long the run's report stays `running` without being renewed (default
    HEADWATER_JOBS_LEASE_SECONDS, the same patience as for a job's worker)."""
    db = db or Database.open(settings)
    lease = lease_seconds if lease_seconds is not None else load_job_settings().lease_seconds
    vault = vault or Vault(load_keyring(settings))
    connections = Connections(db, vault)
    summary = connections.get(request.connection)
    target = Destinations(db, connections.vault).resolve(
        request.to, request.destination, home=settings.home, connection=summary.name
    )
    start = datetime.combine(
        request.start_date or (datetime.now(UTC) - DEFAULT_HISTORY).date(), datetime.min.time(), UTC
    )
    info = connections.usable_info(summary.name)
    export, spec = event_export(info.kind, summary.name), get_provider(info.kind)
    fanout = Fanout()
    scratch_root = private_folder(settings.home / "sync") / "tmp"  # raw events: owner only
    leftovers.sweep(private_folder(scratch_root))  # raw events a killed run left behind
    scratch_dir = leftovers.scratch_folder(scratch_root)
    with (
        Scratch(scratch_dir) as scratch,
        closing(spec.client(info, transport=on_behalf_of(info, transport), observers=[fanout])) as client,
        replicas.loading(target),  # before the suppression list is read: see `replicas`
    ):
        source = export.source(client, now=now)
        suppression = LoadFilter.for_connection(db, vault, summary.name, export.person)
        destination = open_destination(target, scratch, settings.sync_memory, suppression)
        try:
            replicas.record(db, vault, connection=summary.name, kind=summary.kind, target=target)
            log = RunLog.start(
                db,
                connection=summary.name,
                kind=summary.kind,
                destination=target.display(),
                full_refresh=request.full_refresh,
                lease_seconds=lease,
            )
            fanout.targets += [log.observe, source.observe]
            with log.keep_alive():
                return _run(
                    source,
                    export.unit,
                    destination,
                    log,
                    scratch,
                    suppression,
                    request,
                    start,
                    progress,
                    check_stop,
                )
        finally:
            destination.close()


def _run(
    source: EventSource,
    unit: str,
    destination: Destination,
    log: RunLog,
    scratch: Scratch,
    suppression: LoadFilter,
    request: SyncRequest,
    start: datetime,
    progress: Callable[[SyncProgress], None] | None,
    check_stop: Callable[[], None] | None,
) -> dict[str, Any]:
    before = after = None
    began = time.monotonic()
    try:
        if request.full_refresh:
            destination.reset(source.stream)
        before = after = destination.bookmark(source.stream)
        since = source.resume_from(before, start)
        groups = prefetch(source.batches(since, scratch))
        with closing(groups):
            for group in groups:
                batch, loading = combine(group), time.monotonic()
                suppression.dropped = 0
                try:
                    rows = destination.load(batch, source.stream, source.json_columns)
                finally:
                    batch.discard()
                after = batch.bookmark
                took = time.monotonic() - loading
                log.batch_loaded(
                    batch.key,
                    rows,
                    batch.size_bytes,
                    took,
                    source.stream,
                    count=len(group),
                    suppressed=suppression.dropped,
                )
                if progress is not None:
                    progress(SyncProgress(log.rows, log.batches, unit, batch.key, time.monotonic() - began))
                if check_stop is not None:
                    check_stop()
    except HeadwaterError as exc:
        log.fail(str(exc), before=before, after=after)
        raise
    except BaseException as exc:
        stopped = isinstance(exc, KeyboardInterrupt | Terminated) or _is_interruption(exc)
        text = f"Stopped: {exc}" if isinstance(exc, Terminated) else f"{type(exc).__name__}: {exc}"
        log.fail(text, before=before, after=after, status=INTERRUPTED if stopped else "failed")
        raise
    return log.finish(before=before, after=after, totals=destination.row_counts())


def _is_interruption(exc: BaseException) -> bool:
    return type(exc).__name__ == "Interrupted"
