"""`sync.run` as a durable job, run by real `headwater worker` processes in each jobs mode CI covers."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from headwater.config import load_settings
from headwater.connections import Connections
from headwater.jobs import SUCCEEDED
from headwater.sandbox import SandboxClock, SandboxOptions
from headwater.sandbox.server import SandboxServer
from headwater.sync.target import default_duckdb_path
from headwater.vault import Vault, load_keyring
from tests.jobs.harness import ALL_MODES, Mode, open_env, store_url_for
from tests.sync.conftest import T0, connect_fullstory, expected_fullstory, loaded_fullstory, small_world


@pytest.mark.slow
@pytest.mark.parametrize("mode", ALL_MODES)
def test_sync_runs_as_a_job(
    mode: Mode, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = open_env(
        mode, tmp_path, monkeypatch, store_url_for(mode, request, tmp_path), modules="headwater.sync.job"
    )
    world = small_world(days=2, users=4, events_per_user=30)
    options = SandboxOptions(rate_limits=False)
    try:
        with SandboxServer(
            world=world, clock=SandboxClock(start=T0 + timedelta(days=2)), options=options
        ) as server:
            settings = load_settings()
            connect_fullstory(
                Connections(env.db, Vault(load_keyring(settings))), base_url=server.fullstory_url
            )
            job = env.queue.submit("sync.run", {"connection": "fs", "start_date": T0.date().isoformat()})
            env.start_worker()
            done = env.wait_done([job.id], timeout=90)[job.id]
        assert done.status == SUCCEEDED, done.last_error
        expected = expected_fullstory(world, T0 + timedelta(days=2))
        assert done.result is not None and done.result["rows"] == sum(expected.values())
        assert loaded_fullstory(default_duckdb_path(settings.home, "fs")) == expected
    finally:
        env.close()
