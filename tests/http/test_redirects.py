"""Redirect rules of the HTTP layer: a body or a key follows a redirect only on the same origin; a
cross-origin redirect is followed only when the caller allows it, only for a GET, and bare."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from headwater.errors import ProviderError
from headwater.http import HttpClient
from tests.http.local_server import LocalServer, Seen, ok

KEY = "Basic hw-test-key-0123456789"


@pytest.fixture
def elsewhere() -> Iterator[LocalServer]:
    with LocalServer() as server:
        yield server


@pytest.fixture
def provider() -> Iterator[LocalServer]:
    with LocalServer() as server:
        yield server


def client(provider: LocalServer) -> HttpClient:
    return HttpClient(provider.url, "Provider", auth_headers={"Authorization": SecretStr(KEY)})


def test_even_an_allowed_cross_origin_redirect_is_not_followed_for_a_post(
    provider: LocalServer, elsewhere: LocalServer
) -> None:
    provider.respond = lambda seen: (307, {"Location": f"{elsewhere.url}/take"}, b"")
    with client(provider) as http, pytest.raises(ProviderError, match="redirecting to"):
        http.request("POST", "/submit", json={"secret": "body"}, cross_origin_redirects=True)
    assert elsewhere.seen == []


def test_a_303_on_the_same_origin_becomes_a_get_without_the_body(provider: LocalServer) -> None:
    def answer(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        return (303, {"Location": "/result"}, b"") if seen.path == "/submit" else ok(seen)

    provider.respond = answer
    with client(provider) as http:
        http.request("POST", "/submit", json={"a": 1})
    first, second = provider.seen
    assert (first.method, first.body) == ("POST", b'{"a":1}')
    assert (second.method, second.path, second.body) == ("GET", "/result", b"")
    assert second.headers["authorization"] == KEY and "content-type" not in second.headers


def test_a_redirect_loop_ends_with_a_clear_error(provider: LocalServer) -> None:
    provider.respond = lambda seen: (302, {"Location": "/again"}, b"")
    with client(provider) as http, pytest.raises(ProviderError, match="redirected more than 10 times"):
        http.request("GET", "/start")
    assert len(provider.seen) == 11
