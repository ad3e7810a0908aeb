"""Phone numbers, validated with phonenumbers (Google's libphonenumber metadata).

International numbers (`+44 20 7946 0958`) are accepted anywhere. Numbers without a country code count
only when written with separators, or in a field whose name says phone (a bare run of ten digits is far
more often an id than a phone): read as US numbers, or, when they start with a trunk prefix 0 as most
other countries write them (`020 7946 0958`), as a number of one of the common regions, with less
confidence since such a number is valid in several. Dotted quads, dates and long digit runs (ids,
cards) are rejected before the comparatively slow parser runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

import phonenumbers

from headwater.discovery.hints import Hints
from headwater.discovery.types import Hit

DEFAULT_REGION = "US"
TRUNK_ZERO_REGIONS = ("GB", "DE", "FR", "IN", "AU", "IT", "ES", "NL", "BR")
#: not right after a group of capitals or digits and a space: that is the tail of an IBAN or a reference
_CANDIDATE = re.compile(r"(?<![\w+/.:#-])(?<![A-Z0-9]{4} )(?:\+|00|\()?\d[\d ().-]{5,22}\d(?![\w/:-]|\.\d)")
#: how North American numbers are written without their country code
_NANP = re.compile(r"^(?:1[ .-]?)?(?:\(\d{3}\) ?\d{3}[ .-]\d{4}|\d{3}([ .-])\d{3}\1\d{4}|\d{10})$")
_NO_DIGITS = str.maketrans("", "", "0123456789")
_DOTTED_QUAD = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
_DATE_LIKE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[.-]\d{1,2}[.-]\d{4}")
_SEPARATED = re.compile(r"\d[ ().-]+\d")
_LAST_GROUP = re.compile(r"[ ().-]+\(?\d+\)?$")


def detect(text: str, digits: int, hints: Hints) -> Hit | None:
    if digits < 7:
        return None
    hinted = hints.has("phone")
    for match in _CANDIDATE.finditer(text):
        run = match.group(0)
        if _DOTTED_QUAD.match(run) or _DATE_LIKE.search(run):
            continue
        for candidate in _shortened(run):
            international = candidate[0] == "+" or candidate.startswith("00")
            if not (international or _national_shape(candidate, hinted)):
                continue
            count = len(candidate) - len(candidate.translate(_NO_DIGITS))
            if not 7 <= count <= 15:
                continue
            if not (international or hinted or _SEPARATED.search(candidate)):
                continue
            confidence = _confidence(candidate, international)
            if confidence:
                return Hit(min(1.0, confidence + (0.1 if hinted else 0.0)), candidate)
    return None


def _national_shape(candidate: str, hinted: bool) -> bool:
    """Written as a national number: a trunk 0, a North American grouping, or bare digits in a phone field."""
    return (
        candidate.lstrip("(").startswith("0")
        or bool(_NANP.match(candidate))
        or (hinted and candidate.isdigit())
    )


def _shortened(candidate: str) -> Iterator[str]:
    """The run itself, then without its last one or two groups: "+44 20 7946 0958 (0" holds a number."""
    yield candidate
    for _ in range(2):
        head = _LAST_GROUP.sub("", candidate)
        if head == candidate or not head:
            return
        yield head
        candidate = head


def _confidence(candidate: str, international: bool) -> float:
    if international:
        return 0.9 if _valid(candidate, None) else 0.0
    if candidate.lstrip("(").startswith("0"):
        return 0.7 if any(_valid(candidate, region) for region in TRUNK_ZERO_REGIONS) else 0.0
    return 0.8 if _valid(candidate, DEFAULT_REGION) else 0.0  # "850312-1234" never gets here: not NANP


@lru_cache(maxsize=16_384)
def _valid(candidate: str, region: str | None) -> bool:
    """Cached: the same number tends to turn up in several fields (profile, URL, free text)."""
    text = "+" + candidate[2:] if candidate.startswith("00") else candidate
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number)
