from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from headwater.config import load_settings
from headwater.errors import ConfigError
from headwater.key_rotation import rotate_master_key
from headwater.store import Database
from headwater.store.models import SecretRow
from headwater.vault import Vault, load_keyring

PLAINTEXT = "na1.an-api-key-nobody-may-read-1234567890"


def test_a_stored_credential_is_unreadable_in_the_database(db: Database) -> None:
    vault = Vault(load_keyring(load_settings()))
    with db.session() as session:
        ref = vault.put(session, PLAINTEXT)
    with db.session() as session:
        raw = session.execute(text("SELECT ciphertext FROM secrets")).scalar_one()
        assert PLAINTEXT.encode() not in bytes(raw)
        assert vault.get(session, ref).get_secret_value() == PLAINTEXT
    if db.dialect == "sqlite":
        db.dispose()
        files = Path(db.url.removeprefix("sqlite:///")).parent.glob("store.db*")
        for path in files:
            assert PLAINTEXT.encode() not in path.read_bytes()


def test_key_file_is_created_owner_only() -> None:
    settings = load_settings()
    keyring = load_keyring(settings)
    mode = stat.S_IMODE(settings.key_file.stat().st_mode)
    assert mode == 0o600
    assert stat.S_IMODE(settings.home.stat().st_mode) == 0o700
    assert load_keyring(settings).keys == keyring.keys  # stable across loads


def test_secret_values_never_show_in_repr_str_or_logs(db: Database, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    vault = Vault(load_keyring(load_settings()))
    with db.session() as session:
        secret = vault.get(session, vault.put(session, PLAINTEXT))
    logging.getLogger("headwater.test").info("loaded %s %r", secret, secret)
    assert PLAINTEXT not in f"{secret} {secret!r} {vault!r} {caplog.text}"


def test_rotation_with_key_file_keeps_every_secret_readable(db: Database) -> None:
    settings = load_settings()
    old = Vault(load_keyring(settings))
    values = [f"secret-{i}-{'x' * i}" for i in range(5)]
    with db.session() as session:
        refs = [old.put(session, v) for v in values]
        before = {r.id: r.ciphertext for r in session.scalars(select(SecretRow))}
    old_key = load_keyring(settings).keys

    result = rotate_master_key(settings, db)

    assert result.secrets_rewritten == 5
    new_keyring = load_keyring(settings)
    assert new_keyring.keys != old_key and len(new_keyring.keys) == 1
    new = Vault(new_keyring)
    with db.session() as session:
        assert [new.get(session, r).get_secret_value() for r in refs] == values
        after = {r.id: r.ciphertext for r in session.scalars(select(SecretRow))}
    assert all(before[k] != after[k] for k in before)
    with db.session() as session, pytest.raises(ConfigError, match="cannot be decrypted"):
        Vault(load_keyring(load_settings(secret_key=old_key[0].decode()))).get(session, refs[0])


def test_rotation_with_environment_keys(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv("HEADWATER_SECRET_KEY", old_key)
    with db.session() as session:
        ref = Vault(load_keyring(load_settings())).put(session, PLAINTEXT)
    with pytest.raises(ConfigError, match="single key"):
        rotate_master_key(load_settings(), db)
    monkeypatch.setenv("HEADWATER_SECRET_KEY", f"{new_key},{old_key}")
    assert rotate_master_key(load_settings(), db).secrets_rewritten == 1
    monkeypatch.setenv("HEADWATER_SECRET_KEY", new_key)
    with db.session() as session:
        assert Vault(load_keyring(load_settings())).get(session, ref).get_secret_value() == PLAINTEXT


def test_a_malformed_master_key_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEADWATER_SECRET_KEY", "not-a-key")
    with pytest.raises(ConfigError, match="not a valid Fernet key") as info:
        load_keyring(load_settings())
    assert "not-a-key" not in str(info.value)
