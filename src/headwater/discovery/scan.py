"""A scan: events in, one result per field out. Sources only have to yield rows (dicts).

The sources are export files (`file_scan`) and replicated tables (`table_scan`); both end here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from headwater.discovery import detectors
from headwater.discovery.classify import DEFAULT_THRESHOLD, FieldResult, classify_field
from headwater.discovery.sampling import DEFAULT_SAMPLE, FieldSampler
from headwater.errors import BadInput

Row = dict[str, Any]
#: where each provider's rows carry the event time (ISO-like text, so a date prefix compares as text)
TIME_KEYS = ("event_time", "EventStart", "client_event_time", "time")


@dataclass(frozen=True)
class ScanOptions:
    sample: int = DEFAULT_SAMPLE
    threshold: float = DEFAULT_THRESHOLD
    since: date | None = None
    examples: int = 0  # matched values kept per finding, for Preview mode
    presidio: bool = False  # also run Presidio's recognizers (the optional extra)

    def __post_init__(self) -> None:
        if self.sample < 1:
            raise BadInput("--sample must be at least 1.")
        if not 0.0 < self.threshold <= 1.0:
            raise BadInput("--threshold must be a share between 0 and 1, e.g. 0.05 for 5%.")


@dataclass(frozen=True)
class ScanReport:
    source: str
    events_scanned: int
    fields: tuple[FieldResult, ...]
    fields_dropped: int = field(default=0, compare=False)

    def as_dict(self) -> dict[str, Any]:
        """The `--json` shape: source, events_scanned, and every field (those without findings too)."""
        return {
            "source": self.source,
            "events_scanned": self.events_scanned,
            "fields": [result.as_dict() for result in self.fields],
        }

    def with_findings(self) -> list[FieldResult]:
        return [result for result in self.fields if result.types]

    def data_types(self) -> list[str]:
        return sorted({finding.type for result in self.fields for finding in result.types})


def classify_sample(
    sample: FieldSampler | Iterable[tuple[str, list[str]]], options: ScanOptions
) -> tuple[FieldResult, ...]:
    fields = sample.fields() if isinstance(sample, FieldSampler) else sample
    chosen = detectors.active(presidio=options.presidio)
    results = [
        classify_field(path, values, threshold=options.threshold, examples=options.examples, detectors=chosen)
        for path, values in fields
    ]
    return tuple(sorted(results, key=lambda result: result.path))


def scan_rows(rows: Iterable[Row], source: str, options: ScanOptions) -> ScanReport:
    sampler = FieldSampler(options.sample)
    count = 0
    add = sampler.add
    for row in since_filter(rows, options.since):
        add(row)
        count += 1
    return ScanReport(source, count, classify_sample(sampler, options), sampler.fields_dropped)


def since_filter(rows: Iterable[Row], since: date | None) -> Iterator[Row]:
    """Rows whose event time is on or after `since`; rows without a recognisable time are kept."""
    if since is None:
        yield from rows
        return
    cutoff = since.isoformat()
    for row in rows:
        moment = next((row[key] for key in TIME_KEYS if isinstance(row.get(key), str)), None)
        if moment is None or moment[:10] >= cutoff:
            yield row
