"""The store: everything that outlives a process (SQLite by default, PostgreSQL for scale-out)."""

from headwater.store.db import Database

__all__ = ["Database"]
