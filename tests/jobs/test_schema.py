from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from headwater.store import Database, all_models

JOB_TABLES = {"jobs", "job_effects", "job_locks", "job_ticks", "job_heartbeats"}


def test_the_migration_creates_exactly_the_job_models(db: Database) -> None:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, all_models.metadata())

    def table_of(diff: object) -> str | None:
        item = diff[0] if isinstance(diff, list) else diff
        for part in item[1:] if isinstance(item, tuple) else ():
            name = getattr(part, "name", None) if not isinstance(part, str) else None
            table = getattr(part, "table", None)
            if table is not None and getattr(table, "name", None) in JOB_TABLES:
                return str(table.name)
            if name in JOB_TABLES:
                return str(name)
            if isinstance(part, str) and part in JOB_TABLES:
                return part
        return None

    ours = [diff for diff in differences if table_of(diff) is not None]
    assert ours == []
