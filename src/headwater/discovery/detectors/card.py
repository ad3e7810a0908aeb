"""Payment card numbers: issuer range and length, then the Luhn checksum.

Grouped the way people type them (`4111 1111 1111 1111`) or named in the text ("card", "visa") they are
strong evidence. A bare digit run passes Luhn by chance one time in ten, so it is a weak hit, and a
run introduced as an order, invoice or tracking number is not a card candidate at all.
"""

from __future__ import annotations

import re

from headwater.discovery.hints import Hints
from headwater.discovery.types import FAILED, Hit
from headwater.discovery.validators import card_issuer_known, luhn

_CANDIDATE = re.compile(r"(?<![\w.,/-])\d(?:[ -]?\d){11,18}(?![\w/-]|[.,]\d)")
_GROUPED = re.compile(r"^\d{4}([ -])\d{4}\1\d{4}\1\d{4}(?:\1\d{1,3})?$|^\d{4}([ -])\d{6}\2\d{4,5}$")
_CARD_WORDS = re.compile(r"\b(?:card|credit|debit|visa|master ?card|amex|discover|cc|pan)\b", re.I)
_NOT_A_CARD = re.compile(r"(?:order|invoice|tracking|ref|reference|account|no\.?|#)\s*:?\s*$", re.I)


def detect(text: str, digits: int, hints: Hints) -> Hit | None:
    if digits < 12:
        return None
    result: Hit | None = None
    for match in _CANDIDATE.finditer(text):
        if _NOT_A_CARD.search(text, max(0, match.start() - 16), match.start()):
            continue
        candidate = match.group(0)
        number = candidate.replace(" ", "").replace("-", "")
        if not 12 <= len(number) <= 19 or not card_issuer_known(number):
            continue
        if not luhn(number):
            result = result or FAILED
            continue
        if _GROUPED.match(candidate) or hints.has("payment_card") or _CARD_WORDS.search(text):
            return Hit(0.95, candidate)
        result = Hit(0.6, candidate, weak=True)
    return result
