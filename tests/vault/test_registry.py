"""The registry of encrypted columns is complete: a new encrypted column cannot be left out of rotation."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import LargeBinary, inspect

import headwater
from headwater import encrypted
from headwater.store import Database

SRC = Path(headwater.__file__).parent
#: modules allowed to build Fernet objects: the vault, and rotation (which needs the new key alone)
FERNET_USERS = {"vault.py", "key_rotation.py"}


def test_every_binary_column_of_the_migrated_store_is_registered(db: Database) -> None:
    """Encrypted values are Fernet tokens in binary columns; the migrated schema is the truth, whatever
    modules a process imported."""
    found = set()
    for table in inspect(db.engine).get_table_names():
        for column in inspect(db.engine).get_columns(table):
            if isinstance(column["type"], LargeBinary):
                found.add(f"{table}.{column['name']}")
    assert found == {entry.name for entry in encrypted.ENCRYPTED_COLUMNS}
    assert {"secrets.ciphertext", "dsr_export_chunks.ciphertext", "discovery_previews.ciphertext"} <= found


def test_nothing_outside_the_vault_encrypts_with_its_own_fernet() -> None:
    """Every other module encrypts through `Vault`, so whatever it stores is under the master key."""
    users = {
        path.relative_to(SRC).as_posix()
        for path in SRC.rglob("*.py")
        if re.search(r"\b(Multi)?Fernet\(", path.read_text())
    }
    assert users == FERNET_USERS


def test_every_registered_table_has_its_key_column(db: Database) -> None:
    for entry in encrypted.ENCRYPTED_COLUMNS:
        columns = {column["name"] for column in inspect(db.engine).get_columns(entry.table)}
        assert {entry.key, entry.column} <= columns, entry
