"""`headwater connect slack` and `headwater workflows ...` end to end against the sandbox on loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import typer
from click.testing import CliRunner

from headwater.cli.main import app
from headwater.sandbox import SandboxOptions, SandboxServer, World
from headwater.store import Database

runner = CliRunner()
COMMAND = typer.main.get_command(app)  # built once: Typer rebuilds it on every `invoke` otherwise


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(
        world=World(users=3, events_per_user=300), options=SandboxOptions(rate_limits=False)
    ) as s:
        yield s


def hw(*args: str, code: int = 0, stdin: str | None = None) -> str:
    result = runner.invoke(COMMAND, list(args), input=stdin)
    assert result.exit_code == code, result.output
    return result.output


def test_the_workflow_commands(
    sandbox: SandboxServer, sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FS_KEY", sandbox.credentials.fullstory_admin_key)
    hw("connect", "fullstory", "--name", "fs", "--api-key-env", "FS_KEY", "--base-url", sandbox.fullstory_url)
    url = sandbox.slack_webhook_url
    out = hw("connect", "slack", "--name", "team", "--webhook-url-stdin", stdin=url + "\n")
    assert "nothing was sent" in out
    out = hw("connect", "slack", "--name", "tested", "--webhook-url-stdin", "--test", stdin=url + "\n")
    assert "a test message was posted" in out
    hw("connect", "slack", "--name", "bad", "--webhook-url-stdin", "--test", stdin=url + "x\n", code=3)
    email = sandbox.world.person(0).email
    digest = tmp_path / "digest.yaml"
    out = hw(
        "workflows", "init", "session-digest", "--connection", "fs", "--slack", "team", "--email", email,
        "--timezone", "Europe/Paris", "--output", str(digest),
    )  # fmt: skip
    assert "Wrote" in out and digest.exists() and "session-digest" in out
    hw("workflows", "validate", str(digest))
    assert "session-digest" in hw("workflows", "list")
    assert "0 9 * * * (Europe/Paris)" in hw("workflows", "show", "session-digest")

    run = json.loads(hw("workflows", "run", "session-digest", "--json"))
    assert run["status"] == "succeeded" and run["job_status"] == "succeeded"
    messages = httpx.get(f"{sandbox.slack_url}/_sandbox/slack/messages").json()["messages"]
    assert messages[-1]["text"].endswith("new FullStory sessions since the last run")
    runs = json.loads(hw("workflows", "runs", "session-digest", "--json"))
    assert [r["id"] for r in runs] == [run["id"]]
    log = json.loads(hw("workflows", "run-log", str(run["id"]), "--json"))
    assert [s["step"] for s in log["steps"]] == ["sessions", "notify", "remember"]
    assert "] sessions (fullstory/list-sessions, item 0): succeeded in" in hw(
        "workflows", "run-log", str(run["id"])
    )

    hw("workflows", "disable", "session-digest")
    assert "is disabled" in hw("workflows", "run", "session-digest", code=2)
    hw("workflows", "enable", "session-digest")
    assert "has no input 'x'" in hw("workflows", "run", "session-digest", "--input", "x=1", code=2)
    hw("workflows", "remove", "session-digest", code=2)
    hw("workflows", "remove", "session-digest", "--yes")
    hw("workflows", "show", "session-digest", code=3)
    hw("workflows", "run-log", "999", code=3)
    assert '"$schema"' in hw("workflows", "schema")
    everything = hw("connections", "list") + hw("connections", "show", "team", "--json")
    assert url.rsplit("/", 1)[1] not in everything


def _workflow(path: Path, name: str) -> Path:
    path.write_text(
        f"name: {name}\non:\n  manual: true\nsteps:\n"
        f"  - id: remember\n    uses: set-state\n    with: {{ran: {name}}}\n"
    )
    return path


def _headwater(*args: str) -> subprocess.CompletedProcess[str]:
    """As a shell runs it; bounded, because the failure this guards against was a silent wait."""
    command = [sys.executable, "-m", "headwater", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=os.environ.copy())


def test_a_run_after_a_removed_workflow_is_not_mistaken_for_the_removed_ones(
    sqlite_db: Database, tmp_path: Path
) -> None:
    """SQLite gives the new workflow's first run the id of the removed one's; its job must still run."""
    for name in ("first", "second"):
        added = _headwater("workflows", "add", str(_workflow(tmp_path / f"{name}.yaml", name)))
        assert added.returncode == 0, added.stderr
        ran = _headwater("workflows", "run", name, "--json")
        assert ran.returncode == 0, ran.stderr + ran.stdout
        run = json.loads(ran.stdout)
        assert (run["id"], run["status"], run["job_status"]) == (1, "succeeded", "succeeded")
        shown = json.loads(_headwater("workflows", "show", name, "--json").stdout)
        assert shown["state"] == {"ran": name}
        removed = _headwater("workflows", "remove", name, "--yes")
        assert removed.returncode == 0, removed.stderr
    jobs = json.loads(_headwater("jobs", "list", "--kind", "workflows.run", "--json").stdout)
    assert [job["status"] for job in jobs] == ["succeeded", "succeeded"]
    assert len({job["dedupe_key"] for job in jobs}) == 2
