"""Every FullStory action, run the way the runner runs it: parse the input, then call `run`."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from headwater.actions.intent import search
from headwater.actions.model import Action
from headwater.connectors.fullstory import FullStoryClient, spec
from headwater.errors import BadInput, BadRequest, NotFound, ProviderError
from headwater.sandbox import World

from .conftest import Recorder, Sandbox

ACTIONS = {action.key: action for action in spec.actions()}


def run(
    fs: FullStoryClient, recorder: Recorder, key: str, data: dict[str, Any], limit: int | None = None
) -> Any:
    action: Action = ACTIONS[key]
    result = action.run(fs, action.parse_input(data), recorder.ctx("fullstory", limit=limit))
    assert isinstance(result, action.output_model)
    assert isinstance(result, BaseModel)
    json.dumps(result.model_dump(mode="json"))  # every output is plain JSON
    return result


def test_the_catalogue() -> None:
    assert {
        "list-users",
        "get-user",
        "create-user",
        "update-user",
        "delete-user",
        "list-sessions",
        "get-session-events",
        "create-event",
        "import-events",
        "create-annotation",
        "list-segments",
        "export-segment",
        "list-export-bundles",
        "download-export-bundle",
    } <= set(ACTIONS)
    for action in ACTIONS.values():
        assert action.provider == "fullstory"
        action.input_schema()
        action.output_schema()
    for intent in ("remove a person", "erase an individual", "forget this customer", "purge a visitor"):
        assert search(intent, ACTIONS.values())[0].key == "delete-user", intent


def test_user_actions(fs: FullStoryClient, recorder: Recorder, world: World) -> None:
    created = run(
        fs, recorder, "create-user", {"uid": "act-1", "email": "act@example.org", "properties": {"a": 1}}
    )
    run(fs, recorder, "update-user", {"id": created.id, "display_name": "Act One"})
    user = run(fs, recorder, "get-user", {"id": created.id})
    assert (user.display_name, user.properties) == ("Act One", {"a": 1})
    listed = run(fs, recorder, "list-users", {}, limit=5)
    assert (listed.count, listed.truncated) == (5, True)
    everyone = run(fs, recorder, "list-users", {"is_identified": True})
    assert everyone.count == world.users + 1 and not everyone.truncated
    deleted = run(fs, recorder, "delete-user", {"uid": "act-1"})
    assert (deleted.deleting, deleted.by) == ("act-1", "uid")
    assert run(fs, recorder, "get-user", {"id": created.id}).is_being_deleted
    run(fs, recorder, "delete-user", {"id": str(world.person(0).fs_user_id)})
    with pytest.raises(BadInput, match="exactly one of id or uid"):
        ACTIONS["delete-user"].parse_input({"id": "1", "uid": "2"})
    with pytest.raises(NotFound):
        run(fs, recorder, "get-user", {"id": "999"})


def test_session_actions(fs: FullStoryClient, recorder: Recorder, world: World) -> None:
    person = world.person(1)
    listed = run(fs, recorder, "list-sessions", {"email": person.email, "limit": 3})
    assert 0 < listed.count <= 3
    session = listed.sessions[0]
    assert session.id == f"{session.userId}:{session.sessionId}"
    events = run(fs, recorder, "get-session-events", {"session_id": session.id})
    assert events.count > 0 and events.events[0]["session_id"] == session.id
    with pytest.raises(BadInput):
        ACTIONS["list-sessions"].parse_input({})
    with pytest.raises(NotFound):
        run(fs, recorder, "get-session-events", {"session_id": f"{session.userId}:1"})


def test_event_and_annotation_actions(fs: FullStoryClient, recorder: Recorder, fs_sandbox: Sandbox) -> None:
    sent = run(
        fs, recorder, "create-event", {"name": "Support Ticket", "user_uid": "evt-1", "properties": {"n": 1}}
    )
    assert sent.accepted and sent.timestamp.endswith("Z")
    note = run(fs, recorder, "create-annotation", {"text": "Release 1.2", "source": "CI"})
    assert (note.text, note.source) == ("Release 1.2", "CI")
    with pytest.raises(BadInput):
        ACTIONS["create-event"].parse_input({"name": "x", "session_id": "1:2", "user_uid": "u"})
    with pytest.raises(BadRequest, match="text"):
        fs.events.annotate("")


def test_import_events_polls_until_done_and_reads_the_results(
    fs: FullStoryClient, recorder: Recorder, fs_sandbox: Sandbox
) -> None:
    events = [{"name": "Imported", "user": {"uid": f"imp-{n}"}, "properties": {"n": n}} for n in range(3)]
    events.append({"name": "", "user": {"uid": "imp-bad"}})
    result = run(fs, recorder, "import-events", {"events": events, "poll_interval": 3})
    assert (result.status, result.import_count, result.error_count) == ("FAILED", 3, 1)
    assert result.errors[0]["code"] == "required_field"
    assert recorder.vtime.sleeps and set(recorder.vtime.sleeps) == {3.0}
    assert any("import" in what for what, _, _ in recorder.reports)
    users = run(fs, recorder, "import-users", {"users": [{"uid": "batch-u1"}, {"uid": "batch-u2"}]})
    assert users.status == "COMPLETED" and len(users.imports) == 2


def test_import_gives_up_after_its_timeout(
    fs: FullStoryClient, recorder: Recorder, fs_sandbox: Sandbox
) -> None:
    fs_sandbox.state.job_polls_needed = 1_000
    with pytest.raises(ProviderError, match="still running"):
        run(fs, recorder, "import-users", {"users": [{"uid": "slow"}], "poll_interval": 10, "timeout": 30})


def test_segments_and_export(fs: FullStoryClient, recorder: Recorder, tmp_path: Path, world: World) -> None:
    segments = run(fs, recorder, "list-segments", {})
    assert "everyone" in {s.id for s in segments.segments}
    exported = run(
        fs,
        recorder,
        "export-segment",
        {"segment_id": "everyone", "start": world.start.isoformat(), "poll_interval": 1},
        limit=50,
    )
    assert exported.row_count == 50 and exported.truncated and exported.rows[0]["EventStart"]
    assert any(total == 100 for _, _, total in recorder.reports)  # operation progress in percent
    operation = run(fs, recorder, "get-operation", {"id": exported.operation_id})
    assert operation.state == "COMPLETED"
    target = tmp_path / "out" / "rows.jsonl.gz"
    saved = run(fs, recorder, "export-segment", {"type": "individuals", "format": "csv", "path": str(target)})
    lines = gzip.decompress(target.read_bytes()).decode().splitlines()
    assert saved.path == str(target) and saved.row_count == len(lines) == world.users
    ndjson = run(fs, recorder, "export-segment", {"segment_id": "hw-identified", "format": "ndjson"})
    assert ndjson.row_count > 0 and not ndjson.truncated
    with pytest.raises(NotFound):
        run(fs, recorder, "export-segment", {"segment_id": "no-such-segment"})


def test_bundle_actions(fs: FullStoryClient, recorder: Recorder, tmp_path: Path, world: World) -> None:
    listed = run(fs, recorder, "list-export-bundles", {"start": world.start.isoformat()})
    assert listed.count >= 20  # more than one page of 20
    moment = world.sessions(0)[-1].start.timestamp()
    last = next(b for b in listed.bundles if b.Start <= moment < b.Stop)  # a bundle known to hold events
    rows = run(fs, recorder, "download-export-bundle", {"bundle_id": last.Id})
    assert rows.row_count > 0 and not rows.truncated
    target = tmp_path / "bundle.jsonl"
    saved = run(fs, recorder, "download-export-bundle", {"bundle_id": last.Id, "path": str(target)})
    assert saved.row_count == rows.row_count == len(target.read_text().splitlines())
    with pytest.raises(NotFound):
        run(fs, recorder, "download-export-bundle", {"bundle_id": 1})
    person = world.person(4)
    mine = run(fs, recorder, "export-user-events", {"uid": person.uid})
    assert mine.row_count > 0 and {r["UserEmail"] for r in mine.rows} == {person.email}
