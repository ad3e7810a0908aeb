"""Throughput and memory of PII discovery over a million sandbox events, from files and from a table.

Prepares (once, cached under --data) the Amplitude export of a sandbox World of 5,000 people x 200 events
as gzipped NDJSON parts, and a DuckDB replica of it shaped as `headwater sync` writes one (nested objects
as JSON columns). Then measures, each in a fresh child process so that its peak memory is its own:

- detectors: values classified per CPU-second (one core) over the sampled values of every field;
- files: `discover scan --file` over every part, on one core and on all cores (events/s wall clock);
- table: `discover scan NAME` over the replicated table (events/s wall clock);
- memory: peak RSS scanning one part versus all of them (flat = the same peak for N times the events).

Goals: >= 100,000 values/s per core for the detectors, >= 20,000 events/s end to end, memory flat.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

DEFAULT_DATA = Path("/tmp/headwater-bench-discovery")


def replicate(replica: Path, files: list[Path]) -> None:
    import duckdb

    con = duckdb.connect(str(replica))
    con.execute("SET preserve_insertion_order=false")
    con.execute("SET enable_progress_bar=false")
    sources = "[" + ", ".join(f"'{path}'" for path in files) + "]"
    con.execute('CREATE SCHEMA "bench"')
    con.execute(
        'CREATE TABLE "bench".events AS SELECT * REPLACE (to_json(event_properties) AS event_properties, '
        "to_json(user_properties) AS user_properties, to_json(data) AS data, to_json(groups) AS groups, "
        "to_json(group_properties) AS group_properties, to_json(plan) AS plan, "
        "to_json(global_user_properties) AS global_user_properties) "
        f"FROM read_json({sources}, format='newline_delimited', union_by_name=true)"
    )
    con.close()


def prepare(folder: Path, events: int, parts: int) -> tuple[list[Path], Path]:
    from headwater.discovery.labelled import sandbox

    folder.mkdir(parents=True, exist_ok=True)
    files = [folder / f"amplitude-{index:02d}.json.gz" for index in range(parts)]
    replica = folder / "replica.duckdb"
    if not all(path.exists() for path in files):
        import gzip
        from contextlib import ExitStack

        print(f"Writing {events:,} sandbox events as {parts} Amplitude export parts ...", flush=True)
        per_part = -(-events // parts)
        with ExitStack() as stack:
            handles = [stack.enter_context(gzip.open(path, "wt", compresslevel=3)) for path in files]
            for number, line in enumerate(sandbox.amplitude_lines(sandbox.world(events))):
                handles[min(number // per_part, parts - 1)].write(line + "\n")
        replica.unlink(missing_ok=True)
        (folder / "replica-one-part.duckdb").unlink(missing_ok=True)
    if not replica.exists():
        print("Replicating them into DuckDB (nested objects as JSON columns) ...", flush=True)
        replicate(replica, files)
        replicate(folder / "replica-one-part.duckdb", files[:1])
    return files, replica


def measure(kind: str, files: list[Path], replica: Path, workers: int) -> dict[str, float]:
    """Child process: one measurement, printed as JSON."""
    from headwater.discovery.classify import classify_field
    from headwater.discovery.file_scan import scan_files
    from headwater.discovery.lexicon import lexicon
    from headwater.discovery.scan import ScanOptions, classify_sample
    from headwater.discovery.table_scan import EventTable, scan_table

    lexicon()  # built once per process; not part of any scan's figure
    options = ScanOptions()
    started, cpu = time.perf_counter(), time.process_time()
    if kind == "detectors":
        from headwater.discovery.readers import read_files
        from headwater.discovery.sampling import FieldSampler

        sampler = FieldSampler(options.sample)
        for row in read_files(files[:2]):
            sampler.add(row)
        fields = list(sampler.fields())
        values = sum(len(sample) for _, sample in fields)
        classify_sample(fields, options)  # warm: phone metadata and parser models load on first use
        best = float("inf")
        for _ in range(3):
            begin = time.process_time()
            results = classify_sample(fields, options)
            best = min(best, time.process_time() - begin)
        holds = {result.path: bool(result.types) for result in results}
        split = {True: [0, 0.0], False: [0, 0.0]}  # by whether the field holds personal data
        for path, sample in fields:
            begin = time.process_time()
            classify_field(path, sample)
            split[holds[path]][0] += len(sample)
            split[holds[path]][1] += time.process_time() - begin
        return {
            "values": values,
            "cpu_seconds": best,
            "values_per_cpu_second": values / best,
            "pii_values": split[True][0],
            "pii_rate": split[True][0] / split[True][1],
            "other_values": split[False][0],
            "other_rate": split[False][0] / split[False][1],
        }
    if kind == "table":
        report = scan_table(EventTable("duckdb", str(replica), "bench", str(replica)), options)
    else:
        report = scan_files(files, options, workers=workers)
    wall, cpu_used = time.perf_counter() - started, time.process_time() - cpu
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "events": report.events_scanned,
        "fields": len(report.fields),
        "wall_seconds": wall,
        "events_per_second": report.events_scanned / wall,
        "cpu_seconds": cpu_used + children.ru_utime + children.ru_stime,
        "peak_rss_mib": _peak_rss_kib() / 1024,
        "peak_child_rss_mib": children.ru_maxrss / 1024,
    }


def _peak_rss_kib() -> int:
    """VmHWM: unlike ru_maxrss, it starts afresh at exec instead of keeping the parent's peak (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_child(kind: str, files: list[Path], replica: Path, workers: int) -> dict[str, float]:
    command = [
        sys.executable,
        __file__,
        "--measure",
        kind,
        "--workers",
        str(workers),
        "--replica",
        str(replica),
    ]
    output = subprocess.run([*command, *map(str, files)], check=True, capture_output=True, text=True).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--parts", type=int, default=8, help="export files to write (default 8)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="where prepared data is cached")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="cores for the parallel scan"
    )
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--replica", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("files", nargs="*", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.files, args.replica, args.workers)))
        return

    files, replica = prepare(args.data / str(args.events), args.events, args.parts)
    print(f"Data: {len(files)} parts, {sum(p.stat().st_size for p in files) / 2**20:.0f} MiB gzipped; "
          f"replica {replica.stat().st_size / 2**20:.0f} MiB. Machine: {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}.")  # fmt: skip
    detectors = run_child("detectors", files, replica, 1)
    print(
        f"\nDetectors: {detectors['values']:,.0f} sampled values classified in "
        f"{detectors['cpu_seconds']:.2f} CPU-s = {detectors['values_per_cpu_second']:,.0f} values/s per core "
        "(goal 100,000)"
    )
    print(
        f"  of which {detectors['pii_values']:,.0f} values of fields holding personal data (validated: "
        f"phonenumbers, checksums, usaddress) at {detectors['pii_rate']:,.0f}/s and "
        f"{detectors['other_values']:,.0f} values of the other fields at {detectors['other_rate']:,.0f}/s"
    )
    rows = [
        ("files, 1 core", run_child("files", files, replica, 1)),
        (f"files, {args.workers} cores", run_child("files", files, replica, args.workers)),
        ("DuckDB table", run_child("table", files, replica, 1)),
        ("one part (memory)", run_child("files", files[:1], replica, 1)),
        ("table, one part", run_child("table", files[:1], replica.with_name("replica-one-part.duckdb"), 1)),
    ]
    print(f"\n{'scan':<20}{'events':>11}{'wall s':>9}{'events/s':>10}{'CPU s':>8}{'peak RSS MiB':>14}")
    for name, figures in rows:
        rss = max(figures["peak_rss_mib"], figures["peak_child_rss_mib"])
        print(
            f"{name:<20}{figures['events']:>11,.0f}{figures['wall_seconds']:>9.1f}"
            f"{figures['events_per_second']:>10,.0f}{figures['cpu_seconds']:>8.1f}{rss:>14.0f}"
        )
    for label, one, every in (("files", rows[3][1], rows[0][1]), ("table", rows[4][1], rows[2][1])):
        ratio = every["peak_rss_mib"] / one["peak_rss_mib"]
        times = every["events"] / max(one["events"], 1)
        print(
            f"Memory, {label}: one part {one['peak_rss_mib']:.0f} MiB, all {len(files)} parts "
            f"{every['peak_rss_mib']:.0f} MiB (ratio {ratio:.2f} for {times:.0f}x the events; 1.0 = flat)."
        )


if __name__ == "__main__":
    main()
