"""Bulk intake from a CSV file, one row per person: each row is its own request, so a bad row is
reported with its line number and does not stop the others.

Columns (header names, any order): `email` (required), `kind` (delete|copy), `regulation` (gdpr|ccpa),
`fullstory_uid`, `amplitude_user_id`, `amplitude_id`, `connections` (names separated by `;` or spaces),
`received_at` (ISO 8601 with a time zone). Missing kind/regulation take the command's defaults.

The whole file is read and decoded before anything is filed, so a file that is not UTF-8 text files
nobody. A row with more cells than the header names is refused (an unquoted comma would otherwise drop
what follows it without a word). A person who already has an open request of the row's kind gets no
second one: the row is reported as a duplicate, so importing a file again after a crash is safe.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from headwater.errors import BadInput, HeadwaterError
from headwater.privacy.duplicates import AlreadyOpen
from headwater.privacy.service import Privacy
from headwater.privacy.subjects import SUBJECT_FIELDS

COLUMNS = frozenset({"kind", "regulation", "connections", "received_at", *SUBJECT_FIELDS})
MAX_ROWS = 100_000
UTF8_BOM = b"\xef\xbb\xbf"

CREATED = "created"
DUPLICATE = "duplicate"
REFUSED = "refused"


@dataclass(frozen=True)
class RowResult:
    """One row's outcome; `ticket` is the new ticket, or for a duplicate the open one it matched."""

    line: int
    email: str
    outcome: str
    ticket: str | None = None
    status: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.outcome != REFUSED

    def as_dict(self) -> dict[str, Any]:
        fields = {"line": self.line, "email": self.email, "ok": self.ok, "outcome": self.outcome}
        extra = {"ticket": self.ticket, "status": self.status, "error": self.error}
        return fields | {k: v for k, v in extra.items() if v is not None}


@dataclass
class ImportSummary:
    rows: list[RowResult] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.count(CREATED),
            "duplicates": self.count(DUPLICATE),
            "refused": self.count(REFUSED),
            "rows": [r.as_dict() for r in self.rows],
        }


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, str]
    extra_cells: int = 0


def read_rows(path: Path, name: str | None = None) -> list[Row]:
    """Every row of the file, checked as far as can be before filing; `name` is what messages call the
    file (an upload's own name rather than its temporary copy's)."""
    name = name or path.name
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise BadInput(f"Cannot read {path}: {exc.strerror}.") from None
    with handle:
        reader = csv.DictReader(_utf8_lines(handle, name))
        try:
            header = [h.strip().lower() for h in reader.fieldnames or []]
            _check_header(header, name)
            return _rows(reader, name)
        except csv.Error as exc:
            where = f"the row from line {reader.line_num + 1}"  # the reader counts rows read whole
            raise BadInput(f"{name}: {where} is not CSV: {exc}.") from None


def _check_header(header: list[str], name: str) -> None:
    if "email" not in header:
        raise BadInput(f"{name} has no `email` column.", hint=f"Columns: {', '.join(sorted(COLUMNS))}.")
    unknown = sorted(set(header) - COLUMNS)
    if unknown:
        raise BadInput(
            f"{name} has unknown columns: {', '.join(unknown)}.", hint=f"Known: {', '.join(sorted(COLUMNS))}."
        )


def _rows(reader: csv.DictReader[str], name: str) -> list[Row]:
    rows: list[Row] = []
    for raw in reader:
        if len(rows) >= MAX_ROWS:
            raise BadInput(f"{name} has more than {MAX_ROWS} rows; split it.")
        extra = [cell for cell in raw.pop(None, None) or [] if cell.strip()]
        values = {k.strip().lower(): (v or "").strip() for k, v in raw.items()}
        if any(values.values()) or extra:
            rows.append(Row(reader.line_num, values, len(extra)))
    return rows


def _utf8_lines(handle: IO[bytes], name: str) -> Iterator[str]:
    """The file's lines as text, failing with the line and byte offset of the first byte that is not
    UTF-8 (a file saved as Latin-1 or UTF-16, or a spreadsheet rather than its CSV export)."""
    offset = 0
    lines = (line for chunk in handle for line in chunk.splitlines(keepends=True))  # \r ends one too
    for number, line in enumerate(lines, start=1):
        start = len(UTF8_BOM) if number == 1 and line.startswith(UTF8_BOM) else 0
        try:
            text = line[start:].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadInput(
                f"{name} is not UTF-8 text: line {number}, byte offset {offset + start + exc.start} "
                f"(0x{line[start + exc.start]:02x}) cannot be decoded; nothing was imported.",
                hint="Save the file as CSV in UTF-8 (in Excel: CSV UTF-8) and import it again.",
            ) from None
        if "\x00" in text:
            raise BadInput(
                f"{name} line {number} holds a NUL byte: it is not a text file; nothing was imported.",
                hint="Export the requests as CSV in UTF-8 and import that file.",
            )
        offset += len(line)
        yield text


def import_csv(
    privacy: Privacy,
    path: Path,
    *,
    kind: str = "delete",
    regulation: str = "gdpr",
    actor: str,
    name: str | None = None,
) -> ImportSummary:
    summary = ImportSummary()
    for row in read_rows(path, name):
        summary.rows.append(_file(privacy, row, kind=kind, regulation=regulation, actor=actor))
    return summary


def _file(privacy: Privacy, row: Row, *, kind: str, regulation: str, actor: str) -> RowResult:
    """File one row's request (committed with its duplicate check, so a crash leaves it findable)."""
    values = row.values
    email = values.get("email", "")
    if row.extra_cells:
        named = len(values)
        error = (
            f"{named + row.extra_cells} cells but the header names {named}; "
            "quote a value that holds a comma, and separate connections with `;`."
        )
        return RowResult(row.line, email, REFUSED, error=error)
    try:
        ticket = privacy.create(
            kind=values.get("kind") or kind,
            email=email,
            identifiers={k: v for k, v in values.items() if k in SUBJECT_FIELDS and k != "email" and v},
            connections=[n for n in re.split(r"[;\s]+", values.get("connections", "")) if n] or None,
            regulation=values.get("regulation") or regulation,
            actor=actor,
            received_at=_when(values.get("received_at", "")),
            unless_open=True,
        )
    except AlreadyOpen as exc:
        return RowResult(row.line, email, DUPLICATE, ticket=exc.ticket_id, status=exc.ticket_status)
    except HeadwaterError as exc:
        return RowResult(row.line, email, REFUSED, error=str(exc))
    return RowResult(row.line, email, CREATED, ticket=ticket["id"], status=ticket["status"])


def _when(text: str) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise BadInput(f"received_at {text!r} is not an ISO 8601 date and time.") from None
