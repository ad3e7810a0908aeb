"""The master key file: created private, checked on every read, never silently replaced.

Whoever can read `secret.key` can read every stored credential and every copy of personal data kept
encrypted, and whoever can write it can swap the key under a running service. So a key file that others
may read draws a warning (once per process), one that others may write is refused, and a missing key file
is generated only while the store holds nothing encrypted: otherwise a new key would make everything
stored unreadable and start writing secrets that no backup of the old key opens.
"""

from __future__ import annotations

import functools
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import make_url
from sqlalchemy.exc import SQLAlchemyError

from headwater import encrypted
from headwater.config import Settings, mask_url
from headwater.errors import ConfigError
from headwater.store.db import create_store_engine


@dataclass(frozen=True)
class Stamp:
    """What identifies one version of the key file, so a process notices when another one rewrote it."""

    inode: int
    size: int
    modified_ns: int


def stamp(path: Path) -> Stamp | None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return Stamp(info.st_ino, info.st_size, info.st_mtime_ns)


def read_lines(path: Path) -> list[str]:
    """The key file's lines, after checking who else may read or write it."""
    check_mode(path)
    return path.read_text().splitlines()


def check_mode(path: Path) -> None:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise ConfigError(
            f"The master key file {path} may be written by other users (mode {mode:04o}), so anyone of "
            "them could replace the key; it is not used.",
            hint=f"Check that it was not changed, then run `chmod 600 {path}`.",
        )
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        _warn_readable(str(path), mode)


@functools.cache
def _warn_readable(path: str, mode: int) -> None:
    """Once per process and file: a warning on every call would drown a worker's output."""
    print(
        f"Warning: the master key file {path} may be read by other users (mode {mode:04o}); "
        f"run `chmod 600 {path}`.",
        file=sys.stderr,
    )


def write(path: Path, keys: list[bytes]) -> None:
    """Write atomically, never readable by anyone but the owner, not even for an instant."""
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(b"\n".join(keys) + b"\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def refuse_if_data_exists(settings: Settings) -> None:
    """Before generating a key: stop if the store already holds values encrypted under a lost one."""
    found = stored_encrypted_columns(settings)
    if not found:
        return
    path = settings.key_file
    raise ConfigError(
        f"The master key file {path} is missing, but the store {mask_url(settings.effective_database_url)} "
        f"holds encrypted data ({', '.join(entry.holds for entry in found)}); a new key could not read it, "
        "so none was generated.",
        hint=f"Restore {path} from your backup (mode 0600), or set HEADWATER_SECRET_KEY to the key(s) "
        "the data was stored with (newest first, comma-separated).",
    )


def stored_encrypted_columns(settings: Settings) -> list[encrypted.EncryptedColumn]:
    """The registered columns holding values, read without creating or migrating the store."""
    url = settings.effective_database_url
    if url.startswith("sqlite"):
        database = make_url(url).database
        if not (database and Path(database).exists()):
            return []  # no store yet: this is a first run
    engine = create_store_engine(url)
    try:
        with engine.connect() as conn:
            return encrypted.holders(conn)
    except SQLAlchemyError as exc:
        raise ConfigError(
            f"The master key file {settings.key_file} is missing and the store at {mask_url(url)} cannot "
            f"be opened to check whether it holds encrypted data: {getattr(exc, 'orig', None) or exc}",
            hint="Check HEADWATER_DATABASE_URL and that the database server is running.",
        ) from None
    finally:
        engine.dispose()
