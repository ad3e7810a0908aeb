"""Schema evolution rules: which column types a new batch may bring, and how a table grows to take them.

Types are DuckDB's, as its JSON reader detects them. A new field becomes a new nullable column; a field
whose values no longer fit its column widens it (integers to DOUBLE, anything else to VARCHAR) instead
of failing the run. Nested values (objects, lists) are kept as JSON, never as rigid STRUCTs whose shape
would change from one batch to the next.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from headwater.sync.target import quote

INTEGERS = frozenset(
    {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "HUGEINT"}
)
FLOATS = frozenset({"FLOAT", "DOUBLE"})
TIMESTAMPS = frozenset(
    {"TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "DATE"}
)
TEXT = frozenset({"VARCHAR", "JSON"})
META_COLUMNS = (("_headwater_batch", "VARCHAR"), ("_headwater_loaded_at", "TIMESTAMP WITH TIME ZONE"))


def is_nested(column_type: str) -> bool:
    return column_type.startswith(("STRUCT(", "MAP(", "UNION(")) or column_type.endswith("]")


def stored_type(column_type: str, *, as_json: bool = False) -> str:
    """The column type a detected type is stored as: nested values as JSON, all-null ones as VARCHAR."""
    if as_json or is_nested(column_type):
        return "JSON"
    if column_type.strip('"') == "NULL":  # no value seen yet: text takes whatever comes later
        return "VARCHAR"
    if column_type.startswith("DECIMAL"):
        return "DOUBLE"
    return column_type


def fits(incoming: str, existing: str) -> bool:
    """Whether values of type `incoming` go into a column of type `existing` without loss or error."""
    if incoming == existing or existing in TEXT:
        return True
    if incoming in INTEGERS:
        return existing in INTEGERS | FLOATS and (
            existing in FLOATS or _int_rank(incoming) <= _int_rank(existing)
        )
    if incoming in FLOATS:
        return existing == "DOUBLE"
    if incoming in TIMESTAMPS:
        return existing in TIMESTAMPS and not (incoming != "DATE" and existing == "DATE")
    return False


def widened(incoming: str, existing: str) -> str:
    """The narrowest type holding both: DOUBLE for two numbers, else VARCHAR."""
    numbers = INTEGERS | FLOATS
    if incoming in numbers and existing in numbers:
        if incoming in INTEGERS and existing in INTEGERS:
            return "BIGINT" if "HUGEINT" not in (incoming, existing) else "HUGEINT"
        return "DOUBLE"
    if incoming in TIMESTAMPS and existing in TIMESTAMPS:
        return "TIMESTAMP WITH TIME ZONE"
    return "VARCHAR"


def _int_rank(column_type: str) -> int:
    order = ["TINYINT", "UTINYINT", "SMALLINT", "USMALLINT", "INTEGER", "UINTEGER", "BIGINT", "UBIGINT"]
    return order.index(column_type) if column_type in order else len(order)


def plan_changes(
    detected: Iterable[tuple[str, str]], existing: Mapping[str, str], json_columns: frozenset[str]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(columns to add, columns to widen) so that a batch with `detected` columns fits the table.

    `existing` is keyed by lower-case name: DuckDB matches column names without regard to case.
    """
    added: list[tuple[str, str]] = []
    changed: list[tuple[str, str]] = []
    for name, column_type in detected:
        wanted = stored_type(column_type, as_json=name in json_columns)
        current = existing.get(name.lower())
        if current is None:
            added.append((name, wanted))
        elif not fits(wanted, current):
            changed.append((name, widened(wanted, current)))
    return added, changed


def _as_json(name: str) -> str:
    return f"json_merge_patch('{{}}', to_json({quote(name)})) AS {quote(name)}"


def star_select(json_targets: Iterable[str]) -> str:
    """`* REPLACE (...)`: the whole row as it is, JSON-bound columns through `to_json`.

    `json_merge_patch('{}', ...)` removes the null members `to_json` gives a STRUCT for keys a row lacks.
    """
    converted = [_as_json(name) for name in json_targets]
    return "*" + (f" REPLACE ({', '.join(converted)})" if converted else "")


def select_list(columns: Iterable[tuple[str, str]], json_targets: Iterable[str]) -> tuple[str, list[str]]:
    """The SELECT list for a batch with known columns, and the column names in its order.

    Columns bound for a JSON column, and nested values, go through `to_json` (see `star_select`).
    """
    targets = {name.lower() for name in json_targets}
    listed = list(columns)
    as_json = [name for name, column_type in listed if name.lower() in targets or is_nested(column_type)]
    chosen = {name.lower() for name in as_json}
    plain = [name for name, _ in listed if name.lower() not in chosen]
    parts = [quote(name) for name in plain] + [_as_json(name) for name in as_json]
    return ", ".join(parts), plain + as_json
