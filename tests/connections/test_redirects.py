"""Redirects on a stored connection: a provider that answers 307 to another host gets neither the body
(Amplitude's ingestion API key travels in it) nor the Authorization header; redirects on the provider's
own host still work; Amplitude's DSAR downloads follow the documented redirect to storage, bare."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator

import pytest

from headwater.actions.local_files import Face
from headwater.actions.runner import RunOptions, run_on_connection
from headwater.connections import Connections
from headwater.errors import ProviderError
from headwater.proxy import ProxyRequest, request_on_connection
from tests.connections.support import ACTOR
from tests.http.local_server import Answer, LocalServer, Seen

API_KEY = "hwtest0amplitude0api0key0000001"
SECRET_KEY = "hwtest0amplitude0secret0key00001"
ORG_KEY, ORG_SECRET = "hwtest0org0api0key0000000000001", "hwtest0org0secret0key00000000001"
EVENTS = [{"event_type": "signed_up", "user_id": "user-0001"}]


class Provider:
    """An Amplitude look-alike on one port that redirects where a test tells it to."""

    def __init__(self, storage: LocalServer) -> None:
        self.storage = storage
        self.redirect: tuple[int, str] | None = None
        self.server = LocalServer(self.answer)

    def answer(self, seen: Seen) -> Answer:
        if seen.path.startswith("/api/2/deletions/users") and seen.method == "GET":
            return 200, {"Content-Type": "application/json"}, b"[]"  # the connection test
        if seen.path.startswith("/moved"):
            return 200, {"Content-Type": "application/json"}, b'{"code": 200, "events_ingested": 1}'
        if self.redirect is not None:
            status, location = self.redirect
            return status, {"Location": location}, b""
        return 404, {}, b"{}"


@pytest.fixture
def storage() -> Iterator[LocalServer]:
    rows = gzip.compress(b'{"event_type": "signed_up", "user_id": "user-0001"}\n')
    with LocalServer(lambda seen: (200, {"Content-Type": "application/gzip"}, rows)) as server:
        yield server


@pytest.fixture
def provider(storage: LocalServer) -> Iterator[Provider]:
    made = Provider(storage)
    with made.server:
        yield made


@pytest.fixture
def amp(local_service: Connections, provider: Provider) -> Connections:
    local_service.create(
        "amplitude",
        "amp",
        credentials={
            "api_key": API_KEY,
            "secret_key": SECRET_KEY,
            "org_api_key": ORG_KEY,
            "org_secret_key": ORG_SECRET,
        },
        settings={"base_url": provider.server.url},
        actor=ACTOR,
    )
    return local_service


def test_a_307_to_another_host_gets_neither_the_body_nor_the_key(
    amp: Connections, provider: Provider, storage: LocalServer
) -> None:
    provider.redirect = (307, f"{storage.url}/collect?token=abc")
    with pytest.raises(ProviderError) as info:
        run_on_connection(
            amp, "amp", "send-events", {"events": EVENTS}, actor=ACTOR, options=RunOptions(face=Face.CLI)
        )
    assert storage.seen == []
    assert f"redirecting to {storage.url}:" in info.value.message  # where, but not the path or query
    assert "token=abc" not in str(info.value) and API_KEY not in str(info.value)
    assert [(s.method, s.path) for s in provider.server.seen][-1] == ("POST", "/2/httpapi")


def test_a_redirect_on_the_providers_own_host_keeps_the_body_and_the_key(
    amp: Connections, provider: Provider
) -> None:
    provider.redirect = (308, f"{provider.server.url}/moved/2/httpapi")
    result = run_on_connection(
        amp, "amp", "send-events", {"events": EVENTS}, actor=ACTOR, options=RunOptions(face=Face.CLI)
    )
    assert result.output.events_ingested == 1
    moved = provider.server.seen[-1]
    assert (moved.method, moved.path) == ("POST", "/moved/2/httpapi")
    assert json.loads(moved.body)["api_key"] == API_KEY


def test_the_raw_request_proxy_shows_a_cross_host_redirect_instead_of_following_it(
    amp: Connections, provider: Provider, storage: LocalServer
) -> None:
    provider.redirect = (302, f"{storage.url}/elsewhere")
    answer = request_on_connection(amp, "amp", ProxyRequest("/api/2/usersearch?user=x"), actor=ACTOR)
    assert (answer.status, answer.headers["location"]) == (302, f"{storage.url}/elsewhere")
    assert storage.seen == []


def test_a_dsar_download_follows_amplitudes_redirect_to_storage_without_credentials(
    amp: Connections, provider: Provider, storage: LocalServer
) -> None:
    presigned = f"{storage.url}/bucket/output-0.json.gz?X-Amz-Signature=sig"
    provider.redirect = (302, presigned)
    client = amp.open_client("amp")
    try:
        rows = list(client.dsar.download(f"{provider.server.url}/api/2/dsar/requests/7/outputs/0"))
    finally:
        client.close()
    assert rows == [{"event_type": "signed_up", "user_id": "user-0001"}]
    asked = provider.server.seen[-1]
    assert asked.path == "/api/2/dsar/requests/7/outputs/0" and asked.headers["authorization"].startswith(
        "Basic"
    )
    [fetched] = storage.seen
    assert (fetched.method, fetched.path) == ("GET", "/bucket/output-0.json.gz?X-Amz-Signature=sig")
    assert "authorization" not in fetched.headers and "cookie" not in fetched.headers
