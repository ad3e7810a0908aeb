"""A connection's base URL may not point at an internal address unless HEADWATER_OUTBOUND_ALLOW allows it:
`headwater connect` refuses it before a single request and stores nothing; once stored (by an admin),
a connection keeps reaching its own host, whatever the allow-list says later."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from headwater.cli.main import app
from headwater.connections import Connections
from headwater.http import OutboundRefused
from headwater.sandbox import SandboxCredentials
from tests.connections.support import ACTOR
from tests.http.local_server import LocalServer

ALLOW = "HEADWATER_OUTBOUND_ALLOW"
runner = CliRunner()


@pytest.fixture
def internal() -> Iterator[LocalServer]:
    """Stands for the database port or an internal admin API an attacker would aim a base URL at."""
    with LocalServer() as server:
        yield server


def test_connect_refuses_a_base_url_on_a_loopback_port(
    internal: LocalServer, local_service: Connections, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ALLOW)
    monkeypatch.setenv("FS_KEY", SandboxCredentials().fullstory_admin_key)
    args = ["connect", "fullstory", "--name", "fs", "--api-key-env", "FS_KEY", "--base-url", internal.url]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    flat = " ".join(result.output.split())
    assert f"Refused to connect to 127.0.0.1 port {internal.port}" in flat and ALLOW in flat
    assert internal.seen == []
    assert local_service.list_all() == []


def test_a_base_url_on_a_private_network_is_refused_before_anything_is_sent(
    local_service: Connections,
) -> None:
    with pytest.raises(OutboundRefused, match=r"Not saved.*10\.20\.30\.40 is a private address"):
        local_service.create(
            "amplitude",
            "amp",
            credentials={"api_key": "k" * 32, "secret_key": "s" * 32},
            settings={"base_url": "http://10.20.30.40:8080"},
            actor=ACTOR,
        )
    assert local_service.list_all() == []


def test_a_stored_connection_keeps_reaching_its_own_host(
    internal: LocalServer, local_service: Connections, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ALLOW, "127.0.0.1")
    internal.respond = lambda seen: (200, {"Content-Type": "application/json"}, b"[]")
    credentials = {"api_key": "k" * 32, "secret_key": "s" * 32}
    local_service.create(
        "amplitude", "amp", credentials=credentials, settings={"base_url": internal.url}, actor=ACTOR
    )
    monkeypatch.delenv(ALLOW)
    local_service.test("amp", actor=ACTOR)
    assert len(internal.seen) == 2  # the test when it was created, and this one
