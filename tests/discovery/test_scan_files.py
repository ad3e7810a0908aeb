"""Scanning exported files from the sandbox, against what the sandbox planted."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from headwater.discovery.file_scan import scan_files
from headwater.discovery.labelled import extra, quality, sandbox
from headwater.discovery.scan import ScanOptions, scan_rows


@pytest.mark.parametrize("name", ["fullstory.json.gz", "fullstory.json", "fullstory.ndjson.gz"])
def test_fullstory_files_find_exactly_what_was_planted(exports: dict[str, Path], name: str) -> None:
    report = scan_files([exports[name]], ScanOptions())
    assert report.events_scanned > 1500
    _, mistakes = quality.score(report.fields, sandbox.truth("fullstory", [f.path for f in report.fields]))
    assert mistakes == []
    found = {f.path: {t.type for t in f.types} for f in report.fields}
    assert found["UserEmail"] == {"email"}
    assert found["PageUrl?email"] == {"email"}
    assert found["evt_note_str"] == {"email", "phone", "street_address"}
    assert found["user_email_sha256_str"] == set()
    assert found["evt_order_id_str"] == set()


@pytest.mark.parametrize("name", ["amplitude.json.gz", "amplitude.json"])
def test_amplitude_files_find_exactly_what_was_planted(exports: dict[str, Path], name: str) -> None:
    report = scan_files([exports[name]], ScanOptions())
    _, mistakes = quality.score(report.fields, sandbox.truth("amplitude", [f.path for f in report.fields]))
    assert mistakes == []
    found = {f.path: {t.type for t in f.types} for f in report.fields}
    assert found["user_properties.phone"] == {"phone"}
    assert found["event_properties.[Amplitude] Page URL?email"] == {"email"}


def test_several_files_are_one_scan(exports: dict[str, Path]) -> None:
    one = scan_files([exports["amplitude.json.gz"]], ScanOptions())
    both = scan_files([exports["amplitude.json.gz"], exports["fullstory.json.gz"]], ScanOptions())
    assert both.events_scanned == 2 * one.events_scanned
    assert {"UserEmail", "user_id"} <= {f.path for f in both.fields}


def test_the_json_shape_is_exactly_the_documented_one(exports: dict[str, Path]) -> None:
    data = scan_files([exports["amplitude.json"]], ScanOptions(sample=50)).as_dict()
    assert set(data) == {"source", "events_scanned", "fields"}
    assert data["source"] == str(exports["amplitude.json"])
    assert all(set(f) == {"path", "values_sampled", "types"} for f in data["fields"])
    assert all(0 < f["values_sampled"] <= 50 for f in data["fields"])
    findings = [t for f in data["fields"] for t in f["types"]]
    assert findings and all(set(t) == {"type", "prevalence", "likelihood"} for t in findings)
    assert any(not f["types"] for f in data["fields"])  # fields without personal data are listed too
    assert [f["path"] for f in data["fields"]] == sorted(f["path"] for f in data["fields"])


def test_since_keeps_only_later_events(exports: dict[str, Path], world: object) -> None:
    everything = scan_files([exports["amplitude.json.gz"]], ScanOptions())
    middle = world.start + (world.end - world.start) / 2  # type: ignore[attr-defined]
    later = scan_files([exports["amplitude.json.gz"]], ScanOptions(since=middle.date()))
    assert 0 < later.events_scanned < everything.events_scanned
    future = scan_files([exports["fullstory.json.gz"]], ScanOptions(since=date(2999, 1, 1)))
    assert future.events_scanned == 0


def test_the_hand_built_set_of_hard_cases_and_look_alikes() -> None:
    report = scan_rows(extra.rows(200), "labelled", ScanOptions())
    _, mistakes = quality.score(report.fields, extra.truth())
    assert mistakes == []


def test_files_scanned_on_several_cores_give_the_same_findings(exports: dict[str, Path]) -> None:
    files = [exports["amplitude.json.gz"], exports["fullstory.json.gz"]]
    alone = scan_files(files, ScanOptions(), workers=1)
    shared = scan_files(files, ScanOptions(), workers=2)
    assert shared.events_scanned == alone.events_scanned
    assert [(f.path, [t.type for t in f.types]) for f in shared.fields] == [
        (f.path, [t.type for t in f.types]) for f in alone.fields
    ]
