from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from headwater import __version__
from headwater.cli.main import app

runner = CliRunner()


def headwater(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real console entry point, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "headwater", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_version_and_help() -> None:
    assert runner.invoke(app, ["--version"]).output.strip() == f"headwater {__version__}"
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0 and "config" in result.output


def test_config_show_masks_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEADWATER_DATABASE_URL", "postgresql://app:hunter2-password@db.internal/headwater")
    monkeypatch.setenv("HEADWATER_BROKER_URL", "redis://:broker-pass-123@cache.internal:6379/0")
    monkeypatch.setenv("HEADWATER_SECRET_KEY", "k" * 43 + "=")
    result = runner.invoke(app, ["config", "show", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert "hunter2-password" not in result.output and "broker-pass-123" not in result.output
    assert "k" * 43 not in result.output
    assert data["database_url"] == "postgresql://app:***@db.internal/headwater"
    assert data["jobs_mode"] == "celery"


def test_bad_setting_exits_2_with_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEADWATER_LOG_LEVEL", "LOUD")
    result = headwater("config", "show")
    assert result.returncode == 2
    assert "HEADWATER_LOG_LEVEL" in result.stderr and "Traceback" not in result.stderr


def test_unsupported_database_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEADWATER_DATABASE_URL", "mysql://root@localhost/x")
    result = headwater("keys", "rotate")
    assert result.returncode == 2
    assert "Unsupported database" in result.stderr


def test_keys_rotate_via_cli(tmp_path: Path) -> None:
    result = runner.invoke(app, ["keys", "rotate", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["secrets_rewritten"] == 0


def test_unknown_command_is_a_usage_error() -> None:
    assert headwater("no-such-command").returncode == 2
