"""Where a sync writes: a DuckDB file or a PostgreSQL database, named by a URL.

Each connection gets a schema of its own (named after it) holding an `events` table and the
`_headwater_bookmarks` table, so several connections can share one destination without colliding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from headwater.config import mask_url
from headwater.errors import BadInput

PG_PREFIXES = ("postgresql://", "postgres://", "postgresql+psycopg://")
DUCKDB_PREFIX = "duckdb://"
_IDENTIFIER_SAFE = re.compile(r"[^A-Za-z0-9_]")


@dataclass(frozen=True)
class Target:
    kind: Literal["duckdb", "postgresql"]
    location: str  # a file path, or a libpq URL (which may hold a password: never print it)
    schema: str

    def __repr__(self) -> str:
        return f"Target(kind={self.kind!r}, location={self.display()!r}, schema={self.schema!r})"

    def display(self) -> str:
        """Safe to print, log and store: a password in a URL is masked."""
        if self.kind == "duckdb":
            return f"duckdb://{self.location}"
        return mask_url(self.location)

    @property
    def path(self) -> Path:
        return Path(self.location)


def default_duckdb_path(home: Path, connection: str) -> Path:
    return home / "sync" / f"{connection}.duckdb"


def schema_name(connection: str) -> str:
    """Connection names may hold '-' or '.'; schema names keep to letters, digits and '_'."""
    return _IDENTIFIER_SAFE.sub("_", connection).lower()


def parse_target(url: str | None, *, home: Path, connection: str) -> Target:
    """`duckdb:///abs/path.duckdb`, a plain `*.duckdb` path, or `postgresql://...`; None = the default."""
    schema = schema_name(connection)
    if not url:
        return Target("duckdb", str(default_duckdb_path(home, connection)), schema)
    if url.startswith(PG_PREFIXES):
        libpq = "postgresql://" + url.split("://", 1)[1]
        return Target("postgresql", libpq, schema)
    if url.startswith(DUCKDB_PREFIX):
        path = url[len(DUCKDB_PREFIX) :]
        if not path or path in ("/", ":memory:", "/:memory:"):
            raise BadInput("A DuckDB destination needs a file path, e.g. duckdb:///data/events.duckdb.")
        return Target("duckdb", str(Path(path).expanduser().resolve()), schema)
    if "://" not in url and url.endswith((".duckdb", ".db")):
        return Target("duckdb", str(Path(url).expanduser().resolve()), schema)
    raise BadInput(
        f"Unsupported destination {mask_url(url)!r}.",
        hint="Use duckdb:///path/to/file.duckdb or postgresql://user@host/database.",
    )


def quote(identifier: str) -> str:
    """A double-quoted SQL identifier (the same rule in DuckDB and PostgreSQL)."""
    return '"' + identifier.replace('"', '""') + '"'
