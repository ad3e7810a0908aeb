"""Files that hold personal data or secrets are readable by their owner only, from the moment they exist.

Two ways, for two kinds of writer. A file we open ourselves, or one whose library gives its companions
the file's own mode (SQLite's `-wal` and `-shm`), is created empty with mode 0600 first. A library that
creates and deletes files of its own as it goes (DuckDB's `.wal`, recreated after each checkpoint, and its
spill folder) is run under a umask of 077. The umask belongs to the whole process, so while any such
writer is open, every file the process creates is private; that errs on the safe side, and the previous
umask is back once the last of them has closed.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

OWNER_ONLY = 0o077
_lock = threading.Lock()
_holders = 0
_saved = 0


def create_private(path: Path) -> bool:
    """Create `path` empty with mode 0600 unless it exists; whether it was created."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        return False
    return True


@contextmanager
def owner_only_umask() -> Iterator[None]:
    """While open (in any thread), files this process creates are private to its user."""
    release = hold_owner_only_umask()
    try:
        yield
    finally:
        release()


def hold_owner_only_umask() -> Callable[[], None]:
    """Like `owner_only_umask`, for an object that holds it from its creation to its `close()`; the
    returned release may be called more than once."""
    global _holders, _saved
    with _lock:
        if _holders == 0:
            _saved = os.umask(OWNER_ONLY)
        _holders += 1
    released = threading.Event()

    def release() -> None:
        global _holders
        with _lock:
            if released.is_set():
                return
            released.set()
            _holders -= 1
            if _holders == 0:
                os.umask(_saved)

    return release


def private_folder(path: Path) -> Path:
    """`path` as a folder only its owner may enter: missing folders on the way are created 0700, and
    `path` itself is narrowed to 0700 if an earlier version created it wider."""
    missing = [folder for folder in (path, *path.parents) if not folder.exists()]
    for folder in reversed(missing):
        with suppress(FileExistsError):
            folder.mkdir(mode=0o700)
    if path.stat().st_mode & 0o777 != 0o700:
        path.chmod(0o700)
    return path
