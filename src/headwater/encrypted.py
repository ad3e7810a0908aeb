"""Every column that holds Fernet tokens under the master key, named in one place.

Key rotation, the "no key file but encrypted data exists" check and the tests that prove nothing is left
under a retired key all walk this list. Tables are named as text (SQLAlchemy's lightweight `table()`), not
imported from the modules that own them, so the list is complete whichever modules a process has
imported. A test compares it with every binary column of a migrated store: a new encrypted column that is
not listed here fails that test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import Connection, TableClause, bindparam, column, exists, inspect, select, table, update

BATCH = 200  # rows read and rewritten at a time: bounded memory whatever the size of the tables


@dataclass(frozen=True)
class EncryptedColumn:
    """A column of Fernet tokens, and the primary key that addresses its rows."""

    table: str
    column: str
    key: str = "id"
    holds: str = ""  # what the values are, for messages and the reader

    @property
    def name(self) -> str:
        return f"{self.table}.{self.column}"

    def clause(self) -> TableClause:
        return table(self.table, column(self.key), column(self.column))


ENCRYPTED_COLUMNS: tuple[EncryptedColumn, ...] = (
    EncryptedColumn("secrets", "ciphertext", holds="credentials and the web service's own secrets"),
    EncryptedColumn("dsr_export_chunks", "ciphertext", holds="personal data collected for access packages"),
    EncryptedColumn("discovery_previews", "ciphertext", holds="Preview mode sample values"),
    EncryptedColumn("sync_replicas", "location", holds="where syncs wrote events (paths, database URLs)"),
)


def present(conn: Connection) -> list[EncryptedColumn]:
    """The registered columns whose table exists in this store (a partly migrated one may lack some)."""
    tables = set(inspect(conn).get_table_names())
    return [entry for entry in ENCRYPTED_COLUMNS if entry.table in tables]


def holders(conn: Connection) -> list[EncryptedColumn]:
    """The registered columns that hold at least one value."""
    found = []
    for entry in present(conn):
        if conn.execute(select(exists().select_from(entry.clause()))).scalar():
            found.append(entry)
    return found


def values(conn: Connection, entry: EncryptedColumn) -> Iterator[tuple[object, bytes]]:
    """Every (key, token) of one column, read in key order a batch at a time."""
    clause = entry.clause()
    key, value = clause.c[entry.key], clause.c[entry.column]
    last: object = None
    while True:
        query = select(key, value).order_by(key).limit(BATCH)
        if last is not None:
            query = query.where(key > last)
        rows = conn.execute(query).all()
        for row_key, token in rows:
            yield row_key, bytes(token)
        if len(rows) < BATCH:
            return
        last = rows[-1][0]


def rewrite(conn: Connection, entry: EncryptedColumn, change: Callable[[bytes], bytes | None]) -> int:
    """Replace each token for which `change` returns a new one; the number replaced.

    Runs inside the caller's transaction: the caller decides when (and whether) the rewrite commits.
    """
    clause = entry.clause()
    statement = (
        update(clause)
        .where(clause.c[entry.key] == bindparam("row_key"))
        .values({entry.column: bindparam("token")})
    )
    pending: list[dict[str, object]] = []
    changed = 0
    for row_key, token in values(conn, entry):
        replacement = change(token)
        if replacement is not None:
            pending.append({"row_key": row_key, "token": replacement})
        if len(pending) >= BATCH:
            conn.execute(statement, pending)
            changed += len(pending)
            pending = []
    if pending:
        conn.execute(statement, pending)
        changed += len(pending)
    return changed
