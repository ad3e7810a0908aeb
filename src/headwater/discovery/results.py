"""Scan results in the store: the latest scan per connection, which become its known data types.

Only the newest scan of a connection is kept (a new one replaces it, its preview samples included);
the audit trail keeps the history of when scans ran and what they found, never any value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from headwater.discovery.models import DiscoveryFieldRow, DiscoveryScanRow
from headwater.errors import NotFound
from headwater.store import Database
from headwater.store.models import ConnectionRow

if TYPE_CHECKING:
    from headwater.discovery.scan import ScanOptions, ScanReport


@dataclass(frozen=True)
class StoredScan:
    connection: str
    source: str
    events_scanned: int
    finished_at: datetime
    fields: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        """The same shape as `discover scan --json`, plus which connection and when."""
        return {
            "connection": self.connection,
            "scanned_at": self.finished_at.isoformat(),
            "source": self.source,
            "events_scanned": self.events_scanned,
            "fields": self.fields,
        }

    def data_types(self) -> list[str]:
        return sorted({finding["type"] for field in self.fields for finding in field["types"]})


def connection_row(session: Session, name: str) -> ConnectionRow:
    row = session.scalars(select(ConnectionRow).where(ConnectionRow.name == name)).first()
    if row is None:
        raise NotFound(f"No connection named {name!r}.", hint="See `headwater connections list`.")
    return row


def save(
    session: Session,
    connection: ConnectionRow,
    report: ScanReport,
    options: ScanOptions,
    *,
    started_at: datetime,
    finished_at: datetime,
) -> DiscoveryScanRow:
    """Replace the connection's previous scan with this one (in the caller's transaction)."""
    session.execute(delete(DiscoveryScanRow).where(DiscoveryScanRow.connection_id == connection.id))
    scan = DiscoveryScanRow(
        connection_id=connection.id,
        source=report.source[:1000],
        events_scanned=report.events_scanned,
        sample_size=options.sample,
        threshold=options.threshold,
        since=options.since,
        data_types=report.data_types(),
        started_at=started_at,
        finished_at=finished_at,
    )
    session.add(scan)
    session.flush()
    session.add_all(
        DiscoveryFieldRow(
            scan_id=scan.id,
            path=result.path[:1000],
            values_sampled=result.values_sampled,
            types=[finding.as_dict() for finding in result.types],
        )
        for result in report.fields
    )
    return scan


def latest(session: Session, name: str) -> StoredScan | None:
    connection = connection_row(session, name)
    scan = session.scalars(
        select(DiscoveryScanRow)
        .where(DiscoveryScanRow.connection_id == connection.id)
        .order_by(DiscoveryScanRow.id.desc())
        .limit(1)
    ).first()
    if scan is None:
        return None
    rows = session.scalars(
        select(DiscoveryFieldRow).where(DiscoveryFieldRow.scan_id == scan.id).order_by(DiscoveryFieldRow.path)
    )
    fields = [{"path": r.path, "values_sampled": r.values_sampled, "types": list(r.types)} for r in rows]
    return StoredScan(name, scan.source, scan.events_scanned, scan.finished_at, fields)


def known_data_types(session_or_db: Session | Database, connection_name: str) -> list[str]:
    """The personal-data types the latest scan found in a connection's data; [] if never scanned.

    For `connections show` and the access package's summary. An unknown connection is `NotFound`.
    """
    if isinstance(session_or_db, Database):
        with session_or_db.session() as session:
            return known_data_types(session, connection_name)
    connection = connection_row(session_or_db, connection_name)
    found = session_or_db.scalars(
        select(DiscoveryScanRow.data_types)
        .where(DiscoveryScanRow.connection_id == connection.id)
        .order_by(DiscoveryScanRow.id.desc())
        .limit(1)
    ).first()
    return sorted(found or [])
