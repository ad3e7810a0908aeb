"""The outbound address policy, against a real server on loopback: internal addresses are refused unless
HEADWATER_OUTBOUND_ALLOW allows them, on the address actually connected to; provider timeouts and
attempts are settings, and a provider that does not answer says so while it is retried."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from headwater.config import load_settings
from headwater.errors import ConfigError, ProviderUnavailable
from headwater.http import HttpClient, OutboundRefused
from headwater.outbound import OutboundPolicy
from tests.http.local_server import LocalServer

ALLOW = "HEADWATER_OUTBOUND_ALLOW"


@pytest.fixture
def internal() -> Iterator[LocalServer]:
    """A service on loopback, standing for the database on :5432 or an admin panel."""
    with LocalServer() as server:
        yield server


def test_a_loopback_service_is_refused_unless_allowed(
    internal: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ALLOW)
    with (
        HttpClient(base_url=internal.url, provider="Somebody") as http,
        pytest.raises(OutboundRefused) as info,
    ):
        http.request("GET", "/")
    message = str(info.value)
    assert f"127.0.0.1 port {internal.port}" in message and "loopback" in message
    assert f"{ALLOW}=127.0.0.1,10.0.0.0/8" in message
    assert info.value.exit_code == 2 and info.value.status == 422
    assert internal.seen == []

    monkeypatch.setenv(ALLOW, "127.0.0.1")
    with HttpClient(base_url=internal.url, provider="Somebody") as http:
        assert http.request("GET", "/").json() == {}
    assert [seen.path for seen in internal.seen] == ["/"]


def test_a_host_name_is_judged_by_the_addresses_it_resolves_to(
    internal: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ALLOW)
    url = f"http://localhost:{internal.port}"
    with (
        HttpClient(base_url=url, provider="Somebody") as http,
        pytest.raises(OutboundRefused, match="localhost"),
    ):
        http.request("GET", "/")
    assert internal.seen == []
    monkeypatch.setenv(ALLOW, "LOCALHOST")  # a host name entry: whatever it resolves to
    with HttpClient(base_url=url, provider="Somebody") as http:
        http.request("GET", "/")
    assert len(internal.seen) == 1


def test_the_connection_goes_to_the_address_that_was_checked(
    internal: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: a name that answers an allowed address to the check and the metadata service to the
    connection. Each connection is made to the address its own check passed."""
    real = socket.getaddrinfo
    answers = iter(["127.0.0.1", "169.254.169.254"])
    lookups: list[str] = []

    def rebinding(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "rebind.example":
            lookups.append(host)
            host = next(answers)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    monkeypatch.setenv(ALLOW, "127.0.0.1")
    url = f"http://rebind.example:{internal.port}"
    with HttpClient(base_url=url, provider="Somebody") as http:
        http.request("GET", "/first")
    assert lookups == ["rebind.example"]  # resolved once: the checked address is the one connected to
    assert internal.seen[0].headers["host"] == f"rebind.example:{internal.port}"
    with (
        HttpClient(base_url=url, provider="Somebody") as http,
        pytest.raises(OutboundRefused, match=r"169\.254\.169\.254 is the cloud metadata service"),
    ):
        http.request("GET", "/second")
    assert [seen.path for seen in internal.seen] == ["/first"]


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "100.64.0.1",
        "169.254.169.254",
        "169.254.1.1",
        "0.0.0.0",
        "224.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fd00:ec2::254",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "2002:a9fe:a9fe::1",
        "64:ff9b::a9fe:a9fe",
    ],
)
def test_internal_addresses_are_refused_in_every_spelling(address: str) -> None:
    with pytest.raises(OutboundRefused):
        OutboundPolicy().permitted("somewhere.example", 443, [address])


def test_public_addresses_pass_and_an_allow_list_opens_exactly_what_it_names() -> None:
    assert OutboundPolicy().permitted("x.example", 443, ["93.184.216.34", "2606:4700::1111"]) == [
        "93.184.216.34",
        "2606:4700::1111",
    ]
    policy = OutboundPolicy.from_allow_list(" 10.0.0.0/8 , db.internal, [fd00::1] ")
    assert policy.permitted("x.example", 443, ["10.9.8.7"]) == ["10.9.8.7"]
    assert policy.permitted("db.internal", 5432, ["192.168.0.9"]) == ["192.168.0.9"]
    assert policy.permitted("x.example", 443, ["fd00::1"]) == ["fd00::1"]
    with pytest.raises(OutboundRefused, match=r"169\.254\.169\.254"):
        policy.permitted("x.example", 80, ["169.254.169.254"])
    # a name with one internal and one public address: only the public one is connected to
    assert OutboundPolicy().permitted("mixed.example", 443, ["10.0.0.1", "93.184.216.34"]) == [
        "93.184.216.34"
    ]


def test_a_malformed_allow_list_is_a_settings_error_naming_the_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ALLOW, "127.0.0.1,not a host!")
    with pytest.raises(ConfigError, match=f"{ALLOW}.*'not a host!'"):
        load_settings()


def test_a_provider_that_does_not_answer_fails_after_the_configured_timeout_and_attempts(
    internal: LocalServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    internal.respond = internal.hang
    monkeypatch.setenv("HEADWATER_PROVIDER_READ_TIMEOUT", "0.3")
    monkeypatch.setenv("HEADWATER_PROVIDER_ATTEMPTS", "3")
    caplog.set_level(logging.WARNING, logger="headwater.http")
    with (
        HttpClient(base_url=internal.url, provider="FullStory", sleep=lambda _: None) as http,
        pytest.raises(ProviderUnavailable) as info,
    ):
        http.request("GET", "/v2/users")
    assert "FullStory is not answering GET" in info.value.message
    assert "no answer within 0.3 s (3 attempts)" in info.value.message
    assert "HEADWATER_PROVIDER_READ_TIMEOUT" in str(info.value.hint)
    assert len(internal.seen) == 3
    retries = [r.getMessage() for r in caplog.records if "is not answering" in r.getMessage()]
    assert [m.split("; ")[-1].split(" in ")[0] for m in retries] == ["retry 1 of 2", "retry 2 of 2"]


def test_the_defaults_are_the_documented_ones() -> None:
    settings = load_settings()
    assert (settings.provider_connect_timeout, settings.provider_read_timeout) == (10.0, 60.0)
    assert settings.provider_attempts == 5
    with HttpClient(base_url="http://127.0.0.1:9", provider="FullStory") as http:
        assert http.attempts == 5
        assert http.timeout is not None and (http.timeout.connect, http.timeout.read) == (10.0, 60.0)
