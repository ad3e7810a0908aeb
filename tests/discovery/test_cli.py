"""`headwater discover` end to end through the CLI runner."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from headwater.cli.main import app
from headwater.store import Database
from tests.encrypted_values import headwater

runner = CliRunner()


@pytest.fixture
def amp(db: Database, add_connection: Callable[[str], None]) -> str:
    add_connection("amp")
    return "amp"


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_scan_files_prints_exactly_the_json_shape(exports: dict[str, Path]) -> None:
    fullstory, amplitude = str(exports["fullstory.json.gz"]), str(exports["amplitude.json"])
    code, out, _ = invoke(
        "discover", "scan", "--file", fullstory, "--file", amplitude, "--sample", "200", "--json"
    )
    assert code == 0
    data = json.loads(out)
    assert list(data) == ["source", "events_scanned", "fields"]
    paths = {f["path"]: f for f in data["fields"]}
    assert paths["UserEmail"]["types"][0] == {"type": "email", "prevalence": 1.0, "likelihood": "very_likely"}
    assert paths["user_id"]["values_sampled"] <= 200
    assert paths["EventType"]["types"] == []


def test_a_higher_threshold_reports_fewer_types(exports: dict[str, Path]) -> None:
    def found(threshold: str) -> int:
        _, out, _ = invoke(
            "discover", "scan", "--file", str(exports["amplitude.json"]), "--threshold", threshold, "--json"
        )
        return sum(len(f["types"]) for f in json.loads(out)["fields"])

    assert found("0.5") < found("0.05")


def test_table_output_lists_the_fields_holding_personal_data(exports: dict[str, Path]) -> None:
    code, out, _ = invoke("discover", "scan", "--file", str(exports["amplitude.json.gz"]))
    assert code == 0
    assert "Fields holding personal data" in out and "user_properties.phone" in out


def test_a_connection_with_nothing_replicated_says_what_to_do(amp: str) -> None:
    code, out, err = invoke("discover", "scan", amp)
    assert code == 2
    assert "Nothing has been replicated" in err and "headwater sync amp" in err
    assert out == ""


def test_bad_input_and_unknown_names(exports: dict[str, Path], amp: str) -> None:
    assert invoke("discover", "scan")[0] == 2
    assert invoke("discover", "scan", "--file", "missing.json")[0] == 3
    assert invoke("discover", "scan", "nobody")[0] == 3
    assert invoke("discover", "scan", amp, "--since", "yesterday")[0] == 2
    assert invoke("discover", "results", amp)[0] == 3  # not scanned yet


def test_results_and_preview_round_trip(amp: str, exports: dict[str, Path]) -> None:
    assert invoke("discover", "preview", "enable", amp)[0] == 0
    code, out, _ = invoke("discover", "scan", amp, "--file", str(exports["amplitude.json.gz"]))
    assert code == 0 and "encrypted sample value(s) kept for 7 days" in out
    code, out, _ = invoke("discover", "results", amp, "--json")
    stored = json.loads(out)
    assert code == 0 and stored["connection"] == amp
    assert {f["path"] for f in stored["fields"] if f["types"]} >= {"user_id", "ip_address"}
    code, out, _ = invoke("discover", "preview", "show", amp, "--path", "user_id", "--json")
    masked = json.loads(out)["samples"]
    assert code == 0 and masked and all("•" in s["value"] and s["type"] == "email" for s in masked)
    _, out, _ = invoke("discover", "preview", "show", amp, "--path", "user_id", "--reveal", "--json")
    assert all("•" not in s["value"] and "@" in s["value"] for s in json.loads(out)["samples"])
    code, _, err = invoke("discover", "preview", "show", amp, "--path", "event_type")
    assert code == 3 and "user_id" in err
    code, out, _ = invoke("discover", "preview", "purge", "--json")
    assert code == 0 and json.loads(out) == {"deleted": 0}
    code, out, _ = invoke("discover", "preview", "disable", amp, "--json")
    assert json.loads(out)["samples_deleted"] > 0


def test_a_scan_gives_the_connection_its_known_data_types(amp: str, exports: dict[str, Path]) -> None:
    code, out, _ = invoke("connections", "show", amp)
    assert code == 0 and "not scanned yet" in out
    assert invoke("discover", "scan", amp, "--file", str(exports["amplitude.json.gz"]))[0] == 0
    code, out, err = invoke("connections", "show", amp, "--json")
    assert code == 0, err
    assert {"email", "ip_address", "phone"} <= set(json.loads(out)["data_types"])
    code, out, _ = invoke("connections", "show", amp)
    assert code == 0 and "email" in out and "not scanned yet" not in out


def test_preview_samples_still_show_after_keys_rotate_in_another_process(
    amp: str, exports: dict[str, Path]
) -> None:
    assert invoke("discover", "preview", "enable", amp)[0] == 0
    assert invoke("discover", "scan", amp, "--file", str(exports["amplitude.json.gz"]))[0] == 0
    _, out, _ = invoke("discover", "preview", "show", amp, "--path", "user_id", "--reveal", "--json")
    before = json.loads(out)["samples"]

    rotated = headwater("keys", "rotate", "--json")  # a process that never imported discovery

    assert rotated.returncode == 0, rotated.stderr
    assert json.loads(rotated.stdout)["columns"]["discovery_previews.ciphertext"] >= len(before) > 0
    code, out, err = invoke("discover", "preview", "show", amp, "--path", "user_id", "--reveal", "--json")
    assert code == 0, err
    assert json.loads(out)["samples"] == before
