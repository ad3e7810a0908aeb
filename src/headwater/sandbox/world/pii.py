"""Ground truth of the personal data planted in the world, plus values that only look personal."""

from __future__ import annotations

import hashlib
import random

NO_PII: frozenset[str] = frozenset()

PLANTED_PII: dict[str, frozenset[str]] = {
    # Field names are provider-neutral: "user.<property>", "event.<property>", "<url field>?<query param>",
    # and the bare event fields "target_text", "ip". An empty set marks a decoy that holds no personal data.
    "user.email": frozenset({"email"}),
    "user.display_name": frozenset({"person_name"}),
    "user.phone": frozenset({"phone"}),
    "user.street_address": frozenset({"street_address"}),
    "user.date_of_birth": frozenset({"date_of_birth"}),
    "user.plan": NO_PII,
    "user.signup_source": NO_PII,
    "user.company": NO_PII,
    "user.zip_code": NO_PII,
    "user.device_model": NO_PII,
    "user.app_version": NO_PII,
    "user.email_sha256": NO_PII,
    "user.lifetime_value": NO_PII,
    "user.account_id": NO_PII,
    "event.note": frozenset({"email", "phone", "street_address"}),
    "event.card_hint": frozenset({"payment_card"}),
    "event.national_id": frozenset({"national_id"}),
    "event.iban": frozenset({"iban"}),
    "event.date_of_birth": frozenset({"date_of_birth"}),
    "event.query": frozenset({"email"}),
    "event.order_id": NO_PII,
    "event.revenue": NO_PII,
    "event.currency": NO_PII,
    "event.request_id": NO_PII,
    "event.email_sha256": NO_PII,
    "event.app_version": NO_PII,
    "event.device_model": NO_PII,
    "event.results": NO_PII,
    "page_url?email": frozenset({"email"}),
    "page_url?phone": frozenset({"phone"}),
    "page_url?order": NO_PII,
    "page_url?q": frozenset({"email"}),
    "page_url?token": NO_PII,
    "referrer?email": frozenset({"email"}),
    "referrer?phone": frozenset({"phone"}),
    "target_text": frozenset({"email", "phone", "street_address", "payment_card", "person_name"}),
    "ip": frozenset({"ip_address"}),
}

DEVICE_MODELS = ("iPhone 15 Pro", "Pixel 8", "Galaxy S23", "iPhone 13 mini", "OnePlus 11")
APP_VERSIONS = ("4.12.3", "4.13.0", "5.0.1", "3.9.27")


def luhn_valid(digits: str) -> bool:
    return _luhn_sum(digits, doubled_first=False) % 10 == 0


def _luhn_sum(digits: str, *, doubled_first: bool) -> int:
    """Luhn sum from the rightmost digit; ``doubled_first`` when a check digit is still to be appended."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if (position % 2 == 0) == doubled_first:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total


def order_number(rng: random.Random) -> str:
    """Sixteen digits like a card number, but failing the Luhn check: a decoy."""
    digits = f"{rng.randrange(10**16):016d}"
    if luhn_valid(digits):
        digits = digits[:-1] + str((int(digits[-1]) + 1) % 10)
    return digits


def email_sha256(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()


def price(rng: random.Random) -> float:
    return round(rng.uniform(4, 400), 2)


def hex_token(rng: random.Random, length: int = 24) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(length))


def uuid_text(rng: random.Random) -> str:
    value = f"{rng.getrandbits(128):032x}"
    return f"{value[:8]}-{value[8:12]}-4{value[13:16]}-a{value[17:20]}-{value[20:32]}"


def card_number(rng: random.Random) -> str:
    """A Luhn-valid 16-digit Visa-like number, grouped in fours as people type it."""
    body = "4" + f"{rng.randrange(10**14):014d}"
    digits = body + str(-_luhn_sum(body, doubled_first=True) % 10)
    return " ".join(digits[i : i + 4] for i in range(0, 16, 4))


def iban(rng: random.Random) -> str:
    """A German IBAN whose mod-97 check digits are right."""
    bban = f"{rng.randrange(10**18):018d}"
    rearranged = int(bban + "131400")  # "DE00" moved to the end, letters as numbers
    check = 98 - rearranged % 97
    return f"DE{check:02d}{bban}"
