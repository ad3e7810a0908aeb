"""What a provider holds about a person, collected for an access package and kept encrypted until then.

The collected records are personal data, so they are stored as Fernet tokens under the master key (the
same one the vault uses), in chunks, and replaced as a whole when a copy task runs again: a package is
never built from a half-finished collection.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from headwater.privacy.models import ExportChunkRow
from headwater.vault import Vault

#: the record kinds connectors yield, and the file each goes to
SECTIONS = {"profile": "profile", "session": "sessions", "event": "events"}
ORDER = ("profile", "sessions", "events")
CHUNK_ITEMS = 2000
T = TypeVar("T")


@dataclass
class Collection:
    vault: Vault
    chunks: list[tuple[str, int, list[Any]]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    _open: dict[str, list[Any]] = field(default_factory=dict)

    def add(self, kind: str, item: Any) -> None:
        section = SECTIONS.get(kind, kind)
        bucket = self._open.setdefault(section, [])
        bucket.append(item)
        self.counts[section] = self.counts.get(section, 0) + 1
        if len(bucket) >= CHUNK_ITEMS:
            self._flush(section)

    def _flush(self, section: str) -> None:
        items = self._open.pop(section, [])
        if items:
            seq = sum(1 for s, _, _ in self.chunks if s == section)
            self.chunks.append((section, seq, items))

    def rows(self, task_id: int) -> list[ExportChunkRow]:
        for section in list(self._open):
            self._flush(section)
        return [
            ExportChunkRow(
                task_id=task_id,
                section=section,
                seq=seq,
                items=len(items),
                ciphertext=self.vault.encrypt(json.dumps(items, ensure_ascii=False, default=str)),
            )
            for section, seq, items in self.chunks
        ]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def collect(
    produce: Callable[[T], Iterable[tuple[str, Any]]], sources: Iterable[T], vault: Vault, check: Any = None
) -> Collection:
    """Every (kind, item) `produce` yields for each source (an identity for `export_subject`, a finished
    provider job for `collect_copy`); `check` is called between sources."""
    collection = Collection(vault)
    for source in sources:
        if check is not None:
            check()
        for kind, item in produce(source):
            collection.add(kind, item)
    return collection


def replace(session: Session, task_id: int, collection: Collection) -> None:
    session.execute(delete(ExportChunkRow).where(ExportChunkRow.task_id == task_id))
    session.add_all(collection.rows(task_id))


def sections(session: Session, task_id: int) -> list[str]:
    found = set(session.scalars(select(ExportChunkRow.section).where(ExportChunkRow.task_id == task_id)))
    return [s for s in ORDER if s in found] + sorted(found - set(ORDER))


def items(session: Session, vault: Vault, task_id: int, section: str) -> Iterator[Any]:
    query = (
        select(ExportChunkRow)
        .where(ExportChunkRow.task_id == task_id, ExportChunkRow.section == section)
        .order_by(ExportChunkRow.seq)
    )
    for row in session.scalars(query):
        yield from json.loads(vault.decrypt(row.ciphertext).get_secret_value())
