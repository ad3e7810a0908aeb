"""The connection, action and request commands, against the sandbox served on loopback ports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from headwater.cli.main import app
from headwater.sandbox import SandboxOptions, SandboxServer, World

KEYS = ("FS_KEY", "FS_STANDARD", "AMP_SECRET")
runner = CliRunner()


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with SandboxServer(
        world=World(users=20, events_per_user=20), options=SandboxOptions(rate_limits=False)
    ) as srv:
        yield srv


@pytest.fixture
def env(server: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    creds = server.credentials
    values = {
        "FS_KEY": creds.fullstory_admin_key,
        "FS_STANDARD": creds.fullstory_standard_key,
        "AMP_SECRET": creds.amplitude_secret_key,
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


def hw(*args: str, input: str | None = None) -> Any:
    return runner.invoke(app, list(args), input=input)


def calls(server: SandboxServer, method: str | None = None) -> list[dict[str, Any]]:
    found = httpx.get(f"{server.fullstory_url}/_sandbox/calls").json()["calls"]
    return [c for c in found if method is None or c["method"] == method]


def assert_no_secret(env: dict[str, str], *texts: str) -> None:
    for text in texts:
        for name in KEYS:
            assert env[name] not in text, f"{name} leaked"


def connect_fs(server: SandboxServer, name: str = "fs") -> Any:
    result = hw(
        "connect", "fullstory", "--name", name, "--api-key-env", "FS_KEY", "--base-url", server.fullstory_url
    )
    assert result.exit_code == 0, result.output
    return result


def test_connect_list_show_and_lifecycle(server: SandboxServer, env: dict[str, str]) -> None:
    outputs = [connect_fs(server).output]
    listed = hw("connections", "list", "--json")
    assert [c["name"] for c in json.loads(listed.stdout)] == ["fs"]
    shown = hw("connections", "show", "fs", "--json")
    assert json.loads(shown.stdout)["credentials"] == {"api_key": "********4c60"}
    human = hw("connections", "show", "fs")
    assert "********4c60" in human.stdout
    tested = hw("connections", "test", "fs")
    assert tested.exit_code == 0 and "works" in tested.stdout
    assert hw("connections", "disable", "fs").exit_code == 0
    refused = hw("actions", "run", "fs", "list-users")
    assert refused.exit_code == 2 and "connections enable fs" in refused.output
    assert hw("connections", "enable", "fs").exit_code == 0
    not_confirmed = hw("connections", "remove", "fs")
    assert not_confirmed.exit_code == 2 and "--yes" in not_confirmed.output
    assert hw("connections", "remove", "fs", "--yes").exit_code == 0
    assert json.loads(hw("connections", "list", "--json").stdout) == []
    assert hw("connections", "show", "fs").exit_code == 3
    outputs += [listed.output, shown.output, human.output, tested.output]
    assert_no_secret(env, *outputs)


def test_refused_keys_exit_4_and_save_nothing(
    server: SandboxServer, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FS_WRONG", "na1.wrong-key-0000000000")
    wrong = hw(
        "connect",
        "fullstory",
        "--name",
        "fs",
        "--api-key-env",
        "FS_WRONG",
        "--base-url",
        server.fullstory_url,
    )
    assert wrong.exit_code == 4 and "Not saved" in wrong.output
    standard = hw(
        "connect",
        "fullstory",
        "--name",
        "fs",
        "--api-key-env",
        "FS_STANDARD",
        "--base-url",
        server.fullstory_url,
    )
    assert standard.exit_code == 4 and "Admin" in standard.output
    assert json.loads(hw("connections", "list", "--json").stdout) == []
    assert_no_secret(env, wrong.output, standard.output)
    assert "na1.wrong-key-0000000000" not in wrong.output


def test_duplicates_and_missing_keys_are_usage_errors(server: SandboxServer, env: dict[str, str]) -> None:
    connect_fs(server)
    duplicate = hw(
        "connect", "fullstory", "--name", "fs", "--api-key-env", "FS_KEY", "--base-url", server.fullstory_url
    )
    assert duplicate.exit_code == 2 and "already exists" in duplicate.output
    neither = hw("connect", "fullstory", "--name", "x")
    assert neither.exit_code == 2 and "--api-key-stdin" in neither.output
    unset = hw("connect", "fullstory", "--name", "x", "--api-key-env", "NOT_SET_ANYWHERE")
    assert unset.exit_code == 2 and "NOT_SET_ANYWHERE" in unset.output


def test_amplitude_secret_key_from_stdin(server: SandboxServer, env: dict[str, str]) -> None:
    creds = server.credentials
    result = hw(
        "connect", "amplitude", "--name", "amp", "--api-key", creds.amplitude_api_key,
        "--secret-key-stdin", "--base-url", server.amplitude_url, "--identify-by", "user-id", "--json",
        input=creds.amplitude_secret_key + "\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["settings"]["identify_by"] == "user-id"
    assert_no_secret(env, result.stdout)


def test_actions_list_show_and_run(server: SandboxServer, env: dict[str, str]) -> None:
    ranked = hw("actions", "list", "--provider", "fullstory", "--intent", "remove a person", "--json")
    assert json.loads(ranked.stdout)[0]["key"] == "delete-user"
    exports = hw("actions", "list", "--intent", "download raw events", "--json")
    assert all("export" in a["key"] for a in json.loads(exports.stdout)[:3])
    shown = hw("actions", "show", "delete-user", "--provider", "fullstory", "--json")
    assert json.loads(shown.stdout)["destructive"] is True
    assert "Input schema" in hw("actions", "show", "list-users", "--provider", "fullstory").stdout
    connect_fs(server)
    assert "delete-user" in hw("actions", "list", "--connection", "fs").stdout
    ran = hw("actions", "run", "fs", "list-users", "--input", "{}", "--limit", "2", "--json")
    assert ran.exit_code == 0, ran.output
    data = json.loads(ran.stdout)
    assert (data["action"], data["connection"], len(data["output"]["users"])) == ("list-users", "fs", 2)
    assert_no_secret(env, ran.stdout, shown.stdout)


def test_bad_input_and_unconfirmed_deletes_exit_2_without_a_call(
    server: SandboxServer, env: dict[str, str], tmp_path: Any
) -> None:
    connect_fs(server)
    before = calls(server)
    bad = hw("actions", "run", "fs", "create-annotation", "--input", json.dumps({"text": "x" * 300}))
    assert bad.exit_code == 2 and "text:" in bad.output
    broken = hw("actions", "run", "fs", "list-users", "--input", "{not json")
    assert broken.exit_code == 2 and "not valid" in broken.output
    (tmp_path / "in.json").write_text('{"id": "7612000000000001"}')
    unconfirmed = hw("actions", "run", "fs", "delete-user", "--input", f"@{tmp_path / 'in.json'}")
    assert unconfirmed.exit_code == 2 and "--yes" in unconfirmed.output
    assert calls(server) == before


def test_an_action_never_writes_inside_the_installed_package(
    server: SandboxServer, env: dict[str, str], tmp_path: Any
) -> None:
    import headwater

    connect_fs(server)
    static = Path(headwater.__file__).parent / "web" / "static" / "users.jsonl"
    data = {"uid": "usr-000001", "path": str(static)}
    refused = hw("actions", "run", "fs", "export-user-events", "--input", json.dumps(data))
    assert refused.exit_code == 2 and "never writes inside its own installed package" in " ".join(
        refused.output.split()
    )
    assert not static.exists()
    mine = tmp_path / "out" / "users.jsonl"
    written = hw(
        "actions", "run", "fs", "export-user-events", "--input", json.dumps({**data, "path": str(mine)})
    )
    assert written.exit_code == 0, written.output
    assert mine.exists()  # the person at the shell may still choose any other file


def test_dry_run_prints_the_request_and_sends_nothing(server: SandboxServer, env: dict[str, str]) -> None:
    connect_fs(server)
    before = calls(server)
    as_json = hw(
        "actions", "run", "fs", "delete-user", "--input", '{"id": "7612000000000001"}', "--dry-run", "--json"
    )
    human = hw("actions", "run", "fs", "delete-user", "--input", '{"id": "7612000000000001"}', "--dry-run")
    assert as_json.exit_code == 0 and human.exit_code == 0, human.output
    request = json.loads(as_json.stdout)["request"]
    assert request["method"] == "DELETE" and request["headers"]["authorization"] == "[redacted]"
    assert "DELETE http://" in human.stdout and "authorization: [redacted]" in human.stdout
    assert calls(server) == before
    assert_no_secret(env, as_json.output, human.output)


def test_request_proxy(server: SandboxServer, env: dict[str, str]) -> None:
    connect_fs(server)
    found = hw("request", "fs", "/v2/users", "--query", "uid=usr-000002", "--json")
    assert found.exit_code == 0, found.output
    user_id = json.loads(found.stdout)["body"]["results"][0]["id"]
    got = hw("request", "fs", "/v2/users/{id}", "--path-param", f"id={user_id}", "--json")
    data = json.loads(got.stdout)
    assert data["status"] == 200 and data["body"]["uid"] == "usr-000002"
    assert calls(server, "GET")[-1]["path"] == f"/v2/users/{user_id}"
    missing = hw("request", "fs", "/v2/users/nobody", "-H", "Accept: application/json")
    assert missing.exit_code == 1 and "HTTP 404" in missing.output
    posted = hw("request", "fs", "/v2/users", "-X", "POST", "--data-json", '{"uid": "cli-1"}', "--json")
    assert json.loads(posted.stdout)["status"] == 200
    outside = hw("request", "fs", "https://elsewhere.example/v2/users")
    assert outside.exit_code == 2
    assert_no_secret(env, got.output, missing.output, posted.output)


def test_a_real_process_with_debug_logs_never_prints_the_key(
    server: SandboxServer, env: dict[str, str]
) -> None:
    """The console entry point as a user runs it, request logging on, key given on stdin."""
    process_env = {**os.environ, "HEADWATER_LOG_LEVEL": "DEBUG"}

    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "headwater", *args],
            input=stdin, capture_output=True, text=True, env=process_env, timeout=60,
        )  # fmt: skip

    key = env["FS_KEY"]
    made = run(
        "connect",
        "fullstory",
        "--name",
        "fs",
        "--api-key-stdin",
        "--base-url",
        server.fullstory_url,
        stdin=key,
    )
    assert made.returncode == 0, made.stderr
    assert "GET" in made.stderr and "[redacted]" in made.stderr, "expected request logs on stderr at DEBUG"
    assert_no_secret(env, made.stdout, made.stderr)
    shown = hw("connections", "show", "fs", "--json")  # the same store, read in this process
    assert json.loads(shown.stdout)["credentials"]["api_key"] == "********4c60"


def test_a_file_an_action_writes_is_owner_only(
    server: SandboxServer, env: dict[str, str], tmp_path: Path
) -> None:
    connect_fs(server)
    listed = hw("actions", "run", "fs", "list-users", "--input", "{}", "--limit", "1", "--json")
    uid = json.loads(listed.stdout)["output"]["users"][0]["uid"]
    target = tmp_path / "new-folder" / "ev.jsonl.gz"
    previous = os.umask(0o022)  # the usual umask: files 0644 unless we say otherwise
    try:
        ran = hw(
            "actions",
            "run",
            "fs",
            "export-user-events",
            "--input",
            json.dumps({"uid": uid, "path": str(target)}),
        )
    finally:
        os.umask(previous)
    assert ran.exit_code == 0, ran.output
    assert target.stat().st_mode & 0o777 == 0o600  # raw events with personal data
    assert target.parent.stat().st_mode & 0o777 == 0o700
