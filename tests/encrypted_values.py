"""What the key tests share: running `headwater` as another process, and checking that every value of
every registered encrypted column opens with the key the key file holds now (nothing left behind)."""

from __future__ import annotations

import os
import subprocess
import sys

from cryptography.fernet import Fernet, InvalidToken

from headwater import encrypted
from headwater.config import Settings
from headwater.store import Database


def headwater(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """The real console entry point in a process of its own (the environment says which home and store);
    wide enough that messages are not wrapped inside a path."""
    return subprocess.run(
        [sys.executable, "-m", "headwater", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "COLUMNS": "2000"},
    )


def key_file_keys(settings: Settings) -> list[bytes]:
    return [line.encode() for line in settings.key_file.read_text().split()]


def values_per_column(db: Database) -> dict[str, int]:
    with db.engine.connect() as conn:
        return {entry.name: len(list(encrypted.values(conn, entry))) for entry in encrypted.present(conn)}


def not_opening_with(db: Database, key: bytes) -> dict[str, int]:
    """Per registered column, how many values `key` alone cannot decrypt."""
    fernet = Fernet(key)
    left: dict[str, int] = {}
    with db.engine.connect() as conn:
        for entry in encrypted.present(conn):
            for _, token in encrypted.values(conn, entry):
                try:
                    fernet.decrypt(token)
                except InvalidToken:
                    left[entry.name] = left.get(entry.name, 0) + 1
    return left
