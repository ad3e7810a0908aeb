"""Microsoft Presidio's recognizers as extra detectors, for those who install `headwater[presidio]`.

Only recognizers that need no NLP engine are used: Presidio's NLP engine wants a spaCy model, which
would be downloaded at run time. That leaves its pattern and checksum recognizers (email, phone, card,
IP, IBAN and many countries' ids), which widen the national ids covered. Their findings join ours type
by type: a value counts once per type, with the higher confidence.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import cache
from typing import Any

from headwater.discovery.hints import Hints
from headwater.discovery.types import Hit, PiiType
from headwater.errors import BadInput

log = logging.getLogger(__name__)
MIN_SCORE = 0.5
_OURS: dict[str, PiiType] = {
    "EMAIL_ADDRESS": "email",
    "PHONE_NUMBER": "phone",
    "CREDIT_CARD": "payment_card",
    "IP_ADDRESS": "ip_address",
    "IBAN_CODE": "iban",
}
#: Presidio's country-specific identity numbers; all of them are `national_id` here
_NATIONAL_IDS = frozenset(
    {
        "US_SSN", "US_ITIN", "US_PASSPORT", "UK_NHS", "UK_NINO", "ES_NIF", "ES_NIE", "IT_FISCAL_CODE",
        "IT_IDENTITY_CARD", "IT_PASSPORT", "IN_AADHAAR", "IN_PAN", "IN_PASSPORT", "IN_VOTER", "SG_NRIC_FIN",
        "AU_TFN", "AU_MEDICARE", "PL_PESEL", "FI_PERSONAL_IDENTITY_CODE", "KR_RRN", "TH_TNIN", "CA_SIN",
        "SE_PERSONNUMMER", "NG_NIN", "ZA_ID",
    }
)  # fmt: skip
#: recognizers that need an NLP engine or a remote service
_NEEDS_MORE = ("Spacy", "Stanza", "Transformers", "Gliner", "GLiNER", "Azure", "Llm", "LLM")


def entity_type(entity: str) -> PiiType | None:
    return "national_id" if entity in _NATIONAL_IDS else _OURS.get(entity)


@cache
def _recognizers() -> tuple[Any, ...]:
    try:
        from presidio_analyzer import RecognizerRegistry
    except ImportError:
        raise BadInput(
            "--presidio needs Microsoft Presidio, which is not installed.",
            hint="Install the extra: pip install 'headwater[presidio]'.",
        ) from None
    registry = RecognizerRegistry()
    registry.load_predefined_recognizers(languages=["en"])
    return tuple(
        recognizer
        for recognizer in registry.recognizers
        if not any(word in type(recognizer).__name__ for word in _NEEDS_MORE)
        and any(entity_type(entity) for entity in recognizer.supported_entities)
    )


def detectors() -> list[tuple[PiiType, Any]]:
    """One detect function per type that Presidio's usable recognizers cover."""
    by_type: dict[PiiType, list[tuple[Any, list[str]]]] = {}
    for recognizer in _recognizers():
        for entity in recognizer.supported_entities:
            ours = entity_type(entity)
            if ours is not None:
                by_type.setdefault(ours, []).append((recognizer, [entity]))
    return [(pii_type, _detector(pairs)) for pii_type, pairs in by_type.items()]


def _detector(pairs: Sequence[tuple[Any, list[str]]]) -> Any:
    def detect(text: str, digits: int, hints: Hints) -> Hit | None:
        best: Hit | None = None
        for recognizer, entities in pairs:
            try:
                results = recognizer.analyze(text, entities, None)
            except Exception as exc:  # a plug-in must never stop a scan; the value is never logged
                log.debug("Presidio's %s failed: %s", type(recognizer).__name__, type(exc).__name__)
                continue
            for result in results or ():
                if result.score >= MIN_SCORE and (best is None or result.score > best.confidence):
                    best = Hit(float(result.score), text[result.start : result.end])
        return best

    return detect
