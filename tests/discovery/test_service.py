"""Scanning what the sync replicated, storing it as the connection's known data types, and the jobs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest

from headwater.config import load_settings
from headwater.discovery import known_data_types, replica, service, tasks
from headwater.discovery.scan import ScanOptions
from headwater.errors import BadInput, NotFound
from headwater.jobs import registry
from headwater.jobs.recurring import schedule
from headwater.store import Database
from headwater.sync.models import SUCCEEDED, SyncRunRow
from headwater.vault import Vault, load_keyring
from tests.discovery.test_table_scan import replicate


def scan(db: Database, name: str) -> service.ScanOutcome:
    settings = load_settings()
    return service.scan_connection(
        db, settings, lambda: Vault(load_keyring(settings)), name, ScanOptions(), actor="test"
    )


def record_run(db: Database, name: str, destination: str) -> None:
    with db.session() as session:
        session.add(SyncRunRow(connection=name, kind="amplitude", destination=destination, status=SUCCEEDED))


def test_the_default_duckdb_file_is_found_and_its_types_become_known(
    db: Database, add_connection: Callable[[str], None], exports: dict[str, Path]
) -> None:
    add_connection("amp")
    home = load_settings().home
    (home / "sync").mkdir(parents=True)
    replicate(exports["amplitude.json.gz"], home / "sync" / "amp.duckdb", "amp")  # file named like its schema
    outcome = scan(db, "amp")
    assert outcome.report.events_scanned == 2000
    assert known_data_types(db, "amp") == outcome.report.data_types()
    assert {"email", "phone", "ip_address", "iban"} <= set(known_data_types(db, "amp"))


def test_the_latest_sync_run_names_the_destination(
    db: Database, add_connection: Callable[[str], None], exports: dict[str, Path], tmp_path: Path
) -> None:
    add_connection("fs")
    replicate(exports["amplitude.json.gz"], tmp_path / "elsewhere.duckdb", "fs")
    record_run(db, "fs", f"duckdb://{tmp_path / 'elsewhere.duckdb'}")
    table = replica.locate(db, load_settings(), "fs")
    assert table is not None and table.location == str(tmp_path / "elsewhere.duckdb")
    assert scan(db, "fs").report.events_scanned == 2000


def test_a_postgresql_destination_with_a_masked_password_must_be_given_again(
    db: Database, add_connection: Callable[[str], None]
) -> None:
    add_connection("pg")
    record_run(db, "pg", "postgresql://loader:***@db.internal/events")
    with pytest.raises(BadInput, match="password"):
        replica.locate(db, load_settings(), "pg")


def test_an_empty_replica_or_none_is_not_an_empty_success(
    db: Database, add_connection: Callable[[str], None]
) -> None:
    add_connection("amp")
    with pytest.raises(BadInput, match="Nothing has been replicated"):
        scan(db, "amp")
    with pytest.raises(NotFound):
        scan(db, "nobody")
    with pytest.raises(NotFound):
        known_data_types(db, "nobody")
    assert known_data_types(db, "amp") == []


def test_job_kinds_are_registered_and_the_purge_runs_on_a_schedule(db: Database) -> None:
    assert registry.get(tasks.SCAN_KIND).fn is tasks.scan
    assert any(entry.kind == tasks.PURGE_KIND for entry in schedule())
    assert tasks.purge_previews(SimpleNamespace(db=db), {}) == {"deleted": 0}  # type: ignore[arg-type]
