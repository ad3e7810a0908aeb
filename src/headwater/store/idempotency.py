"""`Idempotency-Key` for POSTs that create something: a retried request gets the first answer again.

The key is claimed (a row, unique per caller) before the work starts, so two copies of one request
racing each other cannot both create: the second sees the claim and is told to wait (409). A request
that fails gives its key back, so it can be retried; one reused for a different body is refused (422).

It lives in the store because the claims must outlive a process and be shared by every web process; the
REST API decides which requests use it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Integer, String, UniqueConstraint, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from headwater.errors import BadInput, Conflict
from headwater.store.db import Database
from headwater.store.models import Base, UtcDateTime, utcnow

HEADER = "Idempotency-Key"
MAX_KEY = 200


class IdempotencyRow(Base):
    """A POST answered once: a retry with the same key gets the same answer instead of a second ticket."""

    __tablename__ = "web_idempotency_keys"
    __table_args__ = (UniqueConstraint("principal", "key", name="uq_web_idempotency_principal_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    principal: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))  # of the method, path and body
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None while in progress
    response: Mapped[Any] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)


class KeyReused(BadInput):
    code = "idempotency_key_reused"


@dataclass(frozen=True)
class Replay:
    status_code: int
    body: Any


def fingerprint(method: str, path: str, body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


def check_key(key: str) -> str:
    if not key or len(key) > MAX_KEY or not key.isascii() or not key.isprintable():
        raise BadInput(
            f"{HEADER}: must be 1 to {MAX_KEY} printable ASCII characters.", hint="A UUID is a good key."
        )
    return key


class Idempotency:
    def __init__(self, db: Database, lifetime: timedelta) -> None:
        self.db = db
        self.lifetime = lifetime

    def claim(self, principal: str, key: str, print_: str) -> Replay | None:
        """None when this request may go ahead; the stored answer when it was already given."""
        key = check_key(key)
        at = utcnow()
        try:
            with self.db.session() as session:
                session.execute(delete(IdempotencyRow).where(IdempotencyRow.created_at < at - self.lifetime))
                session.add(IdempotencyRow(principal=principal, key=key, fingerprint=print_, created_at=at))
            return None
        except IntegrityError:
            pass
        with self.db.session() as session:
            row = session.scalars(
                select(IdempotencyRow).where(IdempotencyRow.principal == principal, IdempotencyRow.key == key)
            ).first()
        if row is None:  # given back between our insert and our read: one more go
            return self.claim(principal, key, print_)
        if row.fingerprint != print_:
            raise KeyReused(
                f"{HEADER}: this key was already used for a different request.",
                hint="Use a new key for each distinct request.",
            )
        if row.status_code is None:
            raise Conflict(
                "A request with this Idempotency-Key is still being handled.",
                hint="Wait a moment and send it again.",
            )
        return Replay(row.status_code, row.response)

    def complete(self, principal: str, key: str, status_code: int, body: Any) -> None:
        with self.db.session() as session:
            row = session.scalars(
                select(IdempotencyRow).where(IdempotencyRow.principal == principal, IdempotencyRow.key == key)
            ).one()
            row.status_code, row.response = status_code, body

    def release(self, principal: str, key: str) -> None:
        with self.db.session() as session:
            session.execute(
                delete(IdempotencyRow).where(IdempotencyRow.principal == principal, IdempotencyRow.key == key)
            )
