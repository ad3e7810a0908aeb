"""From a field's sampled values to the types it holds: prevalence, then a likelihood.

Prevalence is the share of sampled values in which a type was found. A type is reported when that share
reaches the threshold (5% by default). Weak hits (bare digit runs that happen to pass a checksum) only
count when most of the field's candidates of that shape pass: random ids pass Luhn one time in ten,
real card numbers every time. The likelihood comes from the detectors' confidence and from how many
values agree; one match among a thousand values is never more than `possible`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from headwater.discovery.detectors import DETECTORS, DetectFunction
from headwater.discovery.hints import hints_for
from headwater.discovery.types import PII_TYPES, Likelihood, PiiType

DEFAULT_THRESHOLD = 0.05
WEAK_PASS_SHARE = 0.6
MAX_TEXT = 1000  # characters of one value that the detectors read
_NO_DIGITS = str.maketrans("", "", "0123456789")
#: values whose whole shape rules out most types: numbers, timestamps, UUIDs, hex digests
_INERT = re.compile(
    r"(?P<number>-?\d+(?:\.\d+)?)"
    r"|(?P<timestamp>\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)"
    r"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|(?:[0-9a-f]{32}|[0-9A-F]{32})(?:[0-9a-fA-F]{8}|[0-9a-fA-F]{24}|[0-9a-fA-F]{32}|[0-9a-fA-F]{64}|[0-9a-fA-F]{96})?"
)
#: which detectors still read a value of each inert shape: a card or an id may be stored as a number,
#: a phone too in a field named like one, a birth date as a midnight timestamp in a field named like
#: one; UUIDs and digests are read by none
_INERT_READERS: dict[str | None, frozenset[PiiType]] = {
    "number": frozenset({"payment_card", "national_id"}),
    "timestamp": frozenset(),
    None: frozenset(),
}
_HINTED_READERS: dict[str | None, frozenset[PiiType]] = {
    "number": frozenset({"phone"}),
    "timestamp": frozenset({"date_of_birth"}),
    None: frozenset(),
}


@dataclass(frozen=True)
class TypeFinding:
    type: PiiType
    prevalence: float
    likelihood: Likelihood
    examples: tuple[str, ...] = field(default=(), repr=False, compare=False)  # Preview mode only

    def as_dict(self) -> dict[str, object]:
        return {"type": self.type, "prevalence": round(self.prevalence, 3), "likelihood": self.likelihood}


@dataclass(frozen=True)
class FieldResult:
    path: str
    values_sampled: int
    types: tuple[TypeFinding, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "values_sampled": self.values_sampled,
            "types": [finding.as_dict() for finding in self.types],
        }


class _Tally:
    __slots__ = ("examples", "failed", "strong", "strong_confidence", "weak", "weak_confidence")

    def __init__(self) -> None:
        self.strong = self.weak = self.failed = 0
        self.strong_confidence = self.weak_confidence = 0.0
        self.examples: list[str] = []


def classify_field(
    path: str,
    values: Sequence[str],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    examples: int = 0,
    detectors: Iterable[tuple[PiiType, DetectFunction]] = DETECTORS,
) -> FieldResult:
    """Run every detector over the values; keep up to `examples` matched spans per type (for previews)."""
    hints = hints_for(path)
    chosen = tuple(detectors)
    tallies: dict[PiiType, _Tally] = {pii_type: _Tally() for pii_type, _ in chosen}
    inert_detectors = {
        shape: tuple(
            pair
            for pair in chosen
            if pair[0] in readers or (pair[0] in _HINTED_READERS[shape] and hints.has(pair[0]))
        )
        for shape, readers in _INERT_READERS.items()
    }
    for value in values:
        text = value if len(value) <= MAX_TEXT else value[:MAX_TEXT]
        digits = len(text) - len(text.translate(_NO_DIGITS))
        inert = _INERT.fullmatch(text)
        for pii_type, detect in chosen if inert is None else inert_detectors[inert.lastgroup]:
            hit = detect(text, digits, hints)
            if hit is None:
                continue
            tally = tallies[pii_type]
            if hit.confidence == 0.0:
                tally.failed += 1
                continue
            if hit.weak:
                tally.weak += 1
                tally.weak_confidence += hit.confidence
            else:
                tally.strong += 1
                tally.strong_confidence += hit.confidence
            if len(tally.examples) < examples and hit.text not in tally.examples:
                tally.examples.append(hit.text)
    findings = [
        finding
        for pii_type, tally in tallies.items()
        if (finding := _finding(pii_type, tally, len(values), threshold)) is not None
    ]
    findings.sort(key=lambda f: (-f.prevalence, PII_TYPES.index(f.type)))
    return FieldResult(path, len(values), tuple(findings))


def _finding(pii_type: PiiType, tally: _Tally, sampled: int, threshold: float) -> TypeFinding | None:
    weak_counts = tally.weak > 0 and tally.weak / (tally.weak + tally.failed) >= WEAK_PASS_SHARE
    count = tally.strong + (tally.weak if weak_counts else 0)
    if count == 0 or sampled == 0:
        return None
    prevalence = count / sampled
    if prevalence < threshold:
        return None
    confidence = (tally.strong_confidence + (tally.weak_confidence if weak_counts else 0.0)) / count
    return TypeFinding(pii_type, prevalence, likelihood(confidence, count, sampled), tuple(tally.examples))


def likelihood(confidence: float, matches: int, sampled: int) -> Likelihood:
    """Confident detectors and several agreeing values make `very_likely`; thin evidence stays `possible`."""
    confidence = round(confidence, 6)  # a mean of 0.6s must not fall to 0.59999...
    if confidence >= 0.85 and matches >= min(3, sampled):
        return "very_likely"
    if confidence >= 0.6 and matches >= min(2, sampled):
        return "likely"
    return "possible"
