"""The taps as real processes, checked the way `singer-check-tap` checks a tap: every RECORD validates
(Draft 4, with formats) against the latest SCHEMA of its stream, which came first; a second run from the
final STATE succeeds; tap-fullstory's config and flat state are accepted as they are."""

from __future__ import annotations

import importlib
import io
import json
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from contextlib import redirect_stdout
from datetime import UTC, datetime, timedelta
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from singer_sdk import Tap

from headwater.connectors.amplitude.tap import TapHeadwaterAmplitude
from headwater.connectors.fullstory.tap import TapHeadwaterFullStory
from headwater.connectors.fullstory.tap_schema import (
    TAP_FULLSTORY_COUNTS,
    TAP_FULLSTORY_INTEGERS,
    TAP_FULLSTORY_STRINGS,
)
from headwater.sandbox import SandboxClock, SandboxOptions
from headwater.sandbox.server import SandboxServer
from tests.sync.conftest import CREDS, T0, small_world

FULLSTORY = "headwater.connectors.fullstory.tap"
AMPLITUDE = "headwater.connectors.amplitude.tap"
PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    world = small_world(days=3, users=4, events_per_user=30)
    clock = SandboxClock(start=T0 + timedelta(days=3))
    with SandboxServer(world=world, clock=clock, options=SandboxOptions(rate_limits=False)) as running:
        yield running


def run_tap(
    module: str, tmp_path: Path, config: dict[str, Any], state: Any = None, *extra: str
) -> list[dict]:
    (tmp_path / "config.json").write_text(json.dumps(config))
    command = [sys.executable, "-m", module, "--config", str(tmp_path / "config.json"), *extra]
    if state is not None:
        (tmp_path / "state.json").write_text(json.dumps(state))
        command += ["--state", str(tmp_path / "state.json")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def run_in_process(tap: type[Tap], config: dict[str, Any], state: dict[str, Any]) -> list[dict]:
    out = io.StringIO()
    with redirect_stdout(out):
        tap(config=config, state=state).sync_all()
    return [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]


def check_messages(messages: list[dict]) -> dict[str, int]:
    """singer-check-tap's rules; returns record counts per stream."""
    schemas: dict[str, Any] = {}
    counts: dict[str, int] = {}
    for message in messages:
        kind = message["type"]
        if kind == "SCHEMA":
            assert "key_properties" in message
            jsonschema.Draft4Validator.check_schema(message["schema"])
            schemas[message["stream"]] = jsonschema.Draft4Validator(
                message["schema"], format_checker=jsonschema.FormatChecker()
            )
        elif kind == "RECORD":
            assert message["stream"] in schemas, f"a record of {message['stream']} came before its schema"
            schemas[message["stream"]].validate(message["record"])
            counts[message["stream"]] = counts.get(message["stream"], 0) + 1
        else:
            assert kind == "STATE" and "value" in message
    return counts


def test_fullstory_tap_output_validates_and_resumes(server: SandboxServer, tmp_path: Path) -> None:
    config = {
        "api_key": CREDS.fullstory_admin_key,
        "start_date": "2026-03-01T00:00:00Z",
        "base_url": server.fullstory_url,
    }
    first = run_tap(FULLSTORY, tmp_path, config)
    counts = check_messages(first)
    expected = sum(1 for _ in server.world.events_between(T0, T0 + timedelta(days=3)))
    assert counts["events"] == expected and counts["users"] == 4 and counts["sessions"] > 0
    states = [m["value"] for m in first if m["type"] == "STATE"]
    bookmarks = [
        s["bookmarks"]["events"]["replication_key_value"]
        for s in states
        if "events" in s.get("bookmarks", {})
    ]
    assert bookmarks[-1] == "2026-03-05T00:00:00Z" and len(set(bookmarks)) == 3  # one STATE per bundle
    schema = next(m for m in first if m["type"] == "SCHEMA" and m["stream"] == "events")
    props = schema["schema"]["properties"]
    assert schema["key_properties"] == []
    for name in (*TAP_FULLSTORY_INTEGERS, *TAP_FULLSTORY_COUNTS):
        assert "integer" in props[name]["type"]
    for name in TAP_FULLSTORY_STRINGS:
        assert "string" in props[name]["type"]
    assert props["EventStart"]["format"] == "date-time"
    assert props["user_plan_str"]["type"] == ["string", "null"]  # a custom variable found by sampling
    record = next(m["record"] for m in first if m["type"] == "RECORD" and m["stream"] == "events")
    assert record["PageAgent"] == record["PageUserAgent"]  # tap-fullstory's column name, still filled

    again = run_in_process(TapHeadwaterFullStory, config, states[-1])
    assert check_messages(again).get("events", 0) == 0

    # tap-fullstory's own flat state is understood: only the last bundle comes again
    legacy = run_in_process(TapHeadwaterFullStory, config, {"events": "2026-03-04T00:00:00Z"})
    last_day = sum(1 for _ in server.world.events_between(T0 + timedelta(days=2), T0 + timedelta(days=3)))
    assert check_messages(legacy)["events"] == last_day


def test_amplitude_tap_output_validates(server: SandboxServer, tmp_path: Path) -> None:
    # the tap asks for hours by the wall clock; with lag 0 every hour of the (past) world is complete
    config = {
        "api_key": CREDS.amplitude_api_key,
        "secret_key": CREDS.amplitude_secret_key,
        "start_date": T0.isoformat(),
        "base_url": server.amplitude_url,
        "hours_per_request": 24 * 400,
    }
    messages = run_tap(AMPLITUDE, tmp_path, config)
    counts = check_messages(messages)
    assert counts["events"] == sum(1 for _ in server.world.events_between(T0, T0 + timedelta(days=3)))
    last = next(m["value"] for m in reversed(messages) if m["type"] == "STATE")
    bookmark = last["bookmarks"]["events"]["replication_key_value"]
    assert datetime.fromisoformat(bookmark) < datetime.now(UTC)
    record = next(m["record"] for m in messages if m["type"] == "RECORD")
    assert record["event_time"].endswith("Z") and "T" in record["event_time"]
    assert isinstance(record["event_properties"], dict)


def test_discovery_and_settings(server: SandboxServer, tmp_path: Path) -> None:
    config = {"api_key": CREDS.fullstory_admin_key, "base_url": server.fullstory_url}
    (tmp_path / "config.json").write_text(json.dumps(config))
    command = [sys.executable, "-m", FULLSTORY, "--config", str(tmp_path / "config.json"), "--discover"]
    catalog = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
    streams = {entry["tap_stream_id"]: entry for entry in catalog["streams"]}
    assert set(streams) == {"events", "users", "sessions"}
    settings = TapHeadwaterFullStory.config_jsonschema["properties"]
    assert {"api_key", "start_date", "user_agent", "region", "base_url"} <= set(settings)
    assert TapHeadwaterFullStory.config_jsonschema["required"] == ["api_key"]


def test_executables_are_declared() -> None:
    """The console scripts keep tap-fullstory's style of name and start the taps' CLIs."""
    scripts = tomllib.loads(PYPROJECT.read_text())["project"]["scripts"]
    taps = {
        "tap-headwater-fullstory": TapHeadwaterFullStory,
        "tap-headwater-amplitude": TapHeadwaterAmplitude,
    }
    for name, tap in taps.items():
        target = EntryPoint(name, scripts[name], "console_scripts")
        owner, _, method = target.attr.partition(".")
        assert getattr(importlib.import_module(target.module), owner) is tap and method == "cli"
