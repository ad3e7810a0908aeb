"""IBANs: country code, check digits and the country's length and format, via python-stdnum."""

from __future__ import annotations

import re

from stdnum import iban as stdnum_iban

from headwater.discovery.hints import Hints
from headwater.discovery.types import FAILED, Hit

_CANDIDATE = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,3})?(?![A-Za-z0-9])"
)


def detect(text: str, digits: int, hints: Hints) -> Hit | None:
    if digits < 8:
        return None
    result: Hit | None = None
    for match in _CANDIDATE.finditer(text):
        candidate = match.group(0)
        if not candidate[:2].isupper() and not hints.has("iban"):
            continue
        if stdnum_iban.is_valid(candidate.upper()):
            return Hit(1.0 if hints.has("iban") else 0.95, candidate)
        result = FAILED
    return result
