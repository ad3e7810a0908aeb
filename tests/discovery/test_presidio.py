"""The optional Presidio plug-in: its findings join ours type by type; without it, a clear error."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from types import ModuleType

import pytest

from headwater.discovery.classify import classify_field
from headwater.discovery.detectors import active, presidio
from headwater.errors import BadInput


@dataclass
class Result:
    entity_type: str
    start: int
    end: int
    score: float


class NinoRecognizer:
    """Stands in for one of Presidio's pattern recognizers (same `analyze` signature)."""

    supported_entities = ["UK_NINO"]

    def analyze(self, text: str, entities: list[str], nlp_artifacts: object = None) -> list[Result]:
        return [Result("UK_NINO", 0, len(text), 0.85)] if text.startswith("QQ") else []


class SpacyRecognizer(NinoRecognizer):
    supported_entities = ["PERSON"]


class Registry:
    def __init__(self) -> None:
        self.recognizers: list[object] = []

    def load_predefined_recognizers(self, languages: list[str]) -> None:
        self.recognizers = [NinoRecognizer(), SpacyRecognizer()]


@pytest.fixture
def fake_presidio(monkeypatch: pytest.MonkeyPatch) -> None:
    module = ModuleType("presidio_analyzer")
    module.RecognizerRegistry = Registry  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "presidio_analyzer", module)
    presidio._recognizers.cache_clear()
    yield
    presidio._recognizers.cache_clear()


def test_presidio_widens_what_counts_and_skips_recognizers_that_need_nlp(fake_presidio: None) -> None:
    values = [f"QQ 12 34 {n:02d} C" for n in range(20)]  # a test-only NINO prefix our validator rejects
    assert classify_field("reference", values).types == ()
    combined = classify_field("reference", values, detectors=active(presidio=True))
    assert [finding.type for finding in combined.types] == ["national_id"]
    assert [type(r).__name__ for r in presidio._recognizers()] == ["NinoRecognizer"]


def test_without_presidio_installed_the_option_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "presidio_analyzer", None)
    presidio._recognizers.cache_clear()
    with pytest.raises(BadInput, match=r"headwater\[presidio\]"):
        active(presidio=True)
    presidio._recognizers.cache_clear()
