"""People's names, without a language model: capitalised words checked against name lists and a parser.

A whole value such as "Anna Schmidt" counts when its first word is a known given name and its last a
known surname; when only the given name is known, probablepeople (a CRF parser trained on US names) has
to read it as a person. Inside text, only greetings and introductions count ("Hi, Anna", "my name is
Anna Schmidt"). A field named like a name (`display_name`, `first_name`) lets single names count too.
Evidence is thinner than for checksummed ids, and the confidences say so.
"""

from __future__ import annotations

import re

import probablepeople

from headwater.discovery.hints import Hints
from headwater.discovery.lexicon import NameLexicon, lexicon
from headwater.discovery.types import Hit

_WORD = re.compile(r"^(?:[A-Z][^\W\d_]*\.?|[A-Z][^\W\d_]+(?:[-'\u2019][A-Z]?[^\W\d_]+)*)$")
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "madam"})
#: first words of place names ("North Jennifer", "Lake Jamie") that some locales also give as names
_PLACE_WORDS = frozenset(
    {"north", "south", "east", "west", "new", "old", "lake", "port", "mount", "fort", "saint", "san", "santa"}
)
_COMPANY = frozenset(
    {"inc", "llc", "ltd", "plc", "gmbh", "ag", "sa", "bv", "co", "corp", "group", "sons", "company", "and"}
)
_CAPITALISED = r"[A-Z][^\W\d_]+(?:[-'\u2019][A-Z]?[^\W\d_]+)*"
_NAME = rf"(?P<name>{_CAPITALISED}(?:\s+{_CAPITALISED}){{0,2}})"
_GREETING = re.compile(
    r"\b(?:hi|hello|hey|dear|welcome(?: back)?|thanks|thank you|goodbye|bye|cheers|congratulations|"
    r"signed in as|logged in as|my name is|name is|i am|i'm|this is)[,:!]?\s+" + _NAME,
    re.I,
)


def detect(text: str, digits: int, hints: Hints) -> Hit | None:
    hinted = hints.has("person_name")
    if len(text) > 300 or not (hinted or text != text.lower()):
        return None
    names = lexicon()
    whole = None if hints.against("person_name") else _whole_value(text.strip(), names, hinted)
    if whole is not None:
        return whole
    if digits > 6:
        return None
    for match in _GREETING.finditer(text):
        words = match.group("name").split()
        if words[0] in names.given and words[0].lower() not in _TITLES:
            return Hit(0.7 if hinted else 0.6, match.group("name"))
    return None


def _whole_value(value: str, names: NameLexicon, hinted: bool) -> Hit | None:
    words = value.split()
    if words and words[0].rstrip(".").lower() in _TITLES:
        words = words[1:]
    if not 1 <= len(words) <= 4 or any(word.rstrip(".").lower() in _COMPANY for word in words):
        return None
    if hinted and (value.islower() or value.isupper()):
        words = [word.capitalize() for word in words]
    if not all(_WORD.match(word) for word in words):
        return None
    first, last = words[0], words[-1]
    if not hinted and first.lower() in _PLACE_WORDS:
        return None
    if len(words) == 1:
        if not hinted or len(first) < 2 or first.endswith("."):
            return None
        return Hit(0.85 if first in names.given or first in names.surnames else 0.6, value)
    if first in names.given and last in names.surnames:
        return Hit(0.95 if hinted else 0.75, value)
    if hinted and (first in names.given or last in names.surnames):
        return Hit(0.9, value)
    if (first in names.given or hinted) and _parses_as_person(value):
        return Hit(0.75 if hinted else 0.55, value)
    return None


def _parses_as_person(value: str) -> bool:
    try:
        parsed, kind = probablepeople.tag(value)
    except probablepeople.RepeatedLabelError:
        return False
    return kind == "Person" and "Surname" in parsed and ("GivenName" in parsed or "FirstInitial" in parsed)
