"""A batch is the unit of loading: files on local disk plus the bookmark that is true once they are in.

Sources produce batches (a FullStory bundle, an Amplitude hour); destinations load them and commit the
bookmark in the same transaction. `prefetch` runs the source in a thread ahead of the loader, so the
next download overlaps the current load: download while parsing, never parse while waiting. Batches
already downloaded when the loader is free are loaded together, in one transaction.
"""

from __future__ import annotations

import queue
import shutil
import threading
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

from headwater.private_files import private_folder

JsonFormat = Literal["array", "newline_delimited"]


@dataclass
class Batch:
    key: str  # what the report calls it: "bundle 20752", "hour 2026-10-26T05"
    files: list[Path]
    fmt: JsonFormat
    bookmark: str  # the stream's bookmark once this batch is loaded
    start: datetime | None = None
    end: datetime | None = None
    size_bytes: int = 0
    details: dict[str, str | int] = field(default_factory=dict)

    def discard(self) -> None:
        for path in self.files:
            path.unlink(missing_ok=True)


_DONE = object()


class _Failure:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def prefetch(
    batches: Iterator[Batch],
    *,
    depth: int = 4,
    group_files: int = 4,
) -> Generator[list[Batch], None, None]:
    """Yield groups of `batches` while a worker thread keeps up to `depth` more downloaded ahead.

    A group is one batch plus whatever others are already waiting (up to `group_files` files in all).
    Loading them in one statement lets the database read several files in parallel, and a
    transaction of more rows than one DuckDB row group (122,880) is written straight to the table
    instead of through the write-ahead log: four FullStory bundles load about twice as fast as two.
    """
    ready: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for batch in batches:
                if not put(batch):
                    batch.discard()
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            put(_Failure(exc))

    worker = threading.Thread(target=produce, name="headwater-sync-download", daemon=True)
    worker.start()
    pending: object | None = None
    try:
        while True:
            item = pending if pending is not None else ready.get()
            pending = None
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.error
            assert isinstance(item, Batch)
            group = [item]
            while sum(len(b.files) for b in group) < group_files:
                try:
                    following = ready.get_nowait()
                except queue.Empty:
                    break
                if not isinstance(following, Batch) or following.fmt != item.fmt:
                    pending = following
                    break
                group.append(following)
            yield group
    finally:
        stop.set()
        _drain(ready)
        worker.join(timeout=30)
        _drain(ready)


def combine(group: list[Batch]) -> Batch:
    """Several consecutive batches as one: their files together, the last one's bookmark."""
    if len(group) == 1:
        return group[0]
    first, last = group[0], group[-1]
    return Batch(
        key=f"{first.key} to {last.key.split(' ', 1)[-1]}",
        files=[path for batch in group for path in batch.files],
        fmt=first.fmt,
        bookmark=last.bookmark,
        start=first.start,
        end=last.end,
        size_bytes=sum(batch.size_bytes for batch in group),
    )


def _drain(ready: queue.Queue[object]) -> None:
    while True:
        try:
            item = ready.get_nowait()
        except queue.Empty:
            return
        if isinstance(item, Batch):
            item.discard()


class Scratch:
    """A private folder for one run's downloads, removed when the run ends (even on error)."""

    def __init__(self, root: Path) -> None:
        private_folder(root)  # with `sync` and `sync/tmp`: raw events are inside, owner only
        self.root = root

    def __enter__(self) -> Scratch:
        return self

    def __exit__(self, *_exc: object) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def file(self, name: str) -> Path:
        return self.root / name
