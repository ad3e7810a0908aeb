"""The discovery step of `make demo`: scan both demo connections and print the fields holding PII.

Scans what `headwater sync` replicated when an earlier step synced the connections; otherwise it scans
the sandbox's own export files for them, which is what `discover scan NAME --file PATH` does. Preview
mode is switched on for `amp` first, so one field's samples can be shown, masked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from headwater.cli.output import table
from headwater.discovery import preview, service
from headwater.discovery.labelled import sandbox
from headwater.discovery.scan import ScanOptions
from headwater.errors import BadInput
from headwater.store.models import utcnow
from headwater.vault import Vault, load_keyring

CONNECTIONS = (("fs", "fullstory"), ("amp", "amplitude"))


def _export(run: Any, provider: str) -> Path:
    path = Path(run.home) / "exports" / f"{provider}-export.json.gz"
    if not path.exists():
        writer = sandbox.write_fullstory if provider == "fullstory" else sandbox.write_amplitude
        writer(path, run.sandbox.world)
    return path


def _scan(run: Any, name: str, provider: str) -> tuple[service.ScanOutcome, str]:
    def vault() -> Vault:
        return Vault(load_keyring(run.settings))

    try:
        outcome = service.scan_connection(run.db, run.settings, vault, name, ScanOptions(), actor="demo")
        return outcome, "its replicated events"
    except BadInput:  # not synced in this demo: scan the sandbox's export file instead
        files = [_export(run, provider)]
        outcome = service.scan_connection(
            run.db, run.settings, vault, name, ScanOptions(), actor="demo", files=files
        )
        return outcome, f"the sandbox's {provider} export file"


def step_discovery(run: Any) -> None:
    """Scan `fs` and `amp` (connected by an earlier step) and print the fields holding personal data."""
    say = run.console.print
    service.set_preview(run.db, "amp", True, actor="demo")
    for name, provider in CONNECTIONS:
        outcome, what = _scan(run, name, provider)
        report = outcome.report
        rows = [
            (result.path, ", ".join(f"{t.type} {t.prevalence:.0%} ({t.likelihood})" for t in result.types))
            for result in report.with_findings()
        ]
        say(
            f"{name}: scanned {report.events_scanned:,} events from {what}; "
            f"{len(rows)} of {len(report.fields)} fields hold personal data."
        )
        say(table(None, ["field", "personal data (share of sampled values, likelihood)"], rows))
        say(f"Known data types of {name}: {', '.join(report.data_types())}.")
    with run.db.session() as session:
        kept = preview.samples(session, Vault(load_keyring(run.settings)), "amp", "user_id", utcnow())
    masked = ", ".join(sample.shown(reveal=False) for sample in kept[:3])
    say(
        f"Preview mode on amp: samples are stored encrypted and deleted after 7 days; user_id shows {masked} "
        "(`headwater discover preview show amp --path user_id --reveal` to unmask)."
    )
