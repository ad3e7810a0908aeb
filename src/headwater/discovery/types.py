"""The vocabulary of discovery: the personal-data types, likelihoods, and what a detector reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

PiiType = Literal[
    "email",
    "phone",
    "payment_card",
    "ip_address",
    "street_address",
    "person_name",
    "national_id",
    "iban",
    "date_of_birth",
]
PII_TYPES: Final[tuple[PiiType, ...]] = (
    "email",
    "phone",
    "payment_card",
    "ip_address",
    "street_address",
    "person_name",
    "national_id",
    "iban",
    "date_of_birth",
)

Likelihood = Literal["very_likely", "likely", "possible"]
LIKELIHOODS: Final[tuple[Likelihood, ...]] = ("very_likely", "likely", "possible")


@dataclass(frozen=True, slots=True)
class Hit:
    """One value's evidence for one type.

    `weak` marks shape-and-checksum evidence that random numbers also pass at a known base rate (a bare
    16-digit number passes Luhn one time in ten); a field's weak hits only count when most of its
    candidates pass. `text` is the matched span, kept only for Preview mode and never logged.
    """

    confidence: float
    text: str
    weak: bool = False

    def __repr__(self) -> str:
        return f"Hit(confidence={self.confidence}, weak={self.weak})"


#: a candidate of the right shape that failed validation (counts against a field's weak hits)
FAILED: Final = Hit(0.0, "", weak=True)
