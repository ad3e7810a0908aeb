"""Precision, recall and F1 per type over (field, type) pairs: the unit discovery reports on."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from headwater.discovery.classify import FieldResult
from headwater.discovery.types import PII_TYPES


@dataclass
class Score:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


@dataclass(frozen=True)
class Mistake:
    path: str
    type: str
    kind: str  # "false positive" or "false negative"


def score(
    results: Iterable[FieldResult],
    truth: Mapping[str, frozenset[str]],
    scores: dict[str, Score] | None = None,
) -> tuple[dict[str, Score], list[Mistake]]:
    """Compare reported types with the labels; fields absent from `truth` are taken to hold none."""
    scores = scores if scores is not None else {pii_type: Score() for pii_type in PII_TYPES}
    mistakes: list[Mistake] = []
    for result in results:
        reported = {finding.type for finding in result.types}
        expected = truth.get(result.path, frozenset())
        for pii_type in PII_TYPES:
            if pii_type in reported and pii_type in expected:
                scores[pii_type].true_positives += 1
            elif pii_type in reported:
                scores[pii_type].false_positives += 1
                mistakes.append(Mistake(result.path, pii_type, "false positive"))
            elif pii_type in expected:
                scores[pii_type].false_negatives += 1
                mistakes.append(Mistake(result.path, pii_type, "false negative"))
    return scores, mistakes
