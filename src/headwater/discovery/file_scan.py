"""Scanning export files: in this process, or, with several large files, on every core.

Exports come as many files (an Amplitude hour per part, a FullStory bundle per day), and parsing JSON
is what a file scan spends its time on, so large ones are shared out between worker processes, one per
shard of files, each keeping its own bounded sample; the parent merges the samples (first N distinct
values per path, in shard order) and classifies once. Workers are forked when this process runs a single
thread (quick to start), and spawned otherwise (forking a process whose other threads hold locks can
deadlock the child)."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

from headwater.discovery.readers import read_files
from headwater.discovery.sampling import FieldSampler
from headwater.discovery.scan import ScanOptions, ScanReport, classify_sample, scan_rows, since_filter
from headwater.errors import BadInput, NotFound

#: below this much data, starting worker processes costs more than it saves
MIN_PARALLEL_BYTES = 64 * 1024 * 1024
Sample = list[tuple[str, list[str]]]


def scan_files(paths: list[Path], options: ScanOptions, *, workers: int | None = None) -> ScanReport:
    """Scan export files; with several large files, on several cores (`workers` None = decide)."""
    if not paths:
        raise BadInput("Give at least one file to scan.")
    for path in paths:
        if not path.is_file():
            raise NotFound(f"No such file: {path}.", hint="Check the path given to --file.")
    chosen = default_workers(paths) if workers is None else workers
    if chosen > 1 and len(paths) > 1:
        return scan_files_parallel(paths, options, chosen)
    return scan_rows(read_files(paths), ", ".join(str(path) for path in paths), options)


def default_workers(paths: list[Path]) -> int:
    """As many workers as cores, files and data allow; 1 means scan in this process."""
    if len(paths) < 2 or sum(_size(path) for path in paths) < MIN_PARALLEL_BYTES:
        return 1
    return max(1, min(os.cpu_count() or 1, len(paths)))


def scan_files_parallel(paths: list[Path], options: ScanOptions, workers: int) -> ScanReport:
    shards = _shards(paths, workers)
    since = options.since.isoformat() if options.since else None
    forkable = threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if forkable else "spawn")
    with ProcessPoolExecutor(max_workers=len(shards), mp_context=context) as pool:
        futures = [
            pool.submit(_sample_shard, [str(p) for p in shard], options.sample, since) for shard in shards
        ]
        results = [future.result() for future in futures]
    merged = _merge((sample for _, sample, _ in results), options.sample)
    return ScanReport(
        ", ".join(str(path) for path in paths),
        sum(events for events, _, _ in results),
        classify_sample(merged, options),
        sum(dropped for _, _, dropped in results),
    )


def _sample_shard(paths: list[str], cap: int, since: str | None) -> tuple[int, Sample, int]:
    sampler = FieldSampler(cap)
    events = 0
    for row in since_filter(
        read_files([Path(path) for path in paths]), date.fromisoformat(since) if since else None
    ):
        sampler.add(row)
        events += 1
    return events, list(sampler.fields()), sampler.fields_dropped


def _merge(samples: Iterable[Sample], cap: int) -> Iterator[tuple[str, list[str]]]:
    merged: dict[str, dict[str, None]] = {}
    for sample in samples:
        for path, values in sample:
            kept = merged.setdefault(path, {})
            for value in values:
                if len(kept) >= cap:
                    break
                kept[value] = None
    for path, kept in merged.items():
        yield path, list(kept)


def _shards(paths: list[Path], workers: int) -> list[list[Path]]:
    """Largest files first, each to the lightest shard, so shards finish together."""
    shards: list[list[Path]] = [[] for _ in range(max(1, min(workers, len(paths))))]
    loads = [0] * len(shards)
    for path in sorted(paths, key=_size, reverse=True):
        lightest = loads.index(min(loads))
        shards[lightest].append(path)
        loads[lightest] += _size(path)
    return shards


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
