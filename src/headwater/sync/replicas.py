"""Headwater's own copies of a connection's events: every DuckDB file and PostgreSQL schema a sync has
loaded, recorded when the sync starts loading, so that a delete request can reach each of them.

This module and `erasing` are the seam privacy uses (`privacy.erasure`): it lists a connection's
replicas, and erases or counts a person's rows in one, without knowing any SQL of its own. A replica's
location is kept encrypted, since a PostgreSQL URL may hold a password; `display` is the masked form.

`writing` marks a replica as being loaded by a sync of this process, beside the locks the databases
themselves hold (DuckDB's file lock across processes, a PostgreSQL advisory lock): an erase waits for
a load in progress to end, so a batch read before a person was suppressed cannot land after their
rows were erased.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal, cast

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from headwater.errors import NotFound
from headwater.store import Database
from headwater.store.models import utcnow
from headwater.sync.replica_models import ReplicaRow
from headwater.sync.target import Target
from headwater.vault import Vault

_busy = threading.Lock()
_loading: Counter[str] = Counter()
_erasing: set[str] = set()


@dataclass(frozen=True)
class Replica:
    id: int
    connection: str
    kind: str  # the connection's provider kind
    target: Target

    @property
    def display(self) -> str:
        """Safe to print and store: `duckdb:///...` or a URL with its password masked."""
        return self.target.display()

    def __str__(self) -> str:
        return f"replica {self.connection} → {self.display}"


def record(db: Database, vault: Vault, *, connection: str, kind: str, target: Target) -> Replica:
    """Remember that a sync loads `connection`'s events into `target` (once per place; the location is
    refreshed, since a URL's password may have changed)."""
    display = target.display()
    for _ in range(2):  # a second process may record the same place at the same moment
        try:
            with db.session() as session:
                row = session.scalars(
                    select(ReplicaRow).where(
                        ReplicaRow.connection == connection, ReplicaRow.display == display
                    )
                ).first()
                at = utcnow()
                if row is None:
                    row = ReplicaRow(
                        connection=connection,
                        kind=kind,
                        target_kind=target.kind,
                        schema=target.schema,
                        display=display,
                        location=vault.encrypt(target.location),
                        first_loaded_at=at,
                        last_loaded_at=at,
                    )
                    session.add(row)
                else:
                    row.kind, row.schema, row.last_loaded_at = kind, target.schema, at
                    row.location = vault.encrypt(target.location)
                session.flush()
                return Replica(row.id, connection, kind, target)
        except IntegrityError:
            continue
    raise RuntimeError(f"could not record the replica {display}")  # pragma: no cover - two lost races


def of_connections(db: Database, vault: Vault, connections: Iterable[str]) -> list[Replica]:
    """The replicas holding events of these connections, oldest first."""
    names = sorted(set(connections))
    if not names:
        return []
    with db.session() as session:
        rows = session.scalars(
            select(ReplicaRow).where(ReplicaRow.connection.in_(names)).order_by(ReplicaRow.id)
        ).all()
        return [_replica(row, vault) for row in rows]


@dataclass(frozen=True)
class Place:
    """A replica as a request sees it before any work: no location, nothing decrypted."""

    id: int
    connection: str
    kind: str
    display: str


def places(session: Session, connections: Iterable[str]) -> list[Place]:
    """The replicas holding events of these connections, in the caller's transaction."""
    names = sorted(set(connections))
    if not names:
        return []
    query = (
        select(ReplicaRow.id, ReplicaRow.connection, ReplicaRow.kind, ReplicaRow.display)
        .where(ReplicaRow.connection.in_(names))
        .order_by(ReplicaRow.id)
    )
    return [Place(*row) for row in session.execute(query).tuples()]


def get(db: Database, vault: Vault, replica_id: int) -> Replica:
    with db.session() as session:
        row = session.get(ReplicaRow, replica_id)
        if row is None:
            raise NotFound(f"There is no replica {replica_id}.")
        return _replica(row, vault)


def _replica(row: ReplicaRow, vault: Vault) -> Replica:
    location = vault.decrypt(row.location).get_secret_value()
    kind = cast(Literal["duckdb", "postgresql"], row.target_kind)
    return Replica(row.id, row.connection, row.kind, Target(kind, location, row.schema))


def _key(target: Target) -> str:
    return f"{target.kind}\0{target.display()}\0{target.schema}"


@contextmanager
def loading(target: Target) -> Iterator[None]:
    """Held by a sync while it loads `target` (see the module docstring)."""
    key = _key(target)
    with _busy:
        _loading[key] += 1
    try:
        yield
    finally:
        with _busy:
            _loading[key] -= 1
            if _loading[key] <= 0:
                del _loading[key]


@contextmanager
def erasing(target: Target) -> Iterator[bool]:
    """Yields False, holding nothing, when a sync of this process is loading `target` or another erase
    is under way; True while this erase holds it."""
    key = _key(target)
    with _busy:
        free = key not in _loading and key not in _erasing
        if free:
            _erasing.add(key)
    try:
        yield free
    finally:
        if free:
            with _busy:
                _erasing.discard(key)
