"""Access packages after a key rotation by another process, and when a package cannot be built."""

from __future__ import annotations

import json
import os
import stat
import zipfile
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from typer.testing import CliRunner

from headwater.cli.main import app
from headwater.config import load_settings
from tests.encrypted_values import headwater, key_file_keys, not_opening_with, values_per_column
from tests.privacy.conftest import Desk

runner = CliRunner()


def copied(desk: Desk) -> str:
    ticket = desk.create(kind="copy", email=desk.sandbox.world.person(4).email)
    desk.drain()
    assert desk.show(ticket["id"])["status"] == "completed"
    return str(ticket["id"])


def test_a_package_builds_after_keys_rotate_and_is_owner_only(desk: Desk, tmp_path: Path) -> None:
    ticket = copied(desk)
    assert values_per_column(desk.privacy.db)["dsr_export_chunks.ciphertext"] > 0

    rotated = headwater("keys", "rotate", "--json")

    assert rotated.returncode == 0, rotated.stderr
    assert json.loads(rotated.stdout)["columns"]["dsr_export_chunks.ciphertext"] > 0
    (new_key,) = key_file_keys(load_settings())
    assert not_opening_with(desk.privacy.db, new_key) == {}  # nothing left under the retired key
    old_umask = os.umask(0o022)  # the usual umask: the package's mode is ours to set
    try:
        built = runner.invoke(app, ["dsr", "package", ticket, "-o", str(tmp_path / "p.zip"), "--json"])
    finally:
        os.umask(old_umask)
    assert built.exit_code == 0, built.stderr
    archive = zipfile.ZipFile(tmp_path / "p.zip")
    assert json.loads(archive.read("manifest.json"))["counts"]["records"] > 0
    assert stat.S_IMODE((tmp_path / "p.zip").stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("p.zip")] == ["p.zip"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_package_that_cannot_be_built_says_why_and_leaves_no_partial_file(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ticket = copied(desk)
    monkeypatch.setenv("HEADWATER_SECRET_KEY", Fernet.generate_key().decode())  # not the key used to store

    failed = headwater("dsr", "package", ticket, "-o", str(tmp_path / "out" / "p.zip"))

    assert failed.returncode == 2
    assert "cannot be decrypted" in failed.stderr and "Traceback" not in failed.stderr
    assert list((tmp_path / "out").iterdir()) == []  # neither the package nor a .partial
