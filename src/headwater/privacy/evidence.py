"""The evidence package of a delete request: what was erased where, for the privacy officer's records.

A copy request's package hands a person their data (`package`); a delete request's holds none, only
the proof: `evidence/erasures.json` (each provider's and each of Headwater's own replicas' outcome and
count, e.g. "replica fs → duckdb:///…: 39 rows erased"), the audit trail as `evidence/audit.json`, a
readable `summary.html`, and a `manifest.json` with the SHA-256 of every other file. Written the same
way as an access package: privately, to a temporary name, then renamed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from headwater.errors import BadInput, Conflict
from headwater.privacy import states, tracking
from headwater.privacy.models import TaskRow
from headwater.privacy.package import built_package, sha256_of, write_manifest, write_text
from headwater.privacy.replica_models import REPLICA
from headwater.store import Database, audit
from headwater.store.models import utcnow


def erasure(task: TaskRow) -> dict[str, Any]:
    """One task's outcome, as the evidence lists it."""
    replica = task.counts.get("replica") if task.provider == REPLICA else None
    if replica:
        summary = f"replica {task.connection} → {replica}: {task.records} rows erased"
    else:
        summary = f"{task.connection} ({task.provider}): {task.records} records deleted by the provider"
    return {
        "connection": task.connection,
        "where": "replica" if task.provider == REPLICA else "provider",
        "provider": task.provider,
        "replica": replica,
        "status": task.status,
        "records": task.records,
        "identities": [i.get("label", i.get("id")) for i in task.identities],
        "finished_at": task.finished_at.isoformat() if task.finished_at else None,
        "summary": summary if task.status == states.COMPLETED else f"{task.connection}: {task.status}",
    }


def write(db: Database, ticket_id: str, out: Path, *, actor: str) -> dict[str, Any]:
    with db.session() as session:
        ticket = tracking.get_ticket(session, ticket_id)
        if ticket.kind != "delete":
            raise BadInput(f"{ticket.id} is a {ticket.kind} request; its package holds the person's data.")
        if ticket.status != states.COMPLETED:
            raise Conflict(
                f"{ticket.id} is {ticket.status}; its evidence is built once every deletion is confirmed.",
                hint=f"Follow it with `headwater dsr show {ticket.id}`.",
            )
        erasures = [erasure(t) for t in tracking.tasks_of(session, ticket.id)]
        trail = [audit.as_dict(row) for row in audit.trail(session, tracking.SUBJECT, ticket.id)]
        generated = utcnow()
        out = out.expanduser()
        files: list[dict[str, Any]] = []
        with built_package(out) as archive:
            files.append(write_text(archive, "evidence/erasures.json", json.dumps(erasures, indent=2) + "\n"))
            files.append(
                write_text(archive, "evidence/audit.json", json.dumps(trail, indent=2, default=str) + "\n")
            )
            summary = _render(ticket, erasures, generated.isoformat(timespec="seconds"))
            files.append(write_text(archive, "summary.html", summary))
            manifest = {
                "ticket": ticket.id,
                "kind": ticket.kind,
                "regulation": ticket.regulation,
                "subject": {"email": ticket.email, **ticket.identifiers},
                "received_at": ticket.received_at.isoformat(),
                "closed_at": ticket.closed_at.isoformat() if ticket.closed_at else None,
                "generated_at": generated.isoformat(),
                "erasures": [e["summary"] for e in erasures],
                "files": files,
            }
            write_manifest(archive, manifest)
    digest = sha256_of(out)
    with db.session() as session:
        tracking.record(
            session,
            ticket.id,
            actor,
            "package_generated",
            f"Evidence package generated: {len(files) + 1} files, SHA-256 {digest}.",
            sha256=digest,
            file=out.name,
            files=len(files) + 1,
        )
    records = sum(e["records"] for e in erasures if e["where"] == "provider")
    return {
        "ticket": ticket.id,
        "path": str(out),
        "sha256": digest,
        "files": len(files) + 1,
        "records": records,
    }


def _render(ticket: Any, erasures: list[dict[str, Any]], generated_at: str) -> str:
    env = Environment(
        loader=PackageLoader("headwater.privacy", "templates"), autoescape=select_autoescape(["j2", "html"])
    )
    return env.get_template("evidence.html.j2").render(
        ticket=ticket, erasures=erasures, generated_at=generated_at
    )
