"""Engine and sessions for the store, with migrations applied automatically on first use."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from headwater.config import Settings, mask_url
from headwater.errors import ConfigError
from headwater.private_files import create_private
from headwater.text_input import refuse_unstorable

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"
MIGRATION_LOCK_KEY = 0x68770001  # any constant shared by every Headwater process


def _normalise(url: str) -> str:
    """Accept plain `postgresql://` URLs and use psycopg 3 for them."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def create_store_engine(url: str) -> Engine:
    engine = _create_engine(url)
    # a NUL is kept by SQLite and refused by PostgreSQL: both stores refuse it, before it is sent
    event.listen(engine, "before_cursor_execute", _refuse_unstorable_text)
    return engine


def _refuse_unstorable_text(
    _conn: Any, _cursor: Any, _statement: str, parameters: Any, _context: Any, _executemany: bool
) -> None:
    refuse_unstorable(parameters)


def _create_engine(url: str) -> Engine:
    url = _normalise(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"Cannot parse the database URL {mask_url(url)!r}.") from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            # owner-only from the start; SQLite gives its -wal and -shm files the database's mode
            create_private(Path(parsed.database))
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() != "postgresql":
        raise ConfigError(
            f"Unsupported database {parsed.get_backend_name()!r}: use sqlite:///PATH or postgresql://..."
        )
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


class Database:
    """The store: one engine, a session factory, and the guarantee that the schema is current."""

    def __init__(self, url: str) -> None:
        self.url = _normalise(url)
        self.engine = create_store_engine(self.url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def open(cls, settings: Settings) -> Database:
        if not settings.database_url:
            settings.ensure_home()
        db = cls(settings.effective_database_url)
        db.migrate()
        return db

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def current_revisions(self) -> set[str]:
        with self.engine.connect() as conn:
            return set(MigrationContext.configure(conn).get_current_heads())

    def head_revisions(self) -> set[str]:
        """Features add their tables on branches of their own; every head is applied."""
        return set(ScriptDirectory.from_config(_alembic_config(self.engine)).get_heads())

    def is_current(self) -> bool:
        return self.current_revisions() == self.head_revisions()

    def migrate(self) -> None:
        """Bring the schema to the newest revisions; a no-op when it already is."""
        try:
            if self.is_current():
                return
            self._refuse_newer()
            log.info("migrating store %s", mask_url(self.url))
            with self.engine.begin() as conn:
                if self.dialect == "postgresql":
                    # several processes starting on a fresh database: one migrates, the others wait
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
                config = _alembic_config(self.engine)
                config.attributes["connection"] = conn
                command.upgrade(config, "heads")
        except OperationalError as exc:
            raise self.unusable("open", exc) from None

    def unusable(self, doing: str, exc: BaseException) -> ConfigError:
        """The store failed at `doing` ("open", "claim jobs from"): one line, and a hint that fits its backend
        (a SQLite file has a disk and a path, not a server)."""
        reason = getattr(exc, "orig", None) or exc
        text = str(reason).strip().splitlines()[0] if str(reason).strip() else type(reason).__name__
        if self.dialect == "sqlite":
            path = self.engine.url.database or "(in memory)"
            hint = (
                f"The store is the SQLite file {path}: check that its disk has free space and is writable "
                "by this user, and that no other program holds it; or point HEADWATER_DATABASE_URL elsewhere."
            )
        else:
            hint = "Check HEADWATER_DATABASE_URL and that the database server is running."
        return ConfigError(f"Cannot {doing} the store at {mask_url(self.url)}: {text}", hint=hint)

    def _refuse_newer(self) -> None:
        """A revision this version does not know was written by a newer one: say so in one line, since
        no migration of ours can help (alembic's own answer is a long traceback on every command)."""
        script = ScriptDirectory.from_config(_alembic_config(self.engine))
        unknown = sorted(self.current_revisions() - {s.revision for s in script.walk_revisions()})
        if unknown:
            raise ConfigError(
                f"This store was migrated by a newer Headwater (revision {', '.join(unknown)}); "
                "upgrade Headwater."
            )

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back on error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
