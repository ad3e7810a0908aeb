"""Rotation by one process while others run: every column moves, running vaults follow, nothing strands."""

from __future__ import annotations

import json

import pytest
from cryptography.fernet import Fernet

from headwater.config import load_settings
from headwater.errors import ConfigError
from headwater.key_rotation import rotate_master_key
from headwater.store import Database
from headwater.vault import Keyring, Vault, load_keyring
from tests.encrypted_values import headwater, key_file_keys, not_opening_with

PLAINTEXT = "na1.a-credential-that-must-survive-rotation"


def test_a_running_vault_keeps_working_after_another_process_rotates(db: Database) -> None:
    settings = load_settings()
    running = Vault(load_keyring(settings))  # a serve or worker, started before the rotation
    with db.session() as session:
        before = running.put(session, PLAINTEXT)
    old_keys = key_file_keys(settings)

    rotated = headwater("keys", "rotate", "--json")

    assert rotated.returncode == 0, rotated.stderr
    assert json.loads(rotated.stdout)["columns"]["secrets.ciphertext"] == 1
    (new_key,) = key_file_keys(settings)
    assert new_key not in old_keys
    with db.session() as session:
        assert running.get(session, before).get_secret_value() == PLAINTEXT
        after = running.put(session, "written-after-the-rotation-0123456789")
    with db.session() as session:
        assert running.get(session, after).get_secret_value() == "written-after-the-rotation-0123456789"
    assert not_opening_with(db, new_key) == {}  # the new value went under the new key, not the retired one


def test_rotation_refuses_while_a_value_opens_with_no_key_and_keeps_the_old_key(db: Database) -> None:
    settings = load_settings()
    vault = Vault(load_keyring(settings))
    foreign = Vault(Keyring((Fernet.generate_key(),), "environment"))
    with db.session() as session:
        kept = vault.put(session, PLAINTEXT)
        foreign.put(session, "stored-under-a-key-nobody-has-0123")
    old_keys = key_file_keys(settings)

    with pytest.raises(ConfigError, match=r"1 value\(s\) in secrets.ciphertext") as refused:
        rotate_master_key(settings, db)

    assert "no key was retired" in str(refused.value)
    assert set(old_keys) <= set(key_file_keys(settings))
    with db.session() as session:
        assert Vault(load_keyring(settings)).get(session, kept).get_secret_value() == PLAINTEXT


def test_environment_rotation_leaves_nothing_under_the_old_key(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    old_key, new_key = Fernet.generate_key(), Fernet.generate_key()
    monkeypatch.setenv("HEADWATER_SECRET_KEY", old_key.decode())
    with db.session() as session:
        for index in range(3):
            Vault(load_keyring(load_settings())).put(session, f"{PLAINTEXT}-{index}")
    monkeypatch.setenv("HEADWATER_SECRET_KEY", f"{new_key.decode()},{old_key.decode()}")

    result = rotate_master_key(load_settings(), db)

    assert result.columns["secrets.ciphertext"] == 3 and "remove the old key" in result.note
    assert not_opening_with(db, new_key) == {}
    assert rotate_master_key(load_settings(), db).secrets_rewritten == 0  # a second run has nothing to do
