"""Stream a provider's response body to a local file, byte for byte, retrying a cut-off transfer.

A gzip file stays gzip (only a transfer encoding is undone), so nothing is parsed in Python: the
database reads the file with its own JSON reader. A transfer that breaks mid-body starts again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from headwater.errors import ProviderUnavailable
from headwater.http import HttpClient

log = logging.getLogger(__name__)
GZIP_MAGIC = b"\x1f\x8b"
TRANSFER_ATTEMPTS = 3


def to_file(
    http: HttpClient,
    path: str,
    target: Path,
    *,
    params: dict[str, Any] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Download `path` into `target`; returns the byte count. Raises the client's typed errors."""
    for attempt in range(1, TRANSFER_ATTEMPTS + 1):
        try:
            with http.stream("GET", path, params=params) as rsp, target.open("wb") as out:
                size = 0
                for chunk in rsp.iter_bytes(1 << 20):
                    out.write(chunk)
                    size += len(chunk)
                return size
        except (httpx.TransportError, httpx.StreamError) as exc:
            target.unlink(missing_ok=True)
            if attempt == TRANSFER_ATTEMPTS:
                raise ProviderUnavailable(
                    f"The download of {http.provider} {path} broke off {attempt} times "
                    f"({type(exc).__name__}).",
                    hint="Check the network and retry the sync; it resumes from the last loaded batch.",
                ) from None
            log.warning("download of %s broke off (%s); starting it again", path, type(exc).__name__)
            sleep(min(30.0, 2.0**attempt))
    raise AssertionError("unreachable")  # pragma: no cover


def is_gzip(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(2) == GZIP_MAGIC
