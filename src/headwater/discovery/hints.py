"""Field names as evidence: `user_phone_str` or `PageUrl?email` make a type more likely, never certain.

A hint raises a detector's confidence and lets it accept forms it would otherwise ignore (a bare
ten-digit number in a `phone` field); the values still have to match. Only the last two segments of a
path are read, so `user_properties.phone` and `evt_billing.address.line1` both say what they hold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from headwater.discovery.types import PiiType

_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_SPLIT = re.compile(r"[^a-z0-9]+")
_SEGMENTS = re.compile(r"[.?\[\]]+")
#: FullStory's type suffixes on custom properties (`user_phone_str`) say nothing about content
_TYPE_SUFFIXES = frozenset({"str", "strs", "int", "ints", "real", "reals", "bool", "bools", "date", "dates"})


def _words(text: str) -> list[str]:
    return text.split()


_WORDS: dict[PiiType, frozenset[str]] = {
    "email": frozenset({"email", "emails", "mail", "emailaddress", "mailaddress"}),
    "phone": frozenset(
        {"phone", "phones", "tel", "telephone", "mobile", "cell", "cellphone", "msisdn", "fax", "sms"}
    ),
    "payment_card": frozenset({"card", "cc", "pan", "creditcard", "cardnumber", "ccnumber", "debit"}),
    "ip_address": frozenset({"ip", "ipaddress", "ipv4", "ipv6", "remoteaddr", "clientip"}),
    "street_address": frozenset(
        {"address", "street", "addr", "addressline", "line1", "line2", "shipping", "billing", "postal"}
    ),
    "national_id": frozenset(
        _words(
            "ssn sin nino nin nationalid national nid tin taxid passport personnummer bsn pesel nir dni nie "
            "cpf aadhaar idnr social"
        )
    ),
    "iban": frozenset({"iban", "bank", "bankaccount", "sepa", "bic"}),
    "date_of_birth": frozenset({"dob", "birth", "birthday", "birthdate", "bday", "born", "dateofbirth"}),
}
_NAME_WORDS = frozenset({"name", "names", "fullname", "firstname", "lastname", "surname", "displayname"})
_NAME_QUALIFIERS = frozenset(
    _words(
        "first last full display given family middle sur customer contact person user recipient holder "
        "cardholder real legal maiden nick"
    )
)
#: `PageName`, `EventCustomName`, `product_name` name things, not people
_NOT_PEOPLE = frozenset(
    _words(
        "page event custom product app file company browser device os host domain category plan campaign "
        "brand model city country region street screen view feature flag experiment variant item sku org "
        "organization team project group step action type element button class tag title"
    )
)
#: a version or build number is the classic dotted quad that is not an IP address
_NEGATIVE: dict[PiiType, frozenset[str]] = {
    "ip_address": frozenset({"version", "ver", "build", "release", "sdk"}),
}


@dataclass(frozen=True, slots=True)
class Hints:
    """What a field's name suggests: types it points to, and types it argues against."""

    positive: frozenset[PiiType]
    negative: frozenset[PiiType]

    def has(self, pii_type: PiiType) -> bool:
        return pii_type in self.positive

    def against(self, pii_type: PiiType) -> bool:
        return pii_type in self.negative


NO_HINTS = Hints(frozenset(), frozenset())


def tokens(path: str, segments: int = 2) -> list[str]:
    """Lower-case words of the last segments: `event_properties.shippingAddress` -> ..., shipping, address."""
    parts = [part for part in _SEGMENTS.split(path) if part]
    tail = " ".join(parts[-segments:]) if parts else path
    words = [word for word in _SPLIT.split(_CAMEL.sub(r"\1 \2", tail).lower()) if word]
    return [word for word in words if word not in _TYPE_SUFFIXES]


@lru_cache(maxsize=4096)
def hints_for(path: str) -> Hints:
    words = tokens(path)
    leaf = tokens(path, 1)
    joined = "".join(leaf)
    found: set[PiiType] = set()
    present = set(words)
    for pii_type, vocabulary in _WORDS.items():
        if present & vocabulary or joined in vocabulary:
            found.add(pii_type)
    if "street_address" in found and present & {"ip", "email", "mail", "mac"}:
        found.discard("street_address")  # `ip_address`, `email_address`
    if _names_a_person(leaf, set(leaf)):
        found.add("person_name")
    negative = {pii_type for pii_type, words_against in _NEGATIVE.items() if set(leaf) & words_against}
    if set(leaf) & _NOT_PEOPLE and "person_name" not in found:
        negative.add("person_name")  # a `city` of "Jordan", a `company` of "Ward Hall"
    return Hints(frozenset(found), frozenset(negative))


def _names_a_person(words: list[str], present: set[str]) -> bool:
    if present & _NOT_PEOPLE and not present & {"user", "customer", "contact", "person", "holder"}:
        return False
    if present & (_NAME_WORDS - {"name", "names"}):
        return True
    if "name" in present or "names" in present:
        return bool(present & _NAME_QUALIFIERS) or words == ["name"]
    return False
