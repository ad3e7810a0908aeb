"""Street addresses: a house number, a street name and a street type, confirmed by usaddress.

The street type must be one of the USPS suffixes that usaddress knows (`St`, `Avenue`, `Squares` ...),
which keeps "15 Pro" and "3 items left" out before the slower CRF parser runs. Words are expected to be
capitalised, as addresses are written, unless the field is named like an address. German and French
forms ("Hauptstraße 5", "12 rue de Rivoli") and PO boxes are recognised by pattern only, with less
confidence. A ZIP code or a city alone is not a street address.
"""

from __future__ import annotations

import re
from functools import lru_cache

import usaddress

from headwater.discovery.hints import Hints
from headwater.discovery.types import Hit

_SUFFIXES = frozenset(usaddress.STREET_NAMES)
_NUMBER = re.compile(r"(?<![\w#.,/$€£-])\d{1,6}[A-Za-z]?(?:-\d{1,4})?\s+(?=[A-Za-z])")
_ORDINAL = re.compile(r"^\d+(?:st|nd|rd|th)$", re.I)
#: German and Dutch street names end in a street word, the house number after ("Hauptstraße 5")
_GERMANIC = re.compile(
    r"(?:straße|strasse|str\.|weg|gasse|platz|allee|damm|ring|laan|straat|gracht)\s+\d{1,4}[a-z]?\b", re.I
)
_NAME_BEFORE = re.compile(r"[A-ZÄÖÜ][\wäöüß-]*\s?$")
#: French, Italian and Spanish ones start with the number ("12 rue de Rivoli")
_ROMANCE = re.compile(
    r"\b\d{1,4}(?:bis|ter)?,?\s+(?:rue|avenue|boulevard|bd|place|chemin|allée|impasse|quai|via|viale|calle)"
    r"\s+\w+",
    re.I,
)
#: cheap test before the European and PO box patterns: one of these words must be in the text
_KEYWORDS = (
    "stra", "str.", "weg", "gasse", "platz", "allee", "damm", "ring", "laan", "gracht", "rue", "avenue",
    "boulevard", "bd", "place", "chemin", "allée", "impasse", "quai", "via", "calle", "box",
)  # fmt: skip
_PO_BOX = re.compile(r"\bP\.?\s?O\.?\s+Box\s+\d{1,6}\b", re.I)
_PLACE_LABELS = frozenset({"PlaceName", "StateName", "ZipCode"})


def detect(text: str, digits: int, hints: Hints) -> Hit | None:
    if digits == 0 or " " not in text or len(text) > 500:
        return None
    hinted = hints.has("street_address")
    bonus = 0.1 if hinted else 0.0
    for match in _NUMBER.finditer(text):
        end = _street_end(text, match.end(), hinted)
        if end is None:
            continue
        confidence = _confirmed(text[match.start() : end + 45])
        if confidence is not None:
            return Hit(min(1.0, confidence + bonus), text[match.start() : end])
    lowered = text.lower()
    if not any(word in lowered for word in _KEYWORDS):
        return None
    european = _european(text)
    if european is not None:
        return Hit(0.7 + bonus, european)
    po_box = _PO_BOX.search(text)
    if po_box is not None and (hinted or digits >= 5):
        return Hit(0.6 + bonus, po_box.group(0))
    return None


def _european(text: str) -> str | None:
    for match in _GERMANIC.finditer(text):
        name = _NAME_BEFORE.search(text, max(0, match.start() - 40), match.start())
        if name is not None:
            return text[name.start() : match.end()]
    romance = _ROMANCE.search(text)
    return romance.group(0) if romance else None


def _street_end(text: str, start: int, hinted: bool) -> int | None:
    """Where the street type ends, if one follows within four words of capitalised street name."""
    position = start
    for index, word in enumerate(text[start : start + 80].split()[:5]):
        position = text.index(word, position) + len(word)
        bare = word.rstrip(".,;")
        if not bare or not (hinted or bare[0].isupper() or _ORDINAL.match(bare)):
            return None
        if index >= 1 and bare.lower() in _SUFFIXES:
            return position - (len(word) - len(bare))
    return None


@lru_cache(maxsize=8192)
def _confirmed(candidate: str) -> float | None:
    """usaddress's reading of the street and what follows it (cached: an address recurs across values)."""
    try:
        parsed, kind = usaddress.tag(candidate)
    except usaddress.RepeatedLabelError:
        return None
    if kind != "Street Address" or "AddressNumber" not in parsed or "StreetName" not in parsed:
        return None
    return 0.85 if _PLACE_LABELS & parsed.keys() else 0.75
