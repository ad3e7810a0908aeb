from __future__ import annotations

import importlib
import inspect
import subprocess
import sys

import pytest
import typer

from headwater.cli.commands import COMMANDS


@pytest.mark.parametrize("ref", COMMANDS, ids=lambda ref: ref.name)
def test_listed_help_matches_the_command_module(ref) -> None:  # type: ignore[no-untyped-def]
    target = getattr(importlib.import_module(ref.module), ref.attr)
    if isinstance(target, typer.Typer):
        assert target.info.help == ref.help
    else:
        assert inspect.getdoc(target).splitlines()[0] == ref.help  # type: ignore[union-attr]
    assert ref.load().name == ref.name


def test_version_imports_no_command_module() -> None:
    code = (
        "import sys; from headwater.cli.main import app\n"
        "try:\n    app(['--version'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('sqlalchemy', 'fastapi', 'duckdb', 'celery') if m in sys.modules]\n"
        "print('heavy:' + ','.join(heavy))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "heavy:"
