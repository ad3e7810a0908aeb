"""The raw request proxy: any provider endpoint, sent with the connection's base URL and auth injected.

It goes through the provider client's own `HttpClient`, so retries, rate limits and redaction apply as
for every other call. Only paths are accepted — never a full URL — so a connection's credentials cannot
be sent to another host.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx

from headwater.errors import BadInput, ProviderError
from headwater.http import REDACTED, SECRET_HEADERS, HttpClient

if TYPE_CHECKING:
    from headwater.connections import Connections

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SECRET_RESPONSE_HEADERS = SECRET_HEADERS | {"set-cookie"}
_NO_BODY = object()  # "no JSON body given": None is itself a valid JSON body


@dataclass(frozen=True)
class ProxyRequest:
    path: str
    method: str = "GET"
    headers: Mapping[str, str] = field(default_factory=dict)
    query: Sequence[tuple[str, str]] = ()
    path_params: Mapping[str, str] = field(default_factory=dict)
    data: str | None = None
    json_body: Any = _NO_BODY


@dataclass(frozen=True)
class ProxyResponse:
    status: int
    headers: dict[str, str]
    body: Any

    def as_dict(self) -> dict[str, Any]:
        """Status, headers (secret ones redacted) and body, as `request --json` prints them."""
        headers = {
            k: REDACTED if k.lower() in SECRET_RESPONSE_HEADERS else v for k, v in self.headers.items()
        }
        return {"status": self.status, "headers": headers, "body": self.body}


def fill_path(path: str, params: Mapping[str, str]) -> str:
    """Check the path is a path, and fill its `{name}` placeholders (URL-quoted) from `params`."""
    if not path.startswith("/") or path.startswith("//") or _SCHEME.match(path):
        raise BadInput(
            f"The request path must start with '/' (got {path!r}).",
            hint="Give a path such as /v2/users; the connection supplies the host.",
        )
    missing = [name for name in _PLACEHOLDER.findall(path) if name not in params]
    if missing:
        raise BadInput(
            f"No value for {{{missing[0]}}} in the path.", hint=f"Add --path-param {missing[0]}=..."
        )
    unused = set(params) - set(_PLACEHOLDER.findall(path))
    if unused:
        raise BadInput(f"The path has no placeholder {{{sorted(unused)[0]}}}.")
    return _PLACEHOLDER.sub(lambda m: quote(params[m.group(1)], safe=""), path)


def parse_pairs(items: Sequence[str], what: str, sep: str = "=") -> list[tuple[str, str]]:
    """`k=v` (or `Name: value`) strings into pairs, with an error that names the bad one."""
    pairs = []
    for item in items:
        name, found, value = item.partition(sep)
        if not found or not name.strip():
            raise BadInput(f"Cannot read {what} {item!r}; expected NAME{sep}VALUE.")
        pairs.append((name.strip(), value.strip() if sep == ":" else value))
    return pairs


def send(http: HttpClient, request: ProxyRequest) -> ProxyResponse:
    """Send through `http` and return whatever the provider answered, errors included."""
    url = fill_path(request.path, request.path_params)
    kwargs: dict[str, Any] = {"headers": dict(request.headers), "params": list(request.query)}
    if request.json_body is not _NO_BODY and request.data is not None:
        raise BadInput("Give a body with -d/--data or --data-json, not both.")
    if request.json_body is not _NO_BODY:
        kwargs["json"] = request.json_body
    elif request.data is not None:
        kwargs["content"] = request.data.encode()
    # errors and unfollowed redirects (to another host) are answers to show, not failures
    shown = set(range(300, 600)) - set(http.retry.statuses)
    response = http.request(request.method.upper(), url, ok_statuses=shown, **kwargs)
    return ProxyResponse(response.status_code, dict(response.headers), _body(http, response.text))


def _body(http: HttpClient, text: str) -> Any:
    text = http.scrub(text)
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def http_of(client: Any) -> HttpClient:
    """The `HttpClient` a provider client sends with (the `http` attribute every provider client has)."""
    http = getattr(client, "http", None)
    if not isinstance(http, HttpClient):
        raise ProviderError(
            f"{type(client).__name__} does not expose an HTTP client to send raw requests with."
        )
    return http


def request_on_connection(
    connections: Connections,
    name: str,
    request: ProxyRequest,
    *,
    actor: str,
    transport: httpx.BaseTransport | None = None,
) -> ProxyResponse:
    """Send one raw request through connection `name` (which must be enabled).

    Requests that may change provider data are audited by method and path template only: filled-in
    values and query strings can hold personal data, and the audit trail is kept for good.
    """
    fill_path(request.path, request.path_params)  # refuse a bad path before decrypting anything
    client = connections.open_client(name, transport=transport)
    try:
        response = send(http_of(client), request)
        if request.method.upper() not in READ_METHODS:
            connections.record(
                name,
                actor,
                "request.sent",
                f"Raw {request.method.upper()} {request.path} answered {response.status}.",
                method=request.method.upper(),
                path=request.path,
                status=response.status,
            )
        return response
    finally:
        close = getattr(client, "close", None)
        if callable(close):
            close()
