"""Rotating the master key: every encrypted column moves to a new key, and no value is ever stranded.

Order of work (key file): the new key is written in front of the old ones, so every process that re-reads
the file can read both and encrypts under the new one; every registered column (`encrypted`) is
re-encrypted in one transaction; then every value is decrypted with the new key alone, and only when all
of them open is the file rewritten to hold the new key only. A value another process wrote under an old
key meanwhile is caught by that check and re-encrypted before the old key goes. A crash at any point
leaves a key file that opens every value. With `HEADWATER_SECRET_KEY` the operator puts the new key first
(`NEW,OLD`); we re-encrypt and check the same way, and say when the old key can go.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Connection

from headwater import encrypted, keyfile
from headwater.config import Settings
from headwater.errors import ConfigError
from headwater.store.db import Database
from headwater.vault import ENVIRONMENT, load_keyring

CHECK_ROUNDS = 5  # passes of "decrypt all with the new key" before giving up on a busy writer


@dataclass(frozen=True)
class RotationResult:
    secrets_rewritten: int  # every re-encrypted value, whichever column holds it
    source: str
    retired_keys: int
    note: str
    columns: dict[str, int] = field(default_factory=dict)  # "table.column" -> values re-encrypted


def rotate_master_key(settings: Settings, db: Database) -> RotationResult:
    """Re-encrypt every encrypted value under a new master key, then retire the old key(s)."""
    keyring = load_keyring(settings)
    path = keyring.path
    if path is None:
        if len(keyring.keys) < 2:
            raise ConfigError(
                "HEADWATER_SECRET_KEY holds a single key, so there is nothing to rotate to.",
                hint="Generate a key with `headwater keys generate`, "
                "set HEADWATER_SECRET_KEY=NEW,OLD and run again.",
            )
        new_key, old_keys = keyring.keys[0], keyring.keys[1:]
    else:
        new_key, old_keys = Fernet.generate_key(), keyring.keys
        keyfile.write(path, [new_key, *old_keys])
    columns = _move_to(db, new_key, old_keys)
    total = sum(columns.values())
    if path is None:
        note = "Every value opens with the new key: remove the old key(s) from HEADWATER_SECRET_KEY now."
        return RotationResult(total, ENVIRONMENT, len(old_keys), note, columns)
    keyfile.write(path, [new_key])
    return RotationResult(
        total, str(path), len(old_keys), "The key file now holds only the new key.", columns
    )


def _move_to(db: Database, new_key: bytes, old_keys: tuple[bytes, ...]) -> dict[str, int]:
    """Re-encrypt in one transaction, then check (and catch up) until every value opens with `new_key`."""
    mover = _Mover(Fernet(new_key), MultiFernet([Fernet(k) for k in (new_key, *old_keys)]))
    with db.engine.begin() as conn:
        counts = mover.rewrite_all(conn)
    for _ in range(CHECK_ROUNDS):
        with db.engine.begin() as conn:
            stragglers = mover.rewrite_all(conn)
        if not any(stragglers.values()):
            return counts
        counts = {name: counts.get(name, 0) + n for name, n in stragglers.items()}
    raise ConfigError(
        "Values keep being written under the old master key while rotating; the old key was kept.",
        hint="Run `headwater keys rotate` again once the other processes have picked up the new key.",
    )


@dataclass
class _Mover:
    new: Fernet
    every: MultiFernet

    def rewrite_all(self, conn: Connection) -> dict[str, int]:
        counts: dict[str, int] = {}
        for entry in encrypted.present(conn):
            unreadable: list[int] = []
            counts[entry.name] = encrypted.rewrite(conn, entry, partial(self._change, unreadable=unreadable))
            if unreadable:
                raise ConfigError(
                    f"{len(unreadable)} value(s) in {entry.name} ({entry.holds}) cannot be decrypted with "
                    "any master key this process has; nothing was re-encrypted and no key was retired.",
                    hint="Set HEADWATER_SECRET_KEY to the key(s) they were stored with "
                    "(newest first, comma-separated) and run again.",
                )
        return counts

    def _change(self, token: bytes, unreadable: list[int]) -> bytes | None:
        """None for a value already under the new key; otherwise the value re-encrypted under it."""
        try:
            self.new.decrypt(token)
            return None
        except InvalidToken:
            pass
        try:
            return self.every.rotate(token)
        except InvalidToken:
            unreadable.append(1)
            return None
