"""`headwater serve` as a user runs it, and the demo's last step: a login and the command that serves
the dashboard over the demo's data."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import httpx
from rich.console import Console

from headwater.accounts.users import Users
from headwater.store import Database
from headwater.web.demo import DEMO_EMAIL, step_web
from tests.waiting import wait_until


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_answers_health_and_refuses_strangers(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "HEADWATER_HOME": str(tmp_path / "home")}
    command = [sys.executable, "-m", "headwater", "serve", "--port", str(port), "--no-worker"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:

        def healthy() -> bool:
            assert server.poll() is None, server.communicate()[1]
            try:
                return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
            except httpx.TransportError:
                return False

        wait_until(healthy, timeout=60, what="headwater serve to answer /healthz", interval=0.2)
        assert httpx.get(f"http://127.0.0.1:{port}/readyz").json()["checks"] == {"store": "ok"}
        assert httpx.get(f"http://127.0.0.1:{port}/api/v1/tickets").status_code == 401
        assert httpx.get(f"http://127.0.0.1:{port}/static/htmx/htmx.min.js").status_code == 200
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    assert f"Headwater dashboard on http://127.0.0.1:{port}" in err
    assert "No users yet" in err


def test_the_demo_step_makes_a_login_and_prints_the_command(db: Database, tmp_path: Path) -> None:
    console = Console(record=True, width=200)
    run = SimpleNamespace(db=db, home=tmp_path / "demo home", console=console, facts={})
    step_web(run)
    text = console.export_text()
    assert f"HEADWATER_HOME='{tmp_path / 'demo home'}'" in text and "serve" in text
    assert "http://127.0.0.1:8800" in text and DEMO_EMAIL in text
    password = text.split("with the password ", 1)[1].split()[0]
    from pydantic import SecretStr

    assert Users(db).check_password(DEMO_EMAIL, SecretStr(password)) is not None
    step_web(run)  # a second demo run in the same home gives a new password, not an error
    assert Users(db).check_password(DEMO_EMAIL, SecretStr(password)) is None
