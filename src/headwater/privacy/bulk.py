"""Bulk intake from a CSV file, one row per person: each row is its own request, so a bad row is
reported with its line number and does not stop the others.

Columns (header names, any order): `email` (required), `kind` (delete|copy), `regulation` (gdpr|ccpa),
`fullstory_uid`, `amplitude_user_id`, `amplitude_id`, `connections` (names separated by `;` or spaces),
`received_at` (ISO 8601 with a time zone). Missing kind/regulation take the command's defaults.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from headwater.errors import BadInput, HeadwaterError
from headwater.privacy.service import Privacy
from headwater.privacy.subjects import SUBJECT_FIELDS

COLUMNS = frozenset({"kind", "regulation", "connections", "received_at", *SUBJECT_FIELDS})
MAX_ROWS = 100_000


@dataclass(frozen=True)
class RowResult:
    line: int
    email: str
    ok: bool
    ticket: str | None = None
    status: str | None = None
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise BadInput(f"Cannot read {path}: {exc.strerror}.") from None
    with handle:
        reader = csv.DictReader(handle)
        header = [h.strip().lower() for h in reader.fieldnames or []]
        if "email" not in header:
            raise BadInput(
                f"{path.name} has no `email` column.", hint=f"Columns: {', '.join(sorted(COLUMNS))}."
            )
        unknown = sorted(set(header) - COLUMNS)
        if unknown:
            raise BadInput(
                f"{path.name} has unknown columns: {', '.join(unknown)}.",
                hint=f"Known: {', '.join(sorted(COLUMNS))}.",
            )
        rows: list[tuple[int, dict[str, str]]] = []
        for row in reader:
            if len(rows) >= MAX_ROWS:
                raise BadInput(f"{path.name} has more than {MAX_ROWS} rows; split it.")
            values = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k is not None}
            if any(values.values()):
                rows.append((reader.line_num, values))
        return rows


def import_csv(
    privacy: Privacy, path: Path, *, kind: str = "delete", regulation: str = "gdpr", actor: str
) -> list[RowResult]:
    results = []
    for line, row in read_rows(path):
        email = row.get("email", "")
        try:
            ticket = privacy.create(
                kind=row.get("kind") or kind,
                email=email,
                identifiers={k: v for k, v in row.items() if k in SUBJECT_FIELDS and k != "email" and v},
                connections=[n for n in re.split(r"[;\s]+", row.get("connections", "")) if n] or None,
                regulation=row.get("regulation") or regulation,
                actor=actor,
                received_at=_when(row.get("received_at", "")),
            )
        except HeadwaterError as exc:
            results.append(RowResult(line, email, False, error=str(exc)))
            continue
        results.append(RowResult(line, email, True, ticket=ticket["id"], status=ticket["status"]))
    return results


def _when(text: str) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise BadInput(f"received_at {text!r} is not an ISO 8601 date and time.") from None
