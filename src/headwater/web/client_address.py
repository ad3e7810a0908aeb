"""The address a request came from, for throttling logins per client.

Behind a reverse proxy every request comes from the proxy, so all clients would share one count (and an
attacker could throttle everybody). `X-Forwarded-For` names the real client, but anyone can send that
header: it is read only when the request comes from an address the admin lists as a trusted proxy
(`HEADWATER_TRUSTED_PROXIES`, CIDRs), and then from the right, skipping trusted hops, so a value the
client made up in front of what the proxies appended is never taken.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from fastapi import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str) -> tuple[Network, ...]:
    """`10.0.0.0/8, 127.0.0.1` -> networks; ValueError names a part that is not an address or CIDR."""
    networks = []
    for part in text.split(","):
        if part.strip():
            try:
                networks.append(ipaddress.ip_network(part.strip(), strict=False))
            except ValueError:
                raise ValueError(f"{part.strip()[:60]!r} is not an IP address or a CIDR range") from None
    return tuple(networks)


def _trusted(address: str, trusted: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_address(request: Request, trusted: Sequence[Network]) -> str:
    peer = request.client.host if request.client else "unknown"
    if not _trusted(peer, trusted):
        return peer
    hops = [hop.strip() for value in request.headers.getlist("x-forwarded-for") for hop in value.split(",")]
    for hop in reversed(hops):
        if not _trusted(hop, trusted):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # not an address a proxy would append: keep what we know for sure
    return hops[0] if hops else peer
