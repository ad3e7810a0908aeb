"""Preview mode: a few sample values per finding, encrypted with the vault's key, gone after 7 days.

Off by default, switched on per connection before a scan. Samples are the matched text only (the email
inside a note, not the whole note), at most five per field and type, each a Fernet token under the
vault's keyring with an expiry seven days after it was taken; `purge` deletes them once expired, and
`show` never returns one past its expiry even before the purge has run. `headwater keys rotate`
re-encrypts them with the credentials (the column is listed in `headwater.encrypted`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from pydantic import SecretStr
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from headwater.discovery.models import DiscoveryPreferenceRow, DiscoveryScanRow, PreviewSampleRow
from headwater.discovery.results import connection_row
from headwater.store.models import utcnow

if TYPE_CHECKING:
    from headwater.discovery.scan import ScanReport
    from headwater.vault import Vault

RETENTION = timedelta(days=7)
MAX_SAMPLES = 5
Clock = Callable[[], datetime]
_TOKEN = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class PreviewSample:
    path: str
    type: str
    value: SecretStr
    taken_at: datetime
    expires_at: datetime

    def shown(self, reveal: bool) -> str:
        return self.value.get_secret_value() if reveal else mask_value(self.value.get_secret_value())


def mask_value(text: str) -> str:
    """Keep the shape (punctuation, first letter of each word, last two digits of a number), hide the rest."""
    digits = [index for index, char in enumerate(text) if char.isdigit()]
    keep = set(digits[-2:]) if len(digits) >= 6 else set()
    keep.update(match.start() for match in _TOKEN.finditer(text))
    return "".join(char if index in keep or not char.isalnum() else "•" for index, char in enumerate(text))


def is_enabled(session: Session, connection_id: int) -> bool:
    row = session.get(DiscoveryPreferenceRow, connection_id)
    return bool(row and row.preview_enabled)


def set_enabled(session: Session, name: str, enabled: bool) -> int:
    """Switch Preview mode; switching it off deletes the connection's samples at once (their count)."""
    connection = connection_row(session, name)
    row = session.get(DiscoveryPreferenceRow, connection.id)
    if row is None:
        session.add(DiscoveryPreferenceRow(connection_id=connection.id, preview_enabled=enabled))
    else:
        row.preview_enabled = enabled
        row.updated_at = utcnow()
    if enabled:
        return 0
    result = session.execute(
        delete(PreviewSampleRow)
        .where(PreviewSampleRow.connection_id == connection.id)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def store_samples(
    session: Session, vault: Vault, scan: DiscoveryScanRow, report: ScanReport, now: datetime
) -> int:
    """Encrypt and keep the examples the scan collected (it collects them only in Preview mode)."""
    now = now.astimezone(UTC)
    rows = [
        PreviewSampleRow(
            scan_id=scan.id,
            connection_id=scan.connection_id,
            path=result.path[:1000],
            pii_type=finding.type,
            ciphertext=vault.encrypt(example),
            taken_at=now,
            expires_at=now + RETENTION,
        )
        for result in report.fields
        for finding in result.types
        for example in finding.examples[:MAX_SAMPLES]
    ]
    session.add_all(rows)
    return len(rows)


def samples(session: Session, vault: Vault, name: str, path: str, now: datetime) -> list[PreviewSample]:
    """The unexpired samples of one field, decrypted (as SecretStr)."""
    now = now.astimezone(UTC)
    connection = connection_row(session, name)
    rows = session.scalars(
        select(PreviewSampleRow)
        .where(PreviewSampleRow.connection_id == connection.id, PreviewSampleRow.path == path)
        .order_by(PreviewSampleRow.pii_type, PreviewSampleRow.id)
    )
    return [
        PreviewSample(row.path, row.pii_type, vault.decrypt(row.ciphertext), row.taken_at, row.expires_at)
        for row in rows
        if _aware(row.expires_at) > now
    ]


def counts(session: Session, name: str, now: datetime) -> dict[str, int]:
    """Unexpired samples per field path."""
    now = now.astimezone(UTC)
    connection = connection_row(session, name)
    rows = session.execute(
        select(PreviewSampleRow.path, func.count())
        .where(PreviewSampleRow.connection_id == connection.id, PreviewSampleRow.expires_at > now)
        .group_by(PreviewSampleRow.path)
        .order_by(PreviewSampleRow.path)
    )
    return {str(path): int(count) for path, count in rows}


def _aware(moment: datetime) -> datetime:
    """SQLite hands datetimes back without their UTC offset (they are stored in UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
