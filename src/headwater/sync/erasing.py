"""Erasing and counting one person's rows in a replica: the only SQL that reaches into a replica for
privacy, the same on DuckDB and PostgreSQL.

A person is given as identity values by field (`PersonColumns` says which columns hold which field). A
row matches when one of its columns holds one of the person's values; then every row sharing a matched
row's link value (FullStory's user id, Amplitude's amplitude_id) goes too, since those are the same
person's anonymous rows. The link values found are handed to `on_linked` before anything is deleted, so
that the caller can suppress them first.

A replica being loaded by a sync (`replicas.erasing`, DuckDB's file lock, the PostgreSQL advisory lock
the sync holds) is `ReplicaBusy`: the caller tries again once the load is over. A replica that cannot be
reached is `ReplicaUnreachable`, `temporary` when trying again may help (a database that is down).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from headwater.errors import Conflict, HeadwaterError
from headwater.sync.replicas import Replica, erasing
from headwater.sync.source import PersonColumns
from headwater.sync.target import Target, quote

STREAM = "events"
SYNC_LOCK = "headwater.sync:{schema}"  # the advisory lock a PostgreSQL sync holds (`postgres_dest`)
Values = Mapping[str, frozenset[str]]
OnLinked = Callable[[dict[str, frozenset[str]]], None]


class ReplicaBusy(Conflict):
    """A sync is loading the replica right now."""

    code = "replica_busy"


class ReplicaUnreachable(HeadwaterError):
    """The replica cannot be opened: a file moved or deleted, a database down or refusing us."""

    code = "replica_unreachable"

    def __init__(self, message: str, *, hint: str = "", temporary: bool = False) -> None:
        super().__init__(message, hint=hint)
        self.temporary = temporary


@dataclass(frozen=True)
class Erased:
    rows: int
    linked: dict[str, frozenset[str]]


class _Cursor(Protocol):
    def fetch(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]: ...
    def delete(self, sql: str, params: Sequence[Any]) -> int: ...


def erase(
    replica: Replica, person: PersonColumns, values: Values, on_linked: OnLinked | None = None
) -> Erased:
    """Delete the person's rows from the replica's events table in one transaction."""
    with erasing(replica.target) as free:
        if not free:
            raise ReplicaBusy(f"A sync is loading {replica.display}.")
        with _open(replica.target) as (cursor, table, text):
            found = _columns(cursor, replica.target)
            match, params = _match(person, values, found, text)
            if not match:
                return Erased(0, {})
            linked: dict[str, frozenset[str]] = {}
            link_column = _link_column(person, found)
            if link_column is not None and person.link is not None:
                rows = cursor.fetch(
                    f"SELECT DISTINCT CAST({link_column} AS {text}) FROM {table} "
                    f"WHERE ({match}) AND {link_column} IS NOT NULL",
                    params,
                )
                extra = frozenset(str(row[0]) for row in rows) - values.get(person.link, frozenset())
                if extra:
                    linked[person.link] = extra
            if on_linked is not None:
                on_linked(linked)
            where, where_params = match, list(params)
            if linked and link_column is not None:
                marks = ", ".join("?" for _ in linked[str(person.link)])
                where = f"({match}) OR CAST({link_column} AS {text}) IN ({marks})"
                where_params += sorted(linked[str(person.link)])
            return Erased(cursor.delete(f"DELETE FROM {table} WHERE {where}", where_params), linked)


def count(replica: Replica, person: PersonColumns, values: Values) -> int:
    """How many rows of the replica's events table name the person (link values included)."""
    with _open(replica.target) as (cursor, table, text):
        found = _columns(cursor, replica.target)
        match, params = _match(person, values, found, text)
        if not match:
            return 0
        link_column = _link_column(person, found)
        if link_column is not None:
            match = (
                f"({match}) OR {link_column} IN (SELECT {link_column} FROM {table} WHERE ({match}) "
                f"AND {link_column} IS NOT NULL)"
            )
            params = [*params, *params]
        rows = cursor.fetch(f"SELECT count(*) FROM {table} WHERE {match}", params)
        return int(rows[0][0]) if rows else 0


def _match(
    person: PersonColumns, values: Values, found: Mapping[str, str], text: str
) -> tuple[str, list[str]]:
    """`col IN (...) OR ...` over the columns present; an email is compared lower-cased."""
    parts: list[str] = []
    params: list[str] = []
    for field, wanted in sorted(values.items()):
        if not wanted:
            continue
        for column in person.holds.get(field, ()):
            name = found.get(column.lower())
            if name is None:
                continue
            given = sorted({v.lower() for v in wanted} if field == "email" else wanted)
            value = f"CAST({quote(name)} AS {text})"
            if field == "email":
                value = f"lower({value})"
            parts.append(f"{value} IN ({', '.join('?' for _ in given)})")
            params += given
    return " OR ".join(parts), params


def _link_column(person: PersonColumns, found: Mapping[str, str]) -> str | None:
    for column in person.holds.get(person.link or "", ()):
        if column.lower() in found:
            return quote(found[column.lower()])
    return None


def _columns(cursor: _Cursor, target: Target) -> dict[str, str]:
    rows = cursor.fetch(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
        [target.schema, STREAM],
    )
    return {str(row[0]).lower(): str(row[0]) for row in rows}


@contextlib.contextmanager
def _open(target: Target) -> Iterator[tuple[_Cursor, str, str]]:
    """(cursor, the events table's qualified name, the SQL name of the text type), in a transaction
    that commits when the block ends."""
    if target.kind == "postgresql":
        with _postgres(target) as opened:
            yield opened
    else:
        with _duckdb(target) as opened:
            yield opened


class _DuckCursor:
    def __init__(self, con: Any) -> None:
        self.con = con

    def fetch(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        return list(self.con.execute(sql, list(params)).fetchall())

    def delete(self, sql: str, params: Sequence[Any]) -> int:
        row = self.con.execute(sql, list(params)).fetchone()
        return int(row[0]) if row else 0


@contextlib.contextmanager
def _duckdb(target: Target) -> Iterator[tuple[_Cursor, str, str]]:
    import duckdb

    from headwater import private_files
    from headwater.sync.duckdb_dest import connect, qualified_schema

    if not target.path.is_file():
        raise ReplicaUnreachable(
            f"The replica file {target.path} is gone.",
            hint="If it was moved, sync to its new place (the move is then recorded); if it was deleted "
            "on purpose, retry the ticket once nothing of it is left.",
        )
    with private_files.owner_only_umask():
        try:
            con = connect(target.path)
        except Conflict:
            raise ReplicaBusy(f"A sync is loading {target.display()}.") from None
        except duckdb.ConnectionException:  # open read-only in this process (a timeline, a scan)
            raise ReplicaBusy(f"{target.display()} is being read.") from None
        except duckdb.Error as exc:
            raise ReplicaUnreachable(f"Cannot open the replica {target.display()}: {exc}") from None
        try:
            con.execute("BEGIN")
            yield _DuckCursor(con), f"{qualified_schema(con, target.schema)}.{quote(STREAM)}", "VARCHAR"
            con.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            raise
        finally:
            con.close()


class _PgCursor:
    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def fetch(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        with self.conn.cursor() as cur:
            cur.execute(sql.replace("?", "%s"), list(params))
            return list(cur.fetchall())

    def delete(self, sql: str, params: Sequence[Any]) -> int:
        with self.conn.cursor() as cur:
            cur.execute(sql.replace("?", "%s"), list(params))
            return int(cur.rowcount or 0)


@contextlib.contextmanager
def _postgres(target: Target) -> Iterator[tuple[_Cursor, str, str]]:
    import psycopg

    try:
        conn = psycopg.connect(target.location, autocommit=False, connect_timeout=10)
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ReplicaUnreachable(
            f"Cannot connect to the replica {target.display()}: {reason}",
            hint="Check that the PostgreSQL server is running and still accepts this URL.",
            temporary=True,
        ) from None
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [SYNC_LOCK.format(schema=target.schema)])
            row = cur.fetchone()
        if not row or not row[0]:
            raise ReplicaBusy(f"A sync is loading {target.display()}.")
        try:
            yield _PgCursor(conn), f"{quote(target.schema)}.{quote(STREAM)}", "TEXT"
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        finally:
            with conn.cursor() as cur:
                cur.execute(
                    "SELECT pg_advisory_unlock(hashtext(%s))", [SYNC_LOCK.format(schema=target.schema)]
                )
            conn.commit()
    finally:
        conn.close()
