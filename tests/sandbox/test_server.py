"""SandboxServer: both emulators on real loopback ports, sharing one world and one clock."""

from __future__ import annotations

import gzip
import json
from datetime import timedelta

import httpx
import pytest

from headwater.sandbox import SandboxClock, SandboxOptions, SandboxServer, World


def test_server_on_port_zero_serves_both_apps() -> None:
    world = World(seed=3, users=6, events_per_user=40)
    clock = SandboxClock(world.end + timedelta(hours=1))
    with SandboxServer(world=world, clock=clock, options=SandboxOptions(rate_limits=False)) as server:
        admin = {"Authorization": f"Basic {server.credentials.fullstory_admin_key}"}
        with httpx.Client(base_url=server.fullstory_url, headers=admin, timeout=10) as client:
            users = client.get("/v2/users").json()
            assert users["total_records"] == "6"
            bundle = client.get("/api/v1/export/list", params={"start": 0}).json()["exports"][0]
            download = client.get("/api/v1/export/get", params={"id": bundle["Id"]})
            assert download.headers["content-type"] == "application/gzip"
            assert isinstance(json.loads(gzip.decompress(download.content)), list)
            server.clock.advance(days=1)
            assert (
                httpx.get(f"{server.amplitude_url}/_sandbox/clock").json()["now"]
                == server.clock.now().isoformat()
            )
            assert server.fullstory_url != server.amplitude_url
            assert server.fullstory_app.state.sandbox is not server.amplitude_app.state.sandbox


def test_dropped_connection_reaches_the_client_as_a_protocol_error() -> None:
    with SandboxServer(world=World(users=2, events_per_user=10)) as server:
        httpx.post(f"{server.fullstory_url}/_sandbox/faults", json={"kind": "drop"})
        admin = {"Authorization": f"Basic {server.credentials.fullstory_admin_key}"}
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"{server.fullstory_url}/v2/users", headers=admin, timeout=10).read()
        assert httpx.get(f"{server.fullstory_url}/v2/users", headers=admin, timeout=10).status_code == 200


def test_urls_need_a_running_server() -> None:
    server = SandboxServer(world=World(users=1, events_per_user=1))
    with pytest.raises(RuntimeError):
        _ = server.fullstory_url
