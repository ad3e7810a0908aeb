"""The discovery service behind the CLI, the jobs and the demo: scan, store, preview, purge.

A connection scan reads what `headwater sync` replicated; with files it reads exported files instead.
Either way the findings replace the connection's previous scan, and sample values are kept only when
Preview mode was switched on before the scan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from headwater.config import Settings
from headwater.discovery import preview, replica
from headwater.discovery.file_scan import scan_files
from headwater.discovery.results import connection_row, save
from headwater.discovery.scan import ScanOptions, ScanReport
from headwater.discovery.table_scan import scan_table
from headwater.errors import BadInput
from headwater.store import Database, audit
from headwater.store.models import utcnow
from headwater.vault import Vault

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class ScanOutcome:
    report: ScanReport
    connection: str | None
    preview_enabled: bool = False
    samples_stored: int = 0


def nothing_replicated(name: str) -> BadInput:
    return BadInput(
        f"Nothing has been replicated for connection {name!r} yet, so there is nothing to scan.",
        hint=f"Run `headwater sync {name}` first, or scan exported files with "
        "`headwater discover scan --file PATH`.",
    )


def scan_connection(
    db: Database,
    settings: Settings,
    vault: Callable[[], Vault],
    name: str,
    options: ScanOptions,
    *,
    actor: str,
    files: list[Path] | None = None,
    source_url: str | None = None,
    clock: Clock = utcnow,
) -> ScanOutcome:
    """Scan the connection's replicated events (or `files`) and store the findings for it."""
    started = clock()
    with db.session() as session:
        connection = connection_row(session, name)
        keep_samples = preview.is_enabled(session, connection.id)
    table = None if files else replica.locate(db, settings, name, source_url)
    chosen = replace(options, examples=preview.MAX_SAMPLES if keep_samples else 0)
    if files:
        report = scan_files(files, chosen)
    elif table is None:
        raise nothing_replicated(name)
    else:
        try:
            report = scan_table(table, chosen)
        except BadInput:
            raise nothing_replicated(name) from None
        if report.events_scanned == 0:
            raise nothing_replicated(name)
    finished = clock()
    with db.session() as session:
        connection = connection_row(session, name)
        scan = save(session, connection, report, chosen, started_at=started, finished_at=finished)
        stored = preview.store_samples(session, vault(), scan, report, finished) if keep_samples else 0
        audit.record(
            session,
            actor=actor,
            action="discovery.scanned",
            subject_type="connection",
            subject_id=name,
            details={
                "events_scanned": report.events_scanned,
                "fields": len(report.fields),
                "data_types": report.data_types(),
                "preview_samples": stored,
            },
            message=f"Scanned {report.events_scanned} events for personal data.",
        )
    return ScanOutcome(report, name, keep_samples, stored)


def scan_exported_files(files: list[Path], options: ScanOptions) -> ScanOutcome:
    """A scan of files alone: printed, never stored, no samples."""
    return ScanOutcome(scan_files(files, replace(options, examples=0)), None)


def set_preview(db: Database, name: str, enabled: bool, *, actor: str) -> int:
    with db.session() as session:
        deleted = preview.set_enabled(session, name, enabled)
        word = "enabled" if enabled else "disabled"
        audit.record(
            session,
            actor=actor,
            action=f"discovery.preview_{word}",
            subject_type="connection",
            subject_id=name,
            details={"samples_deleted": deleted},
            message=f"Preview mode {word}.",
        )
        return deleted


def preview_enabled(db: Database, name: str) -> bool:
    with db.session() as session:
        return preview.is_enabled(session, connection_row(session, name).id)
