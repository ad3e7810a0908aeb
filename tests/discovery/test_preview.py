"""Preview mode: encrypted samples, unreadable in the database, gone after seven days, none when off."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from headwater.config import load_settings
from headwater.discovery import preview, service
from headwater.discovery.models import PreviewSampleRow
from headwater.discovery.purge import purge
from headwater.discovery.results import known_data_types
from headwater.discovery.scan import ScanOptions
from headwater.key_rotation import rotate_master_key
from headwater.store import Database
from headwater.vault import Vault, load_keyring

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def vault() -> Vault:
    return Vault(load_keyring(load_settings()))


def scan(db: Database, files: list[Path], at: datetime = T0) -> service.ScanOutcome:
    return service.scan_connection(
        db, load_settings(), vault, "amp", ScanOptions(), actor="test", files=files, clock=lambda: at
    )


def stored(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(PreviewSampleRow)) or 0)


@pytest.fixture
def amp(db: Database, add_connection: Callable[[str], None]) -> Database:
    add_connection("amp")
    return db


def test_without_preview_mode_no_value_is_ever_stored(amp: Database, exports: dict[str, Path]) -> None:
    outcome = scan(amp, [exports["amplitude.json.gz"]])
    assert not outcome.preview_enabled and outcome.samples_stored == 0
    assert stored(amp) == 0
    assert "email" in known_data_types(amp, "amp")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_samples_are_unreadable_in_the_database(amp: Database, exports: dict[str, Path]) -> None:
    service.set_preview(amp, "amp", True, actor="test")
    outcome = scan(amp, [exports["amplitude.json.gz"]])
    assert outcome.samples_stored > 0
    with amp.session() as session:
        found = preview.samples(session, vault(), "amp", "user_id", T0)
    plain = [sample.value.get_secret_value() for sample in found]
    assert plain and all("@" in value for value in plain) and len(plain) <= preview.MAX_SAMPLES
    amp.dispose()
    raw = b"".join(path.read_bytes() for path in Path(amp.engine.url.database or "").parent.glob("store.db*"))
    assert not any(value.encode() in raw for value in plain)
    with sqlite3.connect(amp.engine.url.database or "") as con:
        token = con.execute("SELECT ciphertext FROM discovery_previews LIMIT 1").fetchone()[0]
    assert bytes(token).startswith(b"gAAAAA")  # a Fernet token


def test_samples_vanish_after_seven_days(amp: Database, exports: dict[str, Path]) -> None:
    service.set_preview(amp, "amp", True, actor="test")
    scan(amp, [exports["amplitude.json.gz"]])
    kept = stored(amp)
    day_six = T0 + timedelta(days=6, hours=23)
    assert purge(amp, day_six) == 0
    with amp.session() as session:
        assert preview.samples(session, vault(), "amp", "user_id", day_six)
        # past the expiry a sample is never shown, even before the purge has run
        assert preview.samples(session, vault(), "amp", "user_id", T0 + timedelta(days=7)) == []
    assert purge(amp, T0 + timedelta(days=7)) == kept
    assert stored(amp) == 0


def test_disabling_preview_mode_deletes_the_samples(amp: Database, exports: dict[str, Path]) -> None:
    service.set_preview(amp, "amp", True, actor="test")
    scan(amp, [exports["amplitude.json.gz"]])
    assert service.set_preview(amp, "amp", False, actor="test") > 0
    assert stored(amp) == 0
    scan(amp, [exports["amplitude.json.gz"]])
    assert stored(amp) == 0


def test_key_rotation_re_encrypts_samples(amp: Database, exports: dict[str, Path]) -> None:
    service.set_preview(amp, "amp", True, actor="test")
    scan(amp, [exports["amplitude.json.gz"]])
    with amp.session() as session:
        before = [s.value.get_secret_value() for s in preview.samples(session, vault(), "amp", "user_id", T0)]
    result = rotate_master_key(load_settings(), amp)
    assert result.secrets_rewritten >= stored(amp)
    with amp.session() as session:
        after = [s.value.get_secret_value() for s in preview.samples(session, vault(), "amp", "user_id", T0)]
    assert after == before


def test_removing_the_connection_removes_its_findings_and_samples(
    amp: Database, exports: dict[str, Path]
) -> None:
    service.set_preview(amp, "amp", True, actor="test")
    scan(amp, [exports["amplitude.json.gz"]])
    with amp.session() as session:
        from headwater.discovery.results import connection_row

        session.delete(connection_row(session, "amp"))
    assert stored(amp) == 0


def test_masking_keeps_the_shape_only() -> None:
    assert preview.mask_value("anna.smith@example.com") == "a•••.s••••@e••••••.c••"
    assert preview.mask_value("4111 1111 1111 1111") == "4••• 1••• 1••• 1•11"
    assert "555" not in preview.mask_value("+1 415 555 0137")
