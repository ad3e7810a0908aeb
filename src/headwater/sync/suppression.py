"""Suppression: the people no sync may load while their deletion is pending (and for a while after, since
bundles produced before the deletion may still hold them), kept as keyed hashes only.

Each entry is HMAC-SHA256("field:value") under a random key stored in the vault, so the list does not
name anyone: a value can only be checked against it by someone holding the key. Emails are lower-cased
first; every other value is compared exactly.

At load time the batch is staged in a DuckDB table and `LoadFilter.drop` deletes the suppressed rows
there, before they reach the replica: the distinct values of the person columns are hashed in DuckDB
(its `sha256`, composed into HMAC), matched against the digests in a temporary table, and every row
naming a match, or sharing its link value (the person's anonymous rows), goes. No row passes through
Python. With nothing suppressed for the connection, the filter does nothing at all.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from headwater.store import Database
from headwater.store.models import utcnow
from headwater.sync.replica_models import SuppressionKeyRow, SuppressionRow
from headwater.sync.source import PersonColumns
from headwater.sync.target import quote
from headwater.vault import Vault

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

KEY_NAME = "suppression"
BLOCK = 64  # SHA-256's block size, for HMAC's pads
HITS = "_headwater_suppressed_hits"
DIGESTS = "_headwater_suppressed"
KEY_TABLE = "_headwater_suppression_key"


def load_key(db: Database, vault: Vault) -> bytes:
    """The key digests are made with: created once (the first process to store it wins), then read."""
    with db.session() as session:
        row = session.get(SuppressionKeyRow, KEY_NAME)
        if row is not None:
            return bytes.fromhex(vault.get(session, row.secret_ref).get_secret_value())
    try:
        with db.session() as session:
            ref = vault.put(session, secrets.token_hex(32))
            session.flush()
            session.add(SuppressionKeyRow(name=KEY_NAME, secret_ref=ref))
    except IntegrityError:
        pass  # another process stored one first: use theirs
    with db.session() as session:
        row = session.get(SuppressionKeyRow, KEY_NAME)
        assert row is not None
        return bytes.fromhex(vault.get(session, row.secret_ref).get_secret_value())


def normalise(field: str, value: str) -> str:
    return value.strip().lower() if field == "email" else value


def digest(key: bytes, field: str, value: str) -> str:
    return hmac.new(key, f"{field}:{normalise(field, value)}".encode(), hashlib.sha256).hexdigest()


def suppress(
    session: Session, key: bytes, *, connection: str, request: str, values: Mapping[str, Iterable[str]]
) -> int:
    """Add the values' digests for `connection` on behalf of `request` (a ticket id), open-ended until
    `end` is called; values already there are left as they are. Returns how many were new."""
    rows = [
        {
            "connection": connection,
            "field": field,
            "digest": digest(key, field, value),
            "request": request,
            "until": None,
            "created_at": utcnow(),
        }
        for field, given in sorted(values.items())
        for value in sorted({v for v in given if v})
    ]
    if not rows:
        return 0
    module: Any = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        module.insert(SuppressionRow.__table__)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["connection", "field", "digest", "request"])
        .returning(SuppressionRow.__table__.c.id)
    )
    return len(session.execute(statement).all())


def end(session: Session, *, request: str, connection: str | None, until: datetime) -> int:
    """Set when the open-ended entries of `request` (in one connection, or all) stop suppressing."""
    query = update(SuppressionRow).where(SuppressionRow.request == request, SuppressionRow.until.is_(None))
    if connection is not None:
        query = query.where(SuppressionRow.connection == connection)
    result = session.execute(query.values(until=until).execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def open_requests(session: Session) -> list[tuple[str, str]]:
    """(request, connection) pairs whose suppression has no end yet."""
    query = select(SuppressionRow.request, SuppressionRow.connection).where(SuppressionRow.until.is_(None))
    return sorted(set(session.execute(query.distinct()).tuples()))


def purge_expired(session: Session, now: datetime) -> int:
    """Forget the entries whose time is over; returns how many went."""
    result = session.execute(
        delete(SuppressionRow)
        .where(SuppressionRow.until.is_not(None), SuppressionRow.until <= now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def active(db: Database, connection: str, at: datetime | None = None) -> frozenset[str]:
    """The digests a sync of `connection` drops now."""
    moment = at or utcnow()
    with db.session() as session:
        query = select(SuppressionRow.digest).where(
            SuppressionRow.connection == connection,
            or_(SuppressionRow.until.is_(None), SuppressionRow.until > moment),
        )
        return frozenset(session.scalars(query.distinct()))


@dataclass
class LoadFilter:
    """What a destination applies to each batch before loading it (see the module docstring)."""

    key: bytes
    digests: frozenset[str]
    person: PersonColumns
    dropped: int = 0  # rows dropped by the latest `drop`

    @classmethod
    def for_connection(cls, db: Database, vault: Vault, connection: str, person: PersonColumns) -> LoadFilter:
        digests = active(db, connection)
        key = load_key(db, vault) if digests else b""
        return cls(key, digests, person)

    @property
    def empty(self) -> bool:
        return not self.digests

    def drop(self, duck: DuckDBPyConnection, table: str) -> int:
        """Delete the suppressed rows of DuckDB table `table` (in `duck`'s transaction, `install`ed
        before); how many went."""
        self.dropped = 0
        if self.empty:
            return 0
        columns = {str(row[0]).lower(): str(row[0]) for row in duck.execute(f"DESCRIBE {table}").fetchall()}
        selects = []
        for field, held in sorted(self.person.holds.items()):
            for column in held:
                name = columns.get(column.lower())
                if name is not None:
                    selects.append(
                        f"SELECT DISTINCT {_sql(field)} AS field, {_value(field, name)} AS v "
                        f"FROM {table} WHERE {quote(name)} IS NOT NULL"
                    )
        if not selects:
            return 0
        duck.execute(
            f"CREATE OR REPLACE TEMP TABLE {HITS} AS SELECT d.field, d.v FROM ({' UNION '.join(selects)}) d, "
            f"{KEY_TABLE} k WHERE sha256(k.opad || unhex(sha256(k.ipad || encode(d.field || ':' || d.v)))) "
            f"IN (SELECT digest FROM {DIGESTS})"
        )
        found = duck.execute(f"SELECT count(*) FROM {HITS}").fetchone()
        if not found or not found[0]:
            return 0
        matched = " OR ".join(
            f"{_value(field, columns[column.lower()])} IN (SELECT v FROM {HITS} WHERE field = {_sql(field)})"
            for field, held in sorted(self.person.holds.items())
            for column in held
            if column.lower() in columns
        )
        where = matched
        link = next(
            (
                columns[c.lower()]
                for c in self.person.holds.get(self.person.link or "", ())
                if c.lower() in columns
            ),
            None,
        )
        if link is not None:
            where = (
                f"{matched} OR {quote(link)} IN (SELECT {quote(link)} FROM {table} WHERE ({matched}) "
                f"AND {quote(link)} IS NOT NULL)"
            )
        gone = duck.execute(f"DELETE FROM {table} WHERE {where}").fetchone()
        duck.execute(f"DROP TABLE IF EXISTS {HITS}")
        self.dropped = int(gone[0]) if gone else 0
        return self.dropped

    def install(self, duck: DuckDBPyConnection) -> None:
        """Give a destination's DuckDB connection the key's pads and the digests, as temporary tables,
        once and outside any transaction (passed as parameters, never as SQL text: a DuckDB error
        message may quote its statement)."""
        if self.empty:
            return
        padded = self.key.ljust(BLOCK, b"\0")
        ipad, opad = bytes(b ^ 0x36 for b in padded), bytes(b ^ 0x5C for b in padded)
        duck.execute(f"CREATE OR REPLACE TEMP TABLE {KEY_TABLE} (ipad BLOB, opad BLOB)")
        duck.execute(f"INSERT INTO {KEY_TABLE} VALUES (?, ?)", [ipad, opad])
        duck.execute(f"CREATE OR REPLACE TEMP TABLE {DIGESTS} (digest VARCHAR PRIMARY KEY)")
        duck.execute(f"INSERT INTO {DIGESTS} SELECT DISTINCT unnest(?::VARCHAR[])", [sorted(self.digests)])


def _sql(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _value(field: str, column: str) -> str:
    value = f"CAST({quote(column)} AS VARCHAR)"
    return f"lower(trim({value}))" if field == "email" else value
