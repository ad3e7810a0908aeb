"""Scratch folders that a killed sync left behind, removed at the start of the next one.

A run downloads raw events — personal data — into `sync/tmp/<pid>-<host>-<token>` and removes the folder
when it ends, even on error; but a process killed outright (SIGKILL, a power cut) runs no cleanup, and the
folder would stay forever. Every sync therefore sweeps first: a folder whose process is no longer alive
on this host is removed; a folder of a live process (a concurrent sync) or of another host sharing the
home is left alone.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import shutil
import socket
from pathlib import Path

log = logging.getLogger(__name__)


def host_tag() -> str:
    """A short, stable name for this host that cannot contain the `-` that separates the parts."""
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def scratch_folder(root: Path) -> Path:
    """A new run's folder under `root`, named for the process that owns it."""
    return root / f"{os.getpid()}-{host_tag()}-{secrets.token_hex(4)}"


def sweep(root: Path) -> list[Path]:
    """Remove the folders under `root` whose owning process has died on this host; the ones removed."""
    if not root.is_dir():
        return []
    removed = []
    here = host_tag()
    for folder in root.iterdir():
        owner = _owner(folder.name, here)
        if owner is None or not folder.is_dir() or _alive(owner):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            removed.append(folder)
    if removed:
        log.info("Removed %d scratch folder(s) left by syncs that did not finish.", len(removed))
    return removed


def _owner(name: str, here: str) -> int | None:
    """The pid of a folder this host's syncs made (`<pid>-<host>-<token>`, or `<pid>-<token>` as
    earlier versions named them), else None."""
    parts = name.split("-")
    if not parts[0].isdigit() or len(parts) not in (2, 3):
        return None
    if len(parts) == 3 and parts[1] != here:
        return None
    return int(parts[0])


def _alive(pid: int) -> bool:
    if pid <= 0:
        return True  # not a process we could have been: leave it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True
