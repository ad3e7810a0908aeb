"""Where the rows of a download go: into the action's output (capped) or into a JSON-lines file.

A file path keeps every row and never holds them in memory; without one the output keeps at most
`ctx.limit` rows (or a safe default) and says when it stopped early. Only local faces may give a path
(`local_files`); whoever gives it, nothing is written inside Headwater's own package. The rows are raw
provider data, personal data among them, so the file is created 0600 (and any folder made for it 0700).
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel, Field

from headwater.actions.model import ActionContext
from headwater.package_files import refuse_package_path
from headwater.private_files import create_private, private_folder

DEFAULT_ROW_CAP = 10_000
REPORT_EVERY = 1_000


class RowsOutput(BaseModel):
    row_count: int = Field(description="Rows read (all of them when written to a file)")
    rows: list[dict[str, Any]] | None = Field(default=None, description="The rows, when no path was given")
    path: str | None = Field(default=None, description="The JSON-lines file written, when a path was given")
    truncated: bool = Field(default=False, description="True when more rows existed than were returned")


def sink_rows(
    rows: Iterable[dict[str, Any]], ctx: ActionContext, *, path: str | None, what: str
) -> RowsOutput:
    if path:
        refuse_package_path(path, "path")
        count = _write(rows, Path(path).expanduser(), ctx, what)
        return RowsOutput(row_count=count, path=str(Path(path).expanduser()))
    cap = ctx.limit if ctx.limit is not None else DEFAULT_ROW_CAP
    kept: list[dict[str, Any]] = []
    for row in rows:
        if len(kept) >= cap:
            return RowsOutput(row_count=len(kept), rows=kept, truncated=True)
        kept.append(row)
        if len(kept) % REPORT_EVERY == 0:
            ctx.progress(what, len(kept), None)
    ctx.progress(what, len(kept), len(kept))
    return RowsOutput(row_count=len(kept), rows=kept)


def _open(path: Path) -> IO[str]:
    create_private(path)  # owner-only before the first row is in it; an existing file is narrowed
    os.chmod(path, 0o600)
    if path.suffix == ".gz":
        return gzip.open(path, "wt", encoding="utf-8")
    return path.open("w", encoding="utf-8")


def _write(rows: Iterable[dict[str, Any]], path: Path, ctx: ActionContext, what: str) -> int:
    """One JSON object per line; gzip-compressed when the name ends in `.gz`."""
    if not path.parent.exists():
        private_folder(path.parent)
    count = 0
    with _open(path) as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False, default=str))
            handle.write("\n")
            count += 1
            if count % REPORT_EVERY == 0:
                ctx.progress(what, count, None)
    ctx.progress(what, count, count)
    return count
