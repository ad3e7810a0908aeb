"""The web face holds no queries: it calls the services (privacy, jobs, sync, accounts, store), which own
their tables. This is what keeps the CLI and the web showing the same thing.

What counts as holding SQL, anywhere in a module under `src/headwater/web` (deferred imports included):
- importing SQLAlchemy, Alembic or a database driver (sqlite3, psycopg, psycopg2, duckdb);
- calling `.execute(`, `.exec_driver_sql(`, `.scalar(` or `.scalars(` (a session or connection queried);
- a string that reads as SQL: `SELECT … FROM`, `INSERT INTO`, `UPDATE … SET`, `DELETE FROM`, or
  `CREATE`/`ALTER`/`DROP TABLE`, in capitals as SQL is written here.
Importing a row class for a type hint, or a service that queries, does not count.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import headwater.web

WEB = Path(headwater.web.__file__).parent
DATABASE_MODULES = ("sqlalchemy", "alembic", "sqlite3", "psycopg", "psycopg2", "duckdb")
QUERY_CALLS = ("execute", "exec_driver_sql", "scalar", "scalars")
SQL_TEXT = re.compile(
    r"\bSELECT\b.+\bFROM\b|\bINSERT\s+INTO\b|\bUPDATE\s+\w+\s+SET\b|\bDELETE\s+FROM\b"
    r"|\b(CREATE|ALTER|DROP)\s+TABLE\b",
    re.DOTALL,
)


def offences(source: str) -> list[str]:
    """What in `source` counts as SQL, one line each (with its line number)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        found += [f"{node.lineno}: imports {n}" for n in names if n.split(".")[0] in DATABASE_MODULES]
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in QUERY_CALLS
        ):
            found.append(f"{node.lineno}: calls .{node.func.attr}()")
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL_TEXT.search(node.value):
            found.append(f"{node.lineno}: SQL text {node.value[:40]!r}")
    return found


def test_no_module_under_web_imports_sqlalchemy_or_writes_sql() -> None:
    modules = sorted(WEB.rglob("*.py"))
    assert len(modules) > 40  # the whole web package was read, not an empty folder
    found = {
        str(path.relative_to(WEB)): problems
        for path in modules
        if (problems := offences(path.read_text(encoding="utf-8")))
    }
    assert found == {}, "move these queries into the owning service: " + repr(found)


def test_the_check_sees_deferred_imports_queries_and_sql_text() -> None:
    source = """
from headwater.jobs.models import JobRow  # a row class for a type hint is fine

def page(db):
    from sqlalchemy import select
    import sqlite3
    with db.session() as session:
        session.scalars(select(JobRow))
        return session.execute("SELECT id FROM jobs WHERE status = 'dead'")
"""
    found = [line.split(": ", 1)[1] for line in offences(source)]
    assert found[:4] == ["imports sqlalchemy", "imports sqlite3", "calls .scalars()", "calls .execute()"]
    assert len(found) == 5 and found[4].startswith("SQL text") and "SELECT id" in found[4]
