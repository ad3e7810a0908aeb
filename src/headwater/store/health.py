"""Whether the store can be worked with right now: reachable, and migrated to the newest schema.

Asked by readiness probes (the web face's `/readyz`), which must answer "not ready" rather than fail.
"""

from __future__ import annotations

from sqlalchemy import text

from headwater.store.db import Database

OK = "ok"


def store_status(db: Database) -> str:
    """ "ok", or what is wrong in a few words (never a URL or a secret)."""
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return OK if db.is_current() else "schema is not current"
    except Exception as exc:  # any failure means "not ready", never an error of the probe itself
        return f"unreachable ({type(exc).__name__})"
