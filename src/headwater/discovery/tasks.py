"""Job kinds of discovery: a scan in the background, and the periodic purge of expired previews.

Listed in `headwater.jobs.registry.BUILTIN_MODULES` so every worker knows them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from headwater.discovery.purge import purge
from headwater.discovery.scan import ScanOptions
from headwater.discovery.service import scan_connection
from headwater.errors import BadInput
from headwater.jobs.context import TaskContext
from headwater.jobs.recurring import periodic
from headwater.jobs.registry import task
from headwater.vault import Vault, load_keyring

SCAN_KIND = "discovery.scan"
PURGE_KIND = "discovery.purge_previews"
PURGE_SECONDS = 3600  # samples outlive their 7 days by at most an hour


@periodic(PURGE_KIND, seconds=PURGE_SECONDS)
def purge_previews(ctx: TaskContext, payload: dict[str, Any]) -> dict[str, Any]:
    return {"deleted": purge(ctx.db)}


@task(SCAN_KIND)
def scan(ctx: TaskContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Payload: {"connection": NAME, "sample": N, "threshold": 0.05, "since": "YYYY-MM-DD", "presidio": no}.

    No destination URL is accepted here: job payloads are stored in plain text, and a URL may hold a
    password.
    """
    name = payload.get("connection")
    if not isinstance(name, str) or not name:
        raise BadInput("A discovery.scan job needs a connection name.")
    since = payload.get("since")
    options = ScanOptions(
        sample=int(payload.get("sample", ScanOptions.sample)),
        threshold=float(payload.get("threshold", ScanOptions.threshold)),
        since=date.fromisoformat(since) if isinstance(since, str) else None,
        presidio=bool(payload.get("presidio", False)),
    )
    outcome = scan_connection(
        ctx.db,
        ctx.settings,
        lambda: Vault(load_keyring(ctx.settings)),
        name,
        options,
        actor=f"job {ctx.job_id}",
    )
    report = outcome.report
    return {
        "events_scanned": report.events_scanned,
        "fields": len(report.fields),
        "data_types": report.data_types(),
        "preview_samples": outcome.samples_stored,
    }
