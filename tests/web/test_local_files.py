"""Actions over the web never name a file on the server: an operator could otherwise overwrite the master
key, or write customer rows under the package's static folder, which anyone may download."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from headwater.config import load_settings
from headwater.sandbox import SandboxServer
from headwater.web.app import STATIC
from tests.web.conftest import Web

WINDOW = {"start": "2026-01-01T00:00:00Z", "end": "2026-01-01T02:00:00Z"}


def _run(web: Web, role: str, data: dict[str, Any], *, dry: bool = False) -> Any:
    url = f"/api/v1/connections/amp/actions/export-events/{'dry-run' if dry else 'run'}"
    return web.client.post(url, json={"input": data}, headers=web.auth(role))


@pytest.mark.parametrize("role", ["operator", "admin"])
def test_an_action_may_not_overwrite_the_master_key(connected: Web, role: str) -> None:
    key_file = load_settings().key_file
    before = key_file.read_bytes()
    assert before
    for dry in (False, True):
        refused = _run(connected, role, {**WINDOW, "path": str(key_file)}, dry=dry)
        assert refused.status_code == 422, refused.text
        assert "path: a file path is taken from the command line only" in refused.json()["detail"]
    assert key_file.read_bytes() == before


def test_an_action_may_not_publish_rows_under_the_static_folder(connected: Web, tmp_path: Path) -> None:
    target = STATIC / "leak" / "rows.jsonl"
    refused = _run(connected, "operator", {**WINDOW, "path": str(target)})
    assert refused.status_code == 422
    assert not target.parent.exists()
    assert connected.client.get("/static/leak/rows.jsonl").status_code == 404
    elsewhere = tmp_path / "new" / "folder" / "rows.jsonl"
    assert _run(connected, "operator", {**WINDOW, "path": str(elsewhere)}).status_code == 422
    assert not (tmp_path / "new").exists()  # no parent folder created either


def test_without_a_path_the_rows_come_back_in_the_answer(connected: Web, sandbox: SandboxServer) -> None:
    session = sandbox.world.sessions(0)[-1]  # a window known to hold events
    answer = _run(connected, "operator", {"start": session.start.isoformat(), "end": session.end.isoformat()})
    assert answer.status_code == 200, answer.text
    output = answer.json()["output"]
    assert output["path"] is None and output["row_count"] == len(output["rows"]) > 0
