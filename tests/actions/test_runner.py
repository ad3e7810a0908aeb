"""Running actions on sandbox connections: validation first, dry runs send nothing, changes are audited."""

from __future__ import annotations

import json
import logging

import pytest

from headwater.actions.local_files import Face
from headwater.actions.runner import RunOptions, run_on_connection
from headwater.connections import Connections
from headwater.errors import BadInput
from tests.connections.support import ACTOR, CREDS, Sandboxes, connect_amplitude, connect_fullstory


def run(service: Connections, sandbox: Sandboxes, name: str, key: str, data: object, **options: object):
    transport = sandbox.fullstory.transport if name == "fs" else sandbox.amplitude.transport
    opts = RunOptions(face=Face.CLI, transport=transport, **options)  # type: ignore[arg-type]
    return run_on_connection(service, name, key, data, actor=ACTOR, options=opts)


def test_a_list_action_follows_pages_up_to_the_limit(service: Connections, sandbox: Sandboxes) -> None:
    connect_fullstory(service, sandbox)
    result = run(service, sandbox, "fs", "list-users", {}, limit=3)
    data = result.as_dict()
    assert set(data) == {"action", "connection", "output"}
    assert len(data["output"]["users"]) == 3
    assert [e["action"] for e in service.history("fs")] == ["connection.created"]  # reads are not audited


def test_invalid_input_is_refused_before_any_call(service: Connections, sandbox: Sandboxes) -> None:
    connect_fullstory(service, sandbox)
    before = len(sandbox.fullstory.calls())
    with pytest.raises(BadInput) as caught:
        run(service, sandbox, "fs", "create-annotation", {"text": "x" * 201})
    assert "text:" in str(caught.value) and caught.value.exit_code == 2
    assert len(sandbox.fullstory.calls()) == before


def test_a_dry_run_sends_nothing_and_masks_the_key(service: Connections, sandbox: Sandboxes) -> None:
    connect_fullstory(service, sandbox)
    before = sandbox.fullstory.calls()
    result = run(service, sandbox, "fs", "delete-user", {"id": "7612000000000000"}, dry_run=True)
    assert sandbox.fullstory.calls() == before
    request = result.as_dict()["request"]
    assert request["method"] == "DELETE" and request["url"].endswith("/v2/users/7612000000000000")
    assert request["headers"]["authorization"] == "[redacted]"
    assert CREDS.fullstory_admin_key not in json.dumps(result.as_dict())


def test_a_dry_run_masks_keys_inside_the_body(service: Connections, sandbox: Sandboxes) -> None:
    connect_amplitude(service, sandbox)
    events = {"events": [{"event_type": "Signed Up", "user_id": "ann@example.com"}]}
    result = run(service, sandbox, "amp", "send-events", events, dry_run=True)
    text = json.dumps(result.as_dict())
    assert sandbox.amplitude.calls() == [c for c in sandbox.amplitude.calls() if c["method"] != "POST"]
    assert CREDS.amplitude_api_key not in text and CREDS.amplitude_secret_key not in text
    assert "Signed Up" in text


def test_a_change_is_audited_without_its_input(
    service: Connections, sandbox: Sandboxes, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    connect_fullstory(service, sandbox)
    result = run(service, sandbox, "fs", "create-annotation", {"text": "Release 4.2 for ann@example.com"})
    assert result.output is not None
    [entry] = [e for e in service.history("fs") if e["action"] == "action.run"]
    assert entry["details"] == {"action": "create-annotation"} and entry["actor"] == ACTOR
    assert "ann@example.com" not in json.dumps(entry)
    assert CREDS.fullstory_admin_key not in caplog.text


def test_a_disabled_connection_runs_nothing(service: Connections, sandbox: Sandboxes) -> None:
    connect_fullstory(service, sandbox)
    service.disable("fs", actor=ACTOR)
    with pytest.raises(BadInput, match="disabled"):
        run(service, sandbox, "fs", "list-users", {})


def test_progress_is_reported_for_long_operations(service: Connections, sandbox: Sandboxes) -> None:
    connect_fullstory(service, sandbox)
    seen: list[tuple[str, int, int | None]] = []
    job = {"events": [{"name": "Imported", "user": {"uid": "usr-000001"}}], "poll_interval": 0.01}
    run(
        service,
        sandbox,
        "fs",
        "import-events",
        job,
        progress=lambda *a: seen.append(a),
        sleep=lambda _s: None,
    )
    assert seen, "import-events should report progress"
