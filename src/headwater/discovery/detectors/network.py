"""IP addresses (v4 and v6), validated by `ipaddress`.

The dotted quad inside `Chrome/124.0.0.0` is a version, so an address must not touch a slash, a letter
or another dot; a field named like a version or build number argues against the type altogether.
Loopback, unspecified and similar addresses are reported with less confidence: they identify no one.
"""

from __future__ import annotations

import ipaddress
import re

from headwater.discovery.hints import Hints
from headwater.discovery.types import Hit

_V4 = re.compile(r"(?<![\w.:/-])(?:\d{1,3}\.){3}\d{1,3}(?![\w:/-]|\.\w)")
_V6 = re.compile(
    r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?![\w:])"
)


def detect(text: str, digits: int, hints: Hints) -> Hit | None:
    if hints.against("ip_address"):
        return None
    if digits >= 4 and "." in text:
        for match in _V4.finditer(text):
            confidence = _v4_confidence(match.group(0))
            if confidence:
                return Hit(min(1.0, confidence + (0.1 if hints.has("ip_address") else 0.0)), match.group(0))
    if "::" in text or text.count(":") >= 7:
        for match in _V6.finditer(text):
            candidate = match.group(0)
            if candidate.strip(":") and ("::" in candidate or candidate.count(":") == 7):
                hit = _checked(candidate, hints)
                if hit is not None:
                    return hit
    return None


def _v4_confidence(candidate: str) -> float:
    """Validity as `ipaddress` checks it, without building objects (this runs on every dotted quad)."""
    parts = candidate.split(".")
    if any(len(part) > 1 and part[0] == "0" for part in parts):
        return 0.0  # leading zeros are not an address (nor accepted by `ipaddress`)
    octets = [int(part) for part in parts]
    if max(octets) > 255:
        return 0.0
    first, second = octets[0], octets[1]
    if first in (0, 127) or first >= 224 or candidate == "255.255.255.255":
        return 0.5  # unspecified, loopback, multicast, reserved
    if first == 10 or (first == 172 and 16 <= second <= 31) or (first == 192 and second == 168):
        return 0.8  # private ranges: still a device's address
    if (first == 169 and second == 254) or (first == 100 and 64 <= second <= 127):
        return 0.8  # link-local, carrier-grade NAT
    return 0.9


def _checked(candidate: str, hints: Hints) -> Hit | None:
    try:
        address = ipaddress.ip_address(candidate)
    except ValueError:
        return None
    if address.is_unspecified or address.is_loopback or address.is_multicast or address.is_reserved:
        confidence = 0.5
    elif address.is_global:
        confidence = 0.9
    else:
        confidence = 0.8  # private ranges: still a device's address
    return Hit(min(1.0, confidence + (0.1 if hints.has("ip_address") else 0.0)), candidate)
