"""Which addresses are internal, and the syntax of the allow-list that lets some of them through.

Plain address arithmetic, no I/O. It stands apart from the connection code in `outbound` so that the
settings can check `HEADWATER_OUTBOUND_ALLOW` as they are read while `outbound` reads the settings.
"""

from __future__ import annotations

import ipaddress

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

METADATA = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200", "169.254.170.2")
)
_UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def parse_allow_list(text: str) -> tuple[frozenset[str], tuple[Network, ...]]:
    """`host,10.0.0.0/8,::1` -> (host names, networks); a bad entry is a `ValueError` naming it."""
    hosts: set[str] = set()
    networks: list[Network] = []
    for raw in text.split(","):
        entry = raw.strip().strip("[]").lower().rstrip(".")
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
            continue
        except ValueError:
            pass
        labels = entry.split(".")
        if not all(
            label and len(label) <= 63 and label.replace("-", "").replace("_", "").isalnum()
            for label in labels
        ):
            raise ValueError(f"{raw.strip()!r} is not a host name, an address or a network (a.b.c.d/n)")
        hosts.add(entry)
    return frozenset(hosts), tuple(networks)


def why_internal(address: Address) -> str | None:
    """What kind of internal address this is, or None for a public one."""
    if address in METADATA:
        return "the cloud metadata service"
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None:
            kind = why_internal(inner)
            return f"{kind}, written as IPv6" if kind else None
    checks = (
        (address.is_unspecified, "an unspecified address"),
        (address.is_loopback, "a loopback address"),
        (address.is_link_local, "a link-local address"),
        (address.is_multicast, "a multicast address"),
        (address in _UNIQUE_LOCAL, "a unique-local address"),
        (address.is_private, "a private address"),
        (address.is_reserved or not address.is_global, "a reserved or shared address"),
    )
    return next((reason for matched, reason in checks if matched), None)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None
