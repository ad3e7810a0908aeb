"""Where Headwater may connect: no internal address unless an admin said so.

A URL in a workflow step, a Slack webhook or a connection can name any host, and a host name can resolve
to anything: the database on loopback, the cloud's metadata service, a machine on the office network. So
the check is made where the socket is opened: the host is resolved, every address is checked, and the
connection goes to an address that passed (a second lookup could answer differently: DNS rebinding). TLS
still verifies the certificate, and SNI and `Host` still name, the host of the URL.

Refused unless allowed: every address that is not public — loopback, private, shared (CGNAT),
link-local with the cloud metadata service, unique-local, multicast, reserved and unspecified — also
when written inside an IPv6 address (IPv4-mapped, 6to4, NAT64, Teredo). Allowed: the entries of
`HEADWATER_OUTBOUND_ALLOW` (host names, addresses and networks), and, for requests made on a stored
connection's behalf, the origins that connection names (only an admin creates one).

`headwater.http` attaches a policy to each request it sends; `OutboundTransport` enforces it. With an
`HTTP(S)_PROXY` in the environment the proxy opens the connection: the destination is then checked on
the addresses this machine resolves, and the proxy should apply the same rules.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
import ssl
import threading
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import httpcore
import httpx

from headwater.addresses import Address, Network, parse_allow_list, why_internal
from headwater.errors import BadInput

log = logging.getLogger("headwater.http")

SETTING = "HEADWATER_OUTBOUND_ALLOW"
#: the request extension `headwater.http` puts the policy in
EXTENSION = "headwater.outbound"
DEFAULT_PORTS = {"http": 80, "https": 443}

Origin = tuple[str, int]

_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)


class OutboundRefused(BadInput):
    """A request would have reached an internal address that nobody allowed."""

    code = "outbound_refused"


def origin_of(url: str) -> Origin | None:
    """(host, port) of an http(s) URL, or None for anything else."""
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError, ValueError):
        return None
    if parsed.scheme not in DEFAULT_PORTS or not parsed.host:
        return None
    return parsed.host.lower().rstrip("."), parsed.port or DEFAULT_PORTS[parsed.scheme]


@dataclass(frozen=True)
class OutboundPolicy:
    """Which internal places a request may reach; everything public is always allowed."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[Network, ...] = ()
    origins: frozenset[Origin] = frozenset()

    @classmethod
    def from_allow_list(cls, text: str) -> OutboundPolicy:
        try:
            hosts, networks = parse_allow_list(text)
        except ValueError as exc:
            raise BadInput(f"{SETTING}: {exc}.") from None
        return cls(hosts, networks)

    def trusting(self, origins: Iterable[Origin]) -> OutboundPolicy:
        """The same policy, plus the origins of one stored connection."""
        extra = frozenset(origins) - self.origins
        return OutboundPolicy(self.hosts, self.networks, self.origins | extra) if extra else self

    def allows_host(self, host: str, port: int) -> bool:
        name = host.lower().rstrip(".")
        return name in self.hosts or (name, port) in self.origins

    def refusal(self, address: Address) -> str | None:
        """Why `address` may not be reached, or None."""
        reason = why_internal(address)
        if reason is None or any(address in network for network in self.networks):
            return None
        return reason

    def permitted(self, host: str, port: int, addresses: Iterable[str]) -> list[str]:
        """The addresses of `host` that may be connected to; raises `OutboundRefused` if there is none."""
        candidates = list(dict.fromkeys(addresses))
        if self.allows_host(host, port):
            return candidates
        allowed: list[tuple[str, str | None]] = []
        refused: list[tuple[str, str | None]] = []
        for text in candidates:
            reason = self.refusal(ipaddress.ip_address(text))
            (refused if reason else allowed).append((text, reason))
        if allowed or not refused:
            return [text for text, _ in allowed]
        address, reason = refused[0]
        raise refused_error(host, port, address, str(reason))


def refused_error(host: str, port: int, address: str, reason: str) -> OutboundRefused:
    shown = host if host == address else f"{host} ({address})"
    return OutboundRefused(
        f"Refused to connect to {shown} port {port}: {address} is {reason}, and Headwater does not "
        "connect to internal addresses unless they are allowed.",
        hint=f"If Headwater should reach it, add {host} (or a network holding {address}) to {SETTING}, "
        f"a comma-separated list such as {SETTING}=127.0.0.1,10.0.0.0/8, and run the command again.",
    )


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (an address resolves to itself), without a zone id."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]).split("%", 1)[0] for info in infos]


def check_url(url: str, policy: OutboundPolicy) -> None:
    """Refuse now a URL whose host resolves only to addresses the policy refuses (before storing it).

    A host that does not resolve is left to the connect-time check: it may well resolve later.
    """
    origin = origin_of(url)
    if origin is None:
        return
    host, port = origin
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError):
        return
    policy.permitted(host, port, addresses)


class _CheckedBackend(httpcore.SyncBackend):
    """Opens TCP connections only to addresses the policy allows, resolved once, here."""

    def __init__(self, policy: OutboundPolicy) -> None:
        self.policy = policy

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from None
        error: Exception | None = None
        for address in self.policy.permitted(host, port, addresses):
            try:
                return super().connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        raise error or httpcore.ConnectError(f"{host} has no address to connect to")


class _CheckedPool(httpx.HTTPTransport):
    """httpx's own transport, with a network backend that applies one policy."""

    def __init__(self, policy: OutboundPolicy, tls: ssl.SSLContext) -> None:
        super().__init__(verify=tls, limits=_LIMITS)
        # httpx offers no public way to choose the network backend: replace the pool it built
        self._pool = httpcore.ConnectionPool(
            ssl_context=tls,
            max_connections=_LIMITS.max_connections,
            max_keepalive_connections=_LIMITS.max_keepalive_connections,
            keepalive_expiry=_LIMITS.keepalive_expiry,
            network_backend=_CheckedBackend(policy),
        )


@cache
def _tls() -> ssl.SSLContext:
    """One verifying TLS context per process: loading the CA bundle costs ~80 ms each time."""
    return httpx.create_ssl_context()


def _env_proxy(url: httpx.URL) -> str | None:
    proxies = urllib.request.getproxies_environment()
    proxy = proxies.get(url.scheme) or proxies.get("all")
    if not proxy or urllib.request.proxy_bypass(url.host):
        return None
    return proxy


class OutboundTransport(httpx.BaseTransport):
    """The transport every outbound client uses: a connection pool per policy, each checking addresses.

    One pool per policy, so that a connection opened under one policy is never reused by a request that
    another policy would have refused. `policy` serves requests that carry none.
    """

    def __init__(self, policy: OutboundPolicy | None = None, *, trust_env: bool = True) -> None:
        self.policy = policy
        self.trust_env = trust_env
        self._pools: dict[object, httpx.HTTPTransport] = {}
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        policy = request.extensions.get(EXTENSION) or self.policy or policy_from_environment()
        proxy = _env_proxy(request.url) if self.trust_env else None
        if proxy is not None:
            host, port = request.url.host, request.url.port or DEFAULT_PORTS.get(request.url.scheme, 80)
            try:
                addresses = resolve(host, port)
            except (OSError, UnicodeError):
                addresses = []  # the proxy resolves it; nothing here to check
            policy.permitted(host, port, addresses)
        return self._pool(policy, proxy).handle_request(request)

    def _pool(self, policy: OutboundPolicy, proxy: str | None) -> httpx.HTTPTransport:
        key: object = ("proxy", proxy) if proxy is not None else policy
        with self._lock:
            pool = self._pools.get(key)
            if pool is None:
                pool = (
                    httpx.HTTPTransport(verify=_tls(), limits=_LIMITS, proxy=proxy)
                    if proxy is not None
                    else _CheckedPool(policy, _tls())
                )
                self._pools[key] = pool
            return pool

    def close(self) -> None:
        with self._lock:
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.close()


def policy_from_environment() -> OutboundPolicy:
    from headwater.config import OutboundSettings

    return OutboundPolicy.from_allow_list(OutboundSettings().outbound_allow)


class OnBehalfOf(httpx.BaseTransport):
    """Requests made for one stored connection: the origins it names are allowed, whatever they are.

    Wraps the transport a caller gave (or the process's shared one) without taking it over: closing this
    leaves the inner transport to its owner, as provider clients expect of a transport they are handed.
    """

    def __init__(self, inner: httpx.BaseTransport | None, origins: Iterable[Origin]) -> None:
        self.inner = inner if inner is not None else shared_transport()
        self.origins = frozenset(origins)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        policy = request.extensions.get(EXTENSION) or policy_from_environment()
        request.extensions = {**request.extensions, EXTENSION: policy.trusting(self.origins)}
        return self.inner.handle_request(request)

    def close(self) -> None:
        """The inner transport belongs to whoever made it."""


_shared: dict[int, OutboundTransport] = {}
_shared_lock = threading.Lock()


def shared_transport() -> OutboundTransport:
    """One pool per process (rebuilt in a forked child, whose parent's sockets are not its own)."""
    pid = os.getpid()
    with _shared_lock:
        transport = _shared.get(pid)
        if transport is None:
            _shared.clear()
            transport = _shared[pid] = OutboundTransport()
        return transport
