"""How `headwater discover` shows things to people: Rich tables (the `--json` shapes live with the data)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from headwater.cli.output import console, table

if TYPE_CHECKING:
    from headwater.discovery.preview import PreviewSample
    from headwater.discovery.results import StoredScan
    from headwater.discovery.service import ScanOutcome


def _types_text(types: list[dict[str, Any]]) -> str:
    return ", ".join(
        f"{t['type']} {t['prevalence']:.0%} ({t['likelihood'].replace('_', ' ')})" for t in types
    )


def _fields_table(fields: list[dict[str, Any]]) -> None:
    with_pii = [f for f in fields if f["types"]]
    if with_pii:
        rows = [(f["path"], f["values_sampled"], _types_text(f["types"])) for f in with_pii]
        console.print(table("Fields holding personal data", ["field", "values sampled", "types"], rows))
    console.print(
        f"{len(with_pii)} of {len(fields)} field(s) hold personal data; "
        f"{len(fields) - len(with_pii)} hold none that was recognised."
    )


def print_report(outcome: ScanOutcome) -> None:
    report = outcome.report
    console.print(f"Scanned {report.events_scanned} event(s) from {report.source}.")
    _fields_table([result.as_dict() for result in report.fields])
    if outcome.connection is not None:
        types = ", ".join(report.data_types()) or "none"
        console.print(f"Known data types of {outcome.connection} are now: {types}.")
        if outcome.preview_enabled:
            console.print(
                f"Preview mode: {outcome.samples_stored} encrypted sample value(s) kept for 7 days."
            )
    if report.fields_dropped:
        console.print(f"{report.fields_dropped} value(s) of fields beyond the field limit were not sampled.")


def print_stored(stored: StoredScan) -> None:
    console.print(
        f"Latest scan of {stored.connection}: {stored.events_scanned} event(s) from {stored.source}, "
        f"at {stored.finished_at:%Y-%m-%d %H:%M}."
    )
    _fields_table(stored.fields)
    console.print(f"Known data types: {', '.join(stored.data_types()) or 'none'}.")


def print_samples(name: str, path: str, samples: list[PreviewSample], reveal: bool) -> None:
    rows = [(s.type, s.shown(reveal), f"{s.expires_at:%Y-%m-%d %H:%M}") for s in samples]
    console.print(table(f"Preview of {name} {path}", ["type", "sample", "expires"], rows))
    if not reveal:
        console.print("Values are masked; add --reveal to see them in full.")
