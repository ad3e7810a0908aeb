"""The embedded store holds credentials (encrypted) and personal data (in clear): owner-only on disk."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from headwater.config import load_settings
from headwater.store import Database
from headwater.vault import Vault, load_keyring
from tests.encrypted_values import headwater


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def everyday_umask() -> Iterator[None]:
    """The umask most accounts have (files 0644), so the modes below are ours, not the test runner's."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_the_first_command_creates_the_store_and_key_owner_only() -> None:
    settings = load_settings()
    run = headwater("connections", "list")
    assert run.returncode == 0, run.stderr
    assert mode(settings.home / "headwater.db") == 0o600
    assert mode(settings.key_file) == 0o600
    assert mode(settings.home) == 0o700


def test_the_write_ahead_log_and_shared_memory_files_are_owner_only(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'data' / 'store.db'}")
    try:
        db.migrate()
        with db.session() as session:
            Vault(load_keyring(load_settings())).put(session, "a value written while the store is open")
        files = {path.name: mode(path) for path in (tmp_path / "data").iterdir()}
    finally:
        db.dispose()
    assert {"store.db", "store.db-wal", "store.db-shm"} <= set(files)
    assert set(files.values()) == {0o600}, files
