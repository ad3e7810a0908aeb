"""A file path in an action's input is a CLI notion: the runner refuses it for every other face, and
nothing is written inside Headwater's own package whoever asks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import headwater
from headwater.actions.catalogue import all_actions
from headwater.actions.local_files import LOCAL_PATH_MARK, Face
from headwater.actions.runner import RunOptions, run_on_connection
from headwater.connections import Connections
from headwater.connectors.amplitude.actions.data import ExportEventsInput
from headwater.errors import BadInput
from tests.connections.support import ACTOR, Sandboxes, connect_amplitude

EMPTY_WINDOW = {"start": "2020-01-01T00:00:00Z", "end": "2020-01-01T01:00:00Z"}
PACKAGE = Path(headwater.__file__).parent
FILE_WORDS = ("path", "file", "filename", "folder", "directory", "dir", "output")


def _marked(spec: dict[str, Any]) -> bool:
    branches = [spec, *spec.get("anyOf", []), *spec.get("oneOf", [])]
    return any(branch.get(LOCAL_PATH_MARK) for branch in branches)


@pytest.mark.parametrize("action", all_actions(), ids=lambda a: a.qualified_key)
def test_every_input_that_names_a_file_is_marked_as_a_local_path(action: Any) -> None:
    for name, spec in action.input_schema().get("properties", {}).items():
        looks_like_a_file = any(word in name.lower().split("_") for word in FILE_WORDS)
        assert _marked(spec) == looks_like_a_file, f"{action.qualified_key}.{name}"


def _run(service: Connections, sandbox: Sandboxes, face: Face, data: Any) -> Any:
    options = RunOptions(face=face, transport=sandbox.amplitude.transport)
    return run_on_connection(service, "amp", "export-events", data, actor=ACTOR, options=options)


@pytest.mark.parametrize("face", [Face.WEB, Face.WORKFLOW, Face.MCP])
def test_faces_other_than_the_cli_may_not_name_a_file(
    service: Connections, sandbox: Sandboxes, tmp_path: Path, face: Face
) -> None:
    connect_amplitude(service, sandbox)
    target = tmp_path / "deep" / "rows.jsonl"
    before = len(sandbox.amplitude.calls())
    for data in ({**EMPTY_WINDOW, "path": str(target)}, ExportEventsInput(**EMPTY_WINDOW, path=str(target))):
        with pytest.raises(BadInput) as caught:
            _run(service, sandbox, face, data)
        assert f"path: a file path is taken from the command line only, never from the {face.value} face" in (
            caught.value.message
        )
    assert not (tmp_path / "deep").exists()
    assert len(sandbox.amplitude.calls()) == before  # refused before any call
    answered = _run(service, sandbox, face, EMPTY_WINDOW).output
    assert answered is not None and answered.model_dump()["path"] is None


@pytest.mark.parametrize("face", [Face.CLI, Face.PYTHON])
def test_the_cli_writes_its_file_but_never_inside_the_package(
    service: Connections, sandbox: Sandboxes, tmp_path: Path, face: Face
) -> None:
    connect_amplitude(service, sandbox)
    target = tmp_path / "rows.jsonl"
    written = _run(service, sandbox, face, {**EMPTY_WINDOW, "path": str(target)}).output
    assert written is not None and written.model_dump()["path"] == str(target) and target.exists()
    for inside in (PACKAGE / "web" / "static" / "rows.jsonl", PACKAGE / "rows.jsonl"):
        with pytest.raises(BadInput, match="never writes inside its own installed package"):
            _run(service, sandbox, face, {**EMPTY_WINDOW, "path": str(inside)})
        assert not inside.exists()
    sneaky = tmp_path / "link"
    sneaky.symlink_to(PACKAGE / "web" / "static")
    with pytest.raises(BadInput, match="never writes inside"):
        _run(service, sandbox, face, {**EMPTY_WINDOW, "path": str(sneaky / "rows.jsonl")})
    assert not (PACKAGE / "web" / "static" / "rows.jsonl").exists()
