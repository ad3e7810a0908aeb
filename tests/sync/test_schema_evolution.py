"""Schema evolution in the DuckDB loader, on files made here: new fields add columns, values that no longer
fit widen them, nested values are JSON, keys past the detection sample are not lost, empty batches
only move the bookmark."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from headwater.sync import columns
from headwater.sync.batches import Batch
from headwater.sync.duckdb_dest import DuckDBDestination
from headwater.sync.target import Target


def _batch(tmp_path: Path, name: str, rows: list[dict[str, Any]], bookmark: str) -> Batch:
    path = tmp_path / f"{name}.json.gz"
    with gzip.open(path, "wt") as out:
        out.write("\n".join(json.dumps(row) for row in rows))
    return Batch(key=name, files=[path], fmt="newline_delimited", bookmark=bookmark)


@pytest.fixture
def destination(tmp_path: Path) -> DuckDBDestination:
    return DuckDBDestination(Target("duckdb", str(tmp_path / "w.duckdb"), "src"))


def test_tables_grow_and_widen_instead_of_failing(tmp_path: Path, destination: DuckDBDestination) -> None:
    with destination:
        first = [{"id": i, "price": i, "seen": "2026-01-01T00:00:00Z"} for i in range(5)]
        assert destination.load(_batch(tmp_path, "b1", first, "1"), "events", frozenset()) == 5
        later = [{"id": "x-1", "price": 2.5, "props": {"a": 1}, "tags": ["p", "q"], "new": True}]
        assert destination.load(_batch(tmp_path, "b2", later, "2"), "events", frozenset()) == 1
        kinds = dict(
            destination.con.execute('DESCRIBE "w"."src"."events"').fetchall()[i][:2] for i in range(8)
        )
        rows = destination.con.execute(
            'SELECT id, price, props, tags, new, _headwater_batch FROM "w"."src"."events" '
            "ORDER BY _headwater_batch, id"
        ).fetchall()
        assert destination.bookmark("events") == "2"
    assert kinds["id"] == "VARCHAR" and kinds["price"] == "DOUBLE"
    assert kinds["props"] == "JSON" and kinds["tags"] == "JSON" and kinds["new"] == "BOOLEAN"
    assert kinds["seen"] == "TIMESTAMP WITH TIME ZONE"
    assert rows[-1] == ("x-1", 2.5, '{"a":1}', '["p","q"]', True, "b2")
    assert rows[0][:2] == ("0", 0.0)


def test_a_key_first_seen_past_the_sample_still_becomes_a_column(
    tmp_path: Path, destination: DuckDBDestination
) -> None:
    rows: list[dict[str, Any]] = [{"n": i} for i in range(30_000)] + [{"n": -1, "late": "found"}]
    with destination:
        assert destination.load(_batch(tmp_path, "b", rows, "1"), "events", frozenset()) == 30_001
        late = destination.con.execute('SELECT late FROM "w"."src"."events" WHERE n = -1').fetchall()
    assert late == [("found",)]


def test_nested_objects_hold_only_what_each_row_held(tmp_path: Path, destination: DuckDBDestination) -> None:
    rows = [{"p": {"a": 1}}, {"p": {"b": "two"}}]
    with destination:
        destination.load(_batch(tmp_path, "b", rows, "1"), "events", frozenset({"p"}))
        destination.load(
            _batch(tmp_path, "c", [{"p": {"c": None, "d": [1]}}], "2"), "events", frozenset({"p"})
        )
        found = destination.con.execute(
            'SELECT p FROM "w"."src"."events" ORDER BY _headwater_batch'
        ).fetchall()
    assert sorted((json.loads(value) for (value,) in found[:2]), key=str) == sorted(
        [{"a": 1}, {"b": "two"}], key=str
    )
    assert json.loads(found[2][0]) == {"c": None, "d": [1]}  # an explicit null stays: the export held it


def test_empty_batches_move_only_the_bookmark(tmp_path: Path, destination: DuckDBDestination) -> None:
    with destination:
        assert destination.load(_batch(tmp_path, "b", [], "7"), "events", frozenset()) == 0
        assert destination.load(Batch("none", [], "newline_delimited", "8"), "events", frozenset()) == 0
        assert destination.bookmark("events") == "8"
        assert destination.row_counts() == {}


@pytest.mark.parametrize(
    ("incoming", "existing", "fits", "widened"),
    [
        ("INTEGER", "BIGINT", True, "BIGINT"),
        ("BIGINT", "INTEGER", False, "BIGINT"),
        ("DOUBLE", "BIGINT", False, "DOUBLE"),
        ("VARCHAR", "BIGINT", False, "VARCHAR"),
        ("BOOLEAN", "VARCHAR", True, "VARCHAR"),
        ("TIMESTAMP", "TIMESTAMP WITH TIME ZONE", True, "TIMESTAMP WITH TIME ZONE"),
        ("VARCHAR", "TIMESTAMP WITH TIME ZONE", False, "VARCHAR"),
    ],
)
def test_widening_rules(incoming: str, existing: str, fits: bool, widened: str) -> None:
    assert columns.fits(incoming, existing) is fits
    if not fits:
        assert columns.widened(incoming, existing) == widened
