"""One detector per family of personal data, each `detect(text, digits, hints) -> Hit | None`.

`digits` is the number of digits in `text`, counted once per value by the classifier, so that each
detector can leave early: most values of event data (labels, ids, timestamps) are rejected by a
character-class gate before any regular expression runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

from headwater.discovery.detectors import address, bank, card, dates, email, names, national, network, phone
from headwater.discovery.hints import Hints
from headwater.discovery.types import Hit, PiiType

DetectFunction: TypeAlias = Callable[[str, int, Hints], Hit | None]

#: cheapest first; the order only matters for speed, every detector sees every value
DETECTORS: tuple[tuple[PiiType, DetectFunction], ...] = (
    ("email", email.detect),
    ("ip_address", network.detect),
    ("iban", bank.detect),
    ("payment_card", card.detect),
    ("national_id", national.detect),
    ("phone", phone.detect),
    ("date_of_birth", dates.detect),
    ("street_address", address.detect),
    ("person_name", names.detect),
)


def active(*, presidio: bool = False) -> tuple[tuple[PiiType, DetectFunction], ...]:
    """Our detectors, joined type by type with Presidio's when asked (a value counts once per type)."""
    if not presidio:
        return DETECTORS
    from headwater.discovery.detectors import presidio as presidio_plugin

    groups: dict[PiiType, list[DetectFunction]] = {pii_type: [detect] for pii_type, detect in DETECTORS}
    for pii_type, detect in presidio_plugin.detectors():
        groups.setdefault(pii_type, []).append(detect)
    return tuple((pii_type, _best_of(functions)) for pii_type, functions in groups.items())


def _best_of(functions: list[DetectFunction]) -> DetectFunction:
    if len(functions) == 1:
        return functions[0]

    def detect(text: str, digits: int, hints: Hints) -> Hit | None:
        best: Hit | None = None
        for function in functions:
            hit = function(text, digits, hints)
            if hit is not None and (best is None or hit.confidence > best.confidence):
                best = hit
        return best

    return detect


__all__ = ["DETECTORS", "DetectFunction", "active"]
