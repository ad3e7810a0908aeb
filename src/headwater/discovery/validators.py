"""Checks that separate real identifiers from look-alikes: checksums, issuer ranges, calendar sanity.

Each returns a plain bool and never raises; national ids and IBANs are left to python-stdnum, phones to
phonenumbers and IP addresses to `ipaddress` in their detectors.
"""

from __future__ import annotations

import re
from datetime import date

_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def luhn(digits: str) -> bool:
    """Mod-10 checksum of card numbers (and Canadian SINs); `digits` holds digits only."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        total += _DOUBLED[value] if position % 2 else value
    return total % 10 == 0


# (first digits, lengths) of the major card networks' issuer ranges
_CARD_RANGES: tuple[tuple[int, int, frozenset[int]], ...] = (
    (4, 4, frozenset({13, 16, 19})),  # Visa
    (51, 55, frozenset({16})),  # Mastercard
    (2221, 2720, frozenset({16})),  # Mastercard 2-series
    (34, 34, frozenset({15})),  # American Express
    (37, 37, frozenset({15})),
    (6011, 6011, frozenset({16, 19})),  # Discover
    (644, 649, frozenset({16, 19})),
    (65, 65, frozenset({16, 19})),
    (3528, 3589, frozenset({16, 17, 18, 19})),  # JCB
    (300, 305, frozenset({14, 16, 19})),  # Diners Club
    (36, 36, frozenset({14, 16, 19})),
    (38, 39, frozenset({16, 19})),
    (62, 62, frozenset({16, 17, 18, 19})),  # UnionPay
    (5018, 5018, frozenset({12, 13, 14, 15, 16, 17, 18, 19})),  # Maestro
    (5020, 5020, frozenset({12, 13, 14, 15, 16, 17, 18, 19})),
    (5038, 5038, frozenset({12, 13, 14, 15, 16, 17, 18, 19})),
    (6304, 6304, frozenset({12, 13, 14, 15, 16, 17, 18, 19})),
    (6759, 6759, frozenset({12, 13, 14, 15, 16, 17, 18, 19})),
    (6761, 6763, frozenset({12, 13, 14, 15, 16, 17, 18, 19})),
)


def _by_prefix() -> dict[str, frozenset[int]]:
    table: dict[str, set[int]] = {}
    for low, high, lengths in _CARD_RANGES:
        for prefix in range(low, high + 1):
            table.setdefault(str(prefix), set()).update(lengths)
    return {prefix: frozenset(lengths) for prefix, lengths in table.items()}


_LENGTHS_BY_PREFIX = _by_prefix()


def card_issuer_known(digits: str) -> bool:
    """True when the number starts in a card network's issuer range and has a length it issues."""
    length = len(digits)
    for width in (1, 2, 3, 4):
        lengths = _LENGTHS_BY_PREFIX.get(digits[:width])
        if lengths is not None and length in lengths:
            return True
    return False


_NINO = re.compile(r"^(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]$")


def uk_nino(compact: str) -> bool:
    """UK National Insurance number: prefix letters from the allowed set, six digits, suffix A-D."""
    return bool(_NINO.match(compact))


def plausible_birth_date(day: date, today: date, *, min_age: int = 0, max_age: int = 120) -> bool:
    """A date that could be someone's birthday: in the past, and at most `max_age` years ago."""
    age = today.year - day.year - ((today.month, today.day) < (day.month, day.day))
    return min_age <= age <= max_age and day <= today


def make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
