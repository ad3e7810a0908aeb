"""Every Amplitude action against the emulator, including its error paths."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from headwater.actions.intent import search
from headwater.actions.model import Action
from headwater.connectors.amplitude import AmplitudeClient, AmplitudeSettings, spec
from headwater.errors import AuthError, BadInput, BadRequest, ConfigError, NotFound, ProviderUnavailable
from headwater.sandbox import World

from .conftest import AmpFactory, Recorder, Sandbox

ACTIONS = {action.key: action for action in spec.actions()}


def run(
    amp: AmplitudeClient, recorder: Recorder, key: str, data: dict[str, Any], limit: int | None = None
) -> Any:
    action: Action = ACTIONS[key]
    result = action.run(amp, action.parse_input(data), recorder.ctx("amplitude", limit=limit))
    assert isinstance(result, action.output_model)
    json.dumps(result.model_dump(mode="json"))
    return result


def test_the_catalogue() -> None:
    assert {
        "search-users",
        "get-user-activity",
        "get-user-profile",
        "request-deletion",
        "list-deletion-jobs",
        "cancel-deletion",
        "request-data-access",
        "get-data-access",
        "export-events",
        "send-events",
        "identify-user",
    } <= set(ACTIONS)
    for action in ACTIONS.values():
        assert action.provider == "amplitude"
        action.input_schema()
        action.output_schema()
    assert ACTIONS["request-deletion"].destructive
    for intent in ("remove a person", "erase an individual", "forget this customer", "purge a visitor"):
        assert search(intent, ACTIONS.values())[0].key == "request-deletion", intent


def test_lookup_actions(amp: AmplitudeClient, recorder: Recorder, world: World) -> None:
    person = world.person(1)
    found = run(amp, recorder, "search-users", {"user": person.email})
    assert found.type == "match_user_or_device_id" and found.matches[0].amplitude_id == person.amplitude_id
    prefix = run(amp, recorder, "search-users", {"user": person.email[:4], "exact": True})
    assert prefix.type == "match_user_prefix" and prefix.count == 0
    activity = run(amp, recorder, "get-user-activity", {"amplitude_id": person.amplitude_id})
    assert activity.count == activity.user_data.num_events and not activity.truncated
    first = run(amp, recorder, "get-user-activity", {"amplitude_id": person.amplitude_id}, limit=3)
    assert (first.count, first.truncated) == (3, True)
    profile = run(amp, recorder, "get-user-profile", {"user_id": person.email})
    assert profile.user_id == person.email and profile.amp_props
    with pytest.raises(NotFound, match="never seen"):
        run(amp, recorder, "get-user-profile", {"user_id": "not-a-user@example.org"})
    with pytest.raises(BadInput):
        ACTIONS["get-user-profile"].parse_input({})


def test_the_profile_api_is_us_only(make_amp: AmpFactory, recorder: Recorder) -> None:
    eu = make_amp(region="eu", base_url=None)
    assert eu.settings.rest_url == "https://analytics.eu.amplitude.com"
    assert eu.settings.ingest_url == "https://api.eu.amplitude.com"
    with pytest.raises(BadInput, match="EU"):
        run(eu, recorder, "get-user-profile", {"user_id": "x"})


def test_deletion_actions(
    amp: AmplitudeClient, recorder: Recorder, world: World, amp_sandbox: Sandbox
) -> None:
    ids = [world.person(i).email for i in range(12, 15)]
    scheduled = run(amp, recorder, "request-deletion", {"user_ids": [*ids, "unknown@example.org"]})
    [job] = scheduled.jobs
    assert job.status == "staging" and job.invalid_ids == ["unknown@example.org"] and scheduled.calls == 1
    listed = run(amp, recorder, "list-deletion-jobs", {})
    assert [j.day for j in listed.jobs] == [job.day]
    removed = run(
        amp, recorder, "cancel-deletion", {"amplitude_id": world.person(12).amplitude_id, "day": job.day}
    )
    assert removed.amplitude_id == world.person(12).amplitude_id
    with pytest.raises(BadRequest):
        run(amp, recorder, "cancel-deletion", {"amplitude_id": world.person(12).amplitude_id, "day": job.day})
    with pytest.raises(BadRequest, match="Invalid"):
        run(
            amp,
            recorder,
            "request-deletion",
            {"user_ids": ["unknown@example.org"], "ignore_invalid_ids": False},
        )
    none = run(amp, recorder, "request-deletion", {"amplitude_ids": [1, 2]})
    assert none.jobs == [] and "Nothing scheduled" in none.nothing_scheduled[0]
    with pytest.raises(BadInput):
        ACTIONS["request-deletion"].parse_input({})
    with pytest.raises(BadInput, match="6 months"):
        run(amp, recorder, "list-deletion-jobs", {"start_day": "2026-01-01", "end_day": "2027-01-01"})
    post = next(c for c in amp_sandbox.calls("/api/2/deletions/users") if c["method"] == "POST")
    assert post["status"] == 200


def test_request_deletion_batches_by_100(
    amp: AmplitudeClient, recorder: Recorder, world: World, amp_sandbox: Sandbox
) -> None:
    amp_sandbox.clear_calls()
    result = run(
        amp, recorder, "request-deletion", {"amplitude_ids": [world.person(0).amplitude_id, *range(1, 150)]}
    )
    assert result.calls == 2 and len(result.jobs) == 1 and len(result.nothing_scheduled) == 1
    assert [c["method"] for c in amp_sandbox.calls("/api/2/deletions")] == ["POST", "POST"]
    assert recorder.reports[-1] == ("Amplitude deletion requests", 2, 2)


def test_data_access_actions(
    amp: AmplitudeClient, recorder: Recorder, world: World, amp_sandbox: Sandbox, tmp_path: Path
) -> None:
    person = world.person(3)
    created = run(
        amp,
        recorder,
        "request-data-access",
        {"user_id": person.email, "start_date": world.start.date().isoformat()},
    )
    waiting = run(amp, recorder, "get-data-access", {"request_id": created.request_id, "download": True})
    assert waiting.request.status == "staging" and waiting.download is None
    amp_sandbox.advance(days=1, seconds=60)
    done = run(amp, recorder, "get-data-access", {"request_id": created.request_id, "download": True})
    assert done.request.status == "done" and done.download.row_count > 0
    assert {row["user_id"] for row in done.download.rows} == {person.email}
    target = tmp_path / "dsar.jsonl.gz"
    saved = run(amp, recorder, "get-data-access", {"request_id": created.request_id, "path": str(target)})
    assert (
        saved.download.row_count
        == len(gzip.decompress(target.read_bytes()).decode().splitlines())
        == done.download.row_count
    )
    with pytest.raises(NotFound):
        run(amp, recorder, "get-data-access", {"request_id": 1})


def test_data_access_needs_the_org_keys(make_amp: AmpFactory, recorder: Recorder) -> None:
    with pytest.raises(ConfigError, match="organization-level"):
        run(
            make_amp(org=False),
            recorder,
            "request-data-access",
            {"amplitude_id": 1, "start_date": "2026-01-01"},
        )


def test_data_access_links_go_to_amplitude_hosts_only(amp: AmplitudeClient) -> None:
    with pytest.raises(Exception, match="not an Amplitude host"):
        list(amp.dsar.download("https://evil.example.com/api/2/dsar/requests/1/outputs/0"))
    assert "analytics.amplitude.com" in AmplitudeSettings().dsar_hosts()


def test_export_events(
    amp: AmplitudeClient, recorder: Recorder, world: World, amp_sandbox: Sandbox, tmp_path: Path
) -> None:
    session = world.sessions(0)[-1]  # a window known to hold events
    window = {"start": session.start.isoformat(), "end": session.end.isoformat()}
    rows = run(amp, recorder, "export-events", window)
    assert rows.row_count > 0 and rows.rows[0]["event_time"]
    amp_sandbox.state.settings.export_rows_per_part = 7  # many parts per hour: read in order, all of them
    target = tmp_path / "export.jsonl"
    saved = run(amp, recorder, "export-events", {**window, "path": str(target)})
    assert saved.row_count == rows.row_count == len(target.read_text().splitlines())
    empty = run(
        amp, recorder, "export-events", {"start": "2020-01-01T00:00:00Z", "end": "2020-01-01T05:00:00Z"}
    )
    assert (empty.row_count, empty.rows, empty.start_hour) == (0, [], "20200101T00")
    amp_sandbox.state.settings.export_force_status = 400
    with pytest.raises(BadRequest, match="4 GB"):
        run(amp, recorder, "export-events", window)
    amp_sandbox.state.settings.export_force_status = 504
    with pytest.raises(ProviderUnavailable, match="shorter time range"):
        run(amp, recorder, "export-events", window)
    with pytest.raises(BadInput):
        ACTIONS["export-events"].parse_input({"start": "2026-01-02T00:00:00Z", "end": "2026-01-01T00:00:00Z"})


def test_ingestion_actions(amp: AmplitudeClient, make_amp: AmpFactory, recorder: Recorder) -> None:
    sent = run(
        amp, recorder, "send-events", {"events": [{"event_type": "Paid", "user_id": "buyer@example.org"}]}
    )
    assert (sent.code, sent.events_ingested) == (200, 1)
    ok = run(
        amp,
        recorder,
        "identify-user",
        {"user_id": "buyer@example.org", "user_properties": {"$set": {"plan": "pro"}}},
    )
    assert ok.result == "success"
    assert run(amp, recorder, "search-users", {"user": "buyer@example.org"}).count == 1
    with pytest.raises(BadInput, match="user_id or a device_id"):
        ACTIONS["send-events"].parse_input({"events": [{"event_type": "x"}]})
    with pytest.raises(AuthError, match="api_key"):
        run(
            make_amp(key="not-the-key"),
            recorder,
            "send-events",
            {"events": [{"event_type": "x", "user_id": "abcdef"}]},
        )
