"""`headwater sandbox`: as a real subprocess, one JSON line, a working server, clean exit on SIGTERM; a busy
port is named with the flag that moves it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys

import httpx
import pytest
from typer.testing import CliRunner

from headwater.cli.main import app


@pytest.mark.parametrize(
    ("flags", "strict", "plan", "bundles_status"),
    [([], False, "enterprise", 200), (["--strict"], True, "business", 404)],
    ids=["lenient", "strict"],
)
def test_sandbox_cli_prints_one_json_line_and_serves_until_terminated(
    flags: list[str], strict: bool, plan: str, bundles_status: int
) -> None:
    command = [
        sys.executable,
        "-c",
        "from headwater.cli.main import run; run()",
        "sandbox",
        "--json",
        "--fullstory-port",
        "0",
        "--amplitude-port",
        "0",
        "--slack-port",
        "0",
        "--users",
        "5",
        "--events-per-user",
        "20",
        *flags,
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        info = json.loads(line)
        assert set(info) == {
            "fullstory_url",
            "amplitude_url",
            "slack_webhook_url",
            "credentials",
            "strict",
            "fullstory_plan",
        }
        assert (info["strict"], info["fullstory_plan"]) == (strict, plan)
        assert set(info["credentials"]) == {
            "fullstory_admin_key",
            "fullstory_standard_key",
            "amplitude_api_key",
            "amplitude_secret_key",
        }
        admin = {"Authorization": f"Basic {info['credentials']['fullstory_admin_key']}"}
        response = httpx.get(f"{info['fullstory_url']}/v2/users", headers=admin, timeout=10)
        assert response.status_code == 200 and response.json()["total_records"] == "5"
        bundles = httpx.get(f"{info['fullstory_url']}/api/v1/export/list", headers=admin, timeout=10)
        assert bundles.status_code == bundles_status
        assert httpx.get(f"{info['amplitude_url']}/_sandbox/clock", timeout=10).status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=20)
    assert process.returncode == 0, stderr
    assert stdout == ""


@pytest.mark.parametrize("service", ["fullstory", "amplitude", "slack"])
def test_a_busy_port_is_named_with_its_flag(service: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        ports = {name: "0" for name in ("fullstory", "amplitude", "slack")} | {service: str(port)}
        flags = [part for name, value in ports.items() for part in (f"--{name}-port", value)]
        result = CliRunner().invoke(app, ["sandbox", *flags, "--users", "1", "--events-per-user", "1"])
    assert result.exit_code == 2, result.output
    message = " ".join(result.stderr.split())  # unwrapped
    assert f"127.0.0.1:{port}" in message and f"--{service}-port" in message, message
    others = {"fullstory", "amplitude", "slack"} - {service}
    assert not any(f"--{name}-port" in message for name in others), message


def test_sandbox_cli_refuses_an_unknown_fullstory_plan() -> None:
    command = [sys.executable, "-c", "from headwater.cli.main import run; run()", "sandbox"]
    result = subprocess.run(
        [*command, "--fullstory-plan", "premium"], capture_output=True, text=True, env=os.environ, timeout=60
    )
    assert result.returncode != 0
    assert "business, enterprise" in result.stderr
