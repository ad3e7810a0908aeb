"""The key file: never silently replaced while data depends on it, never accepted when others may write it."""

from __future__ import annotations

import os
import shutil

import pytest

from headwater.config import load_settings
from headwater.errors import ConfigError
from headwater.store import Database
from headwater.vault import Vault, load_keyring
from tests.encrypted_values import headwater

PLAINTEXT = "na1.a-credential-stored-before-the-key-went-missing"


def test_a_missing_key_file_is_not_replaced_while_the_store_holds_encrypted_data(db: Database) -> None:
    settings = load_settings()
    with db.session() as session:
        ref = Vault(load_keyring(settings)).put(session, PLAINTEXT)
    backup = settings.home / "backup.key"
    shutil.move(settings.key_file, backup)

    refused = headwater("connections", "list")

    assert refused.returncode == 2
    assert str(settings.key_file) in refused.stderr and "Restore" in refused.stderr
    assert "HEADWATER_SECRET_KEY" in refused.stderr and "Traceback" not in refused.stderr
    assert not settings.key_file.exists()  # no new key was generated
    shutil.move(backup, settings.key_file)
    assert headwater("connections", "list").returncode == 0
    with db.session() as session:
        assert Vault(load_keyring(settings)).get(session, ref).get_secret_value() == PLAINTEXT


def test_a_key_is_generated_for_a_store_that_holds_nothing_encrypted(db: Database) -> None:
    settings = load_settings()
    assert not settings.key_file.exists()
    assert len(load_keyring(settings).keys) == 1 and settings.key_file.exists()


def test_a_key_file_others_may_read_draws_one_warning(capsys: pytest.CaptureFixture[str]) -> None:
    settings = load_settings()
    keys = load_keyring(settings).keys
    os.chmod(settings.key_file, 0o644)
    for _ in range(3):
        assert load_keyring(settings).keys == keys  # still used
    err = capsys.readouterr().err
    assert err.count("may be read by other users") == 1 and "chmod 600" in err

    run = headwater("connections", "list")
    assert run.returncode == 0 and run.stderr.count("may be read by other users") == 1


def test_a_key_file_others_may_write_is_refused() -> None:
    settings = load_settings()
    load_keyring(settings)
    os.chmod(settings.key_file, 0o602)  # noqa: S103 - the permissive mode under test
    with pytest.raises(ConfigError, match="may be written by other users"):
        load_keyring(settings)
    refused = headwater("connections", "list")
    assert refused.returncode == 2 and "may be written by other users" in refused.stderr
    assert "Traceback" not in refused.stderr
