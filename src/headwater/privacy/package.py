"""The access package: a ZIP with one folder per connection (profile, sessions, events as JSON), the
audit trail as evidence, a human-readable `summary.html`, and a `manifest.json` with the SHA-256 of every
other file. Written to a temporary file (mode 0600) and renamed, so a half-written package never exists,
and removed when the build fails.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy.orm import Session

from headwater.connectors.registry import get_provider
from headwater.discovery.results import known_data_types
from headwater.errors import BadInput, Conflict, HeadwaterError, NotFound
from headwater.privacy import exports, retention, states, tracking
from headwater.store import Database, audit
from headwater.store.models import utcnow
from headwater.vault import Vault

MAX_REPLAYS_SHOWN = 200


class _HashingWriter:
    """Writes one ZIP member while hashing it, so nothing is read twice."""

    def __init__(self, archive: zipfile.ZipFile, name: str) -> None:
        self.name = name
        info = zipfile.ZipInfo(name, date_time=time.gmtime()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        self._out = archive.open(info, "w", force_zip64=True)
        self._hash = hashlib.sha256()
        self.size = 0

    def write(self, text: str) -> None:
        data = text.encode()
        self._hash.update(data)
        self._out.write(data)
        self.size += len(data)

    def close(self) -> dict[str, Any]:
        self._out.close()
        return {"path": self.name, "sha256": self._hash.hexdigest(), "bytes": self.size}

    def abandon(self) -> None:
        """Close the member after a failure, so that closing the archive does not hide that failure."""
        with contextlib.suppress(Exception):
            self._out.close()


def _write_array(
    archive: zipfile.ZipFile, name: str, items: Iterable[Any], seen: list[Any] | None = None
) -> dict[str, Any]:
    out = _HashingWriter(archive, name)
    count = 0
    try:
        out.write("[")
        for item in items:  # decrypted lazily: a value that does not decrypt fails here
            out.write(("\n  " if count == 0 else ",\n  ") + json.dumps(item, ensure_ascii=False, default=str))
            count += 1
            if seen is not None and len(seen) < MAX_REPLAYS_SHOWN + 1:
                seen.append(item)
        out.write("\n]\n")
    except BaseException:
        out.abandon()
        raise
    return {**out.close(), "items": count}


def write_text(archive: zipfile.ZipFile, name: str, text: str) -> dict[str, Any]:
    out = _HashingWriter(archive, name)
    out.write(text)
    return out.close()


@contextlib.contextmanager
def private_archive(path: Path) -> Iterator[zipfile.ZipFile]:
    """The package while it is written: readable by its owner only from the start (it holds a person's
    data), and removed when the build fails, so that no half-written copy is left behind."""
    path.unlink(missing_ok=True)  # left by a build that was killed
    handle = os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")
    try:
        with handle, zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            yield archive
    except BaseException:
        path.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def built_package(out: Path) -> Iterator[zipfile.ZipFile]:
    """A package written beside `out` under a `.partial` name (see `private_archive`) and moved into
    place only once it is complete, so that `out` is never a half-written package."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with private_archive(partial) as archive:
        yield archive
    os.replace(partial, out)


def write_manifest(archive: zipfile.ZipFile, manifest: dict[str, Any]) -> None:
    write_text(archive, "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _data_types(session: Session, connection: str) -> list[str]:
    """What the connection's latest discovery scan found; [] if never scanned or since deleted."""
    try:
        return known_data_types(session, connection)
    except NotFound:
        return []


def _title(kind: str) -> str:
    try:
        return get_provider(kind).title
    except HeadwaterError:
        return kind


def write(db: Database, vault: Vault, ticket_id: str, out: Path, *, actor: str) -> dict[str, Any]:
    with db.session() as session:
        ticket = tracking.get_ticket(session, ticket_id)
        if ticket.kind != "copy":
            raise BadInput(
                f"{ticket.id} is a {ticket.kind} request; only copy requests have an access package."
            )
        if ticket.status != states.COMPLETED:
            raise Conflict(
                f"{ticket.id} is {ticket.status}; its package is built once every connection has "
                "been copied.",
                hint=f"Follow it with `headwater dsr show {ticket.id}`.",
            )
        gone = retention.purged(session, ticket.id)
        if gone is not None:
            raise Conflict(
                f"The data collected for {ticket.id} was deleted on {gone.date().isoformat()}: Headwater "
                "keeps a copy request's data only for a while after the request closes.",
                hint="Collect it again with a new copy request for the same person: `headwater dsr create "
                f"--kind copy --email ...` (the email is in `headwater dsr show {ticket.id}`).",
            )
        tasks = [t for t in tracking.tasks_of(session, ticket.id) if t.status == states.COMPLETED]
        trail = [audit.as_dict(row) for row in audit.trail(session, tracking.SUBJECT, ticket.id)]
        generated = utcnow()
        out = out.expanduser()
        files: list[dict[str, Any]] = []
        sources: list[dict[str, Any]] = []
        with built_package(out) as archive:
            for task in tasks:
                counts: dict[str, int] = {}
                replays: list[Any] = []
                for section in ("profile", "sessions", "events", *exports.sections(session, task.id)):
                    if section in counts:
                        continue
                    seen: list[Any] = []
                    items = exports.items(session, vault, task.id, section)
                    entry = _write_array(archive, f"{task.connection}/{section}.json", items, seen)
                    counts[section] = entry.pop("items")
                    files.append(entry)
                    if section == "sessions":
                        replays = [
                            s.get("replay_url") for s in seen if isinstance(s, dict) and s.get("replay_url")
                        ]
                sources.append(
                    {
                        "connection": task.connection,
                        "provider": task.provider,
                        "title": _title(task.provider),
                        "identities": [i.get("label", i.get("id")) for i in task.identities],
                        "counts": counts,
                        "data_types": _data_types(session, task.connection),
                        "replays": replays[:MAX_REPLAYS_SHOWN],
                        "more_replays": max(0, counts.get("sessions", 0) - MAX_REPLAYS_SHOWN),
                    }
                )
            files.append(
                write_text(archive, "evidence/audit.json", json.dumps(trail, indent=2, default=str) + "\n")
            )
            total = sum(sum(s["counts"].values()) for s in sources)
            summary = _render(ticket, sources, total, generated.isoformat(timespec="seconds"))
            files.append(write_text(archive, "summary.html", summary))
            manifest = {
                "ticket": ticket.id,
                "kind": ticket.kind,
                "regulation": ticket.regulation,
                "subject": {"email": ticket.email, **ticket.identifiers},
                "received_at": ticket.received_at.isoformat(),
                "generated_at": generated.isoformat(),
                "sources": [
                    {k: s[k] for k in ("connection", "provider", "identities", "counts")} for s in sources
                ],
                "counts": {"records": total},
                "files": files,
            }
            write_manifest(archive, manifest)
    digest = sha256_of(out)
    manifest_sha = hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest()
    with db.session() as session:
        tracking.record(
            session,
            ticket.id,
            actor,
            "package_generated",
            f"Access package generated: {len(files) + 1} files, {total} records, SHA-256 {digest}.",
            sha256=digest,
            file=out.name,
            files=len(files) + 1,
            records=total,
            manifest_sha256=manifest_sha,
        )
    return {
        "ticket": ticket.id,
        "path": str(out),
        "sha256": digest,
        "files": len(files) + 1,
        "records": total,
    }


def _render(ticket: Any, sources: list[dict[str, Any]], total: int, generated_at: str) -> str:
    env = Environment(
        loader=PackageLoader("headwater.privacy", "templates"), autoescape=select_autoescape(["j2", "html"])
    )
    return env.get_template("summary.html.j2").render(
        ticket=ticket, sources=sources, total=total, generated_at=generated_at
    )
