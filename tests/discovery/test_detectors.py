"""Each detector on values that hold its type, and on the look-alikes that must not count."""

from __future__ import annotations

import pytest

from headwater.discovery.detectors import DETECTORS
from headwater.discovery.hints import hints_for
from headwater.discovery.types import FAILED, PiiType

DETECT = dict(DETECTORS)


def found(pii_type: PiiType, value: str, path: str = "value") -> bool:
    hit = DETECT[pii_type](value, sum(char.isdigit() for char in value), hints_for(path))
    return hit is not None and hit is not FAILED and hit.confidence > 0


POSITIVES: list[tuple[PiiType, str, str]] = [
    ("email", "anna.smith@example.com", "value"),
    ("email", "My new email is j.doe+news@mail.example.co.uk, please update it", "note"),
    ("email", "https://x.example/reset?email=anna%40example.com", "value"),
    ("phone", "+1 415 555 0137", "value"),
    ("phone", "call me on +44 20 7946 0958", "note"),
    ("phone", "(415) 555-0137", "value"),
    ("phone", "020 7946 0958", "value"),
    ("phone", "4155550137", "user_phone_str"),
    ("payment_card", "4111 1111 1111 1111", "value"),
    ("payment_card", "card 5500-0000-0000-0004 exp 05/27", "note"),
    ("payment_card", "378282246310005", "card_number"),
    ("ip_address", "203.0.113.9", "value"),
    ("ip_address", "from 198.51.100.23 at noon", "note"),
    ("ip_address", "2001:db8::8a2e:370:7334", "value"),
    ("street_address", "0487 Hopkins Squares Apt. 612, Lake Jamie, CA 94107", "value"),
    ("street_address", "Parcel never arrived at 221B Baker Street, London", "note"),
    ("street_address", "Hauptstraße 5, 10115 Berlin", "value"),
    ("person_name", "Anna Schmidt", "value"),
    ("person_name", "Hi, Anna", "EventTargetText"),
    ("person_name", "Olusegun", "first_name"),
    ("national_id", "536-22-1234", "value"),
    ("national_id", "756.9217.0769.85", "value"),
    ("national_id", "12345678Z", "value"),
    ("national_id", "536221234", "ssn"),
    ("iban", "DE89 3704 0044 0532 0130 00", "value"),
    ("iban", "GB82WEST12345698765432", "value"),
    ("date_of_birth", "1985-03-12", "date_of_birth"),
    ("date_of_birth", "born 12 March 1985 in Leeds", "bio"),
    ("date_of_birth", "DOB: 03/12/1985", "note"),
]

NEGATIVES: list[tuple[PiiType, str, str]] = [
    ("email", "logo@2x.png", "value"),
    ("email", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "email_sha256"),
    ("phone", "4155550137", "value"),  # a bare run of digits is an id unless the field says phone
    ("phone", "2024-01-01 00:00:05", "value"),
    ("phone", "212.555.123.4", "value"),
    ("phone", "850312-1234", "value"),
    ("phone", "NL91 ABNA 0417 1643 00", "value"),
    ("payment_card", "4111 1111 1111 1112", "value"),  # fails Luhn
    ("payment_card", "Order #4532015112830366", "value"),
    ("payment_card", "12345678-1234-4123-a123-123456789012", "value"),
    ("ip_address", "Chrome/124.0.0.0 Safari/537.36", "value"),
    ("ip_address", "4.12.3", "value"),
    ("ip_address", "5.1.0.0", "app_version"),
    ("ip_address", "12:30:45", "value"),
    ("street_address", "94107", "value"),
    ("street_address", "iPhone 15 Pro", "value"),
    ("street_address", "Springfield, IL 62704", "value"),
    ("street_address", "3 items is left", "value"),
    ("person_name", "Mobile Safari", "value"),
    ("person_name", "Bennett and Sons", "value"),
    ("person_name", "North Jennifer", "value"),
    ("person_name", "Jordan", "city"),
    ("person_name", "Order Confirmation", "PageName"),
    ("national_id", "123-45-6789x", "value"),
    ("national_id", "078-05-1120", "value"),  # the famous wallet SSN, invalid by rule
    ("national_id", "4111 1111 1111 1111", "value"),
    ("iban", "DE00 3704 0044 0532 0130 00", "value"),
    ("date_of_birth", "2024-01-01 00:00:05.123000", "date_of_birth"),
    ("date_of_birth", "2019-01-01", "value"),  # too recent to be an adult's birthday, no hint
    ("date_of_birth", "4.12.3", "value"),
]


@pytest.mark.parametrize(("pii_type", "value", "path"), POSITIVES)
def test_detects(pii_type: PiiType, value: str, path: str) -> None:
    assert found(pii_type, value, path)


@pytest.mark.parametrize(("pii_type", "value", "path"), NEGATIVES)
def test_ignores_look_alikes(pii_type: PiiType, value: str, path: str) -> None:
    assert not found(pii_type, value, path)


def test_bare_card_digits_are_weak_and_failed_luhn_is_a_failed_candidate() -> None:
    detect = DETECT["payment_card"]
    weak = detect("4111111111111111", 16, hints_for("value"))
    assert weak is not None and weak.weak
    assert detect("4111111111111112", 16, hints_for("value")) is FAILED


def test_hit_repr_never_shows_the_value() -> None:
    hit = DETECT["email"]("anna.smith@example.com", 0, hints_for("value"))
    assert hit is not None and "anna" not in repr(hit)
