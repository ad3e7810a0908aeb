"""Scanning a replicated `events` table in DuckDB, shaped as the sync writes it (nested values as JSON)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from headwater.discovery.labelled import quality, sandbox
from headwater.discovery.scan import ScanOptions
from headwater.discovery.table_scan import EventTable, scan_table


def replicate(export: Path, database: Path, schema: str) -> EventTable:
    con = duckdb.connect(str(database))
    qualified = f'"{database.stem}"."{schema}"'  # a file named like its schema needs the catalog
    con.execute(f"CREATE SCHEMA {qualified}")
    con.execute(
        f"CREATE TABLE {qualified}.events AS SELECT * REPLACE (to_json(event_properties) AS "
        "event_properties, to_json(user_properties) AS user_properties, to_json(data) AS data), "
        "'b1' AS _headwater_batch "
        f"FROM read_json('{export}', format='newline_delimited')"
    )
    con.close()
    return EventTable("duckdb", str(database), schema, f"duckdb://{database}")


@pytest.fixture
def table(exports: dict[str, Path], tmp_path: Path) -> EventTable:
    return replicate(exports["amplitude.json.gz"], tmp_path / "replica.duckdb", "amp_events")


def test_a_replicated_table_gives_the_same_findings_as_the_files(table: EventTable, world: object) -> None:
    report = scan_table(table, ScanOptions())
    lines = sum(1 for _ in sandbox.amplitude_lines(world))
    assert report.events_scanned == lines
    assert "_headwater_batch" not in {f.path for f in report.fields}
    _, mistakes = quality.score(report.fields, sandbox.truth("amplitude", [f.path for f in report.fields]))
    assert mistakes == []


def test_since_filters_on_the_event_time_column(table: EventTable, world: object) -> None:
    middle = world.start + (world.end - world.start) / 2  # type: ignore[attr-defined]
    everything = scan_table(table, ScanOptions()).events_scanned
    later = scan_table(table, ScanOptions(since=middle.date())).events_scanned
    assert 0 < later < everything


@pytest.mark.postgres
def test_a_postgresql_replica_with_jsonb_columns(pg_templates: object, exports: dict[str, Path]) -> None:
    import psycopg
    from psycopg.types.json import Jsonb

    from headwater.discovery.readers import read_files

    url = pg_templates.empty()  # type: ignore[attr-defined]
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as con:
        con.execute("CREATE SCHEMA amp")
        con.execute(
            "CREATE TABLE amp.events (user_id text, event_time timestamp, ip_address text, "
            "event_properties jsonb, user_properties jsonb)"
        )
        with con.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO amp.events VALUES (%s, %s, %s, %s, %s)",
                [
                    (
                        r["user_id"],
                        r["event_time"],
                        r["ip_address"],
                        Jsonb(r["event_properties"]),
                        Jsonb(r["user_properties"]),
                    )
                    for r in read_files([exports["amplitude.json.gz"]])
                ],
            )
    report = scan_table(EventTable("postgresql", url, "amp", "postgresql://test"), ScanOptions())
    assert report.events_scanned == 2000
    _, mistakes = quality.score(report.fields, sandbox.truth("amplitude", [f.path for f in report.fields]))
    assert mistakes == []
    assert {"user_id", "event_properties.note", "user_properties.phone"} <= {
        f.path for f in report.with_findings()
    }
