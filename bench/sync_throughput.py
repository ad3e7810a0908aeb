"""Throughput of `headwater sync` against tap-fullstory 1.0.4 and DuckDB's own reader, on the same events.

1. A sandbox with 5,000 people x 200 events over 28 days (1,000,000 events) runs in a child process with
   its rate limits off; its legacy export bundles are recorded once into a cache (see `sync_replay.py`)
   and served again by a replay server, so the clients are measured, not the emulator.
2. (c) the floor: DuckDB alone, in its own process, reads the same bundles decompressed on local disk
   (`CREATE TABLE AS SELECT * FROM read_json([...])`).
3. (a) `headwater sync fs --to duckdb:///...` in its own process: download, load, bookmarks, report.
4. (b) PyPI tap-fullstory 1.0.4 in its own virtualenv (created on first use), pointed at the replay
   server by a wrapper that sets its module's BASE_URL before calling its `main`; output discarded.

It prints events/s, wall time and peak RSS of each, and the ratios a/b (goal >= 10) and a/c (>= 0.5);
the goal for peak RSS of (a) is 400 MB.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
HEADWATER = str(ROOT / ".venv" / "bin" / "headwater")
CACHE = Path.home() / ".cache" / "headwater-bench"
TAP_VENV = CACHE / "tap-fullstory-1.0.4"
WRAPPER = """import sys, tap_fullstory
tap_fullstory.BASE_URL = sys.argv.pop(1)
tap_fullstory.main()
"""
FLOOR = """import duckdb, json, sys, time
files = json.loads(sys.argv[2])
con = duckdb.connect(sys.argv[1])
con.execute("SET enable_progress_bar=false")
started = time.perf_counter()
con.execute("CREATE TABLE events AS SELECT * FROM read_json(?, format='array')", [files])
took = time.perf_counter() - started
print(json.dumps({"rows": con.execute("SELECT count(*) FROM events").fetchone()[0], "seconds": took}))
"""


def measure(
    command: list[str], env: dict[str, str] | None = None, *, keep_output: bool = True
) -> dict[str, Any]:
    """Run a command to completion; its wall time, stdout and its own peak resident memory (wait4)."""
    out = subprocess.PIPE if keep_output else subprocess.DEVNULL
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.PIPE)
    captured: dict[str, bytes] = {}

    def drain(name: str, stream: Any) -> None:
        captured[name] = stream.read()

    readers = [
        threading.Thread(target=drain, args=(name, stream))
        for name, stream in (("stdout", process.stdout), ("stderr", process.stderr))
        if stream is not None
    ]
    for reader in readers:
        reader.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join()
    if process.returncode != 0:
        raise SystemExit(
            f"{command[0]} failed ({process.returncode}):\n{captured['stderr'].decode()[-3000:]}"
        )
    return {"wall": wall, "stdout": captured.get("stdout", b"").decode(), "peak_mb": usage.ru_maxrss / 1024}


def start_sandbox(users: int, events_per_user: int) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    command = [HEADWATER, "sandbox", "--no-rate-limits", "--fullstory-port", "0", "--amplitude-port", "0"]
    command += ["--users", str(users), "--events-per-user", str(events_per_user), "--json"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process, json.loads(process.stdout.readline())


def ensure_tap_venv() -> Path:
    python = TAP_VENV / "bin" / "python"
    if not python.exists():
        print("Creating a virtualenv with tap-fullstory 1.0.4 (first run only)...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(TAP_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "tap-fullstory==1.0.4"], check=True)
    return python


def decompress(cache: Path, bundles: list[dict[str, int]]) -> list[str]:
    plain = cache / "plain"
    plain.mkdir(exist_ok=True)
    files = []
    for bundle in bundles:
        target = plain / f"{bundle['Id']}.json"
        if not target.exists():
            with gzip.open(cache / "bundles" / f"{bundle['Id']}.json.gz") as source, target.open("wb") as out:
                shutil.copyfileobj(source, out, 1 << 20)
        files.append(str(target))
    return files


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--events-per-user", type=int, default=200)
    parser.add_argument(
        "--skip-tap", action="store_true", help="measure (a) and (c) only: tap-fullstory takes minutes"
    )
    args = parser.parse_args()
    day = datetime.now(UTC).strftime("%Y%m%d")
    cache = CACHE / f"sync-{args.users}x{args.events_per_user}-{day}"
    tap_python = None if args.skip_tap else ensure_tap_venv()
    sandbox, announced = start_sandbox(args.users, args.events_per_user)
    work = Path(tempfile.mkdtemp(prefix="headwater-sync-bench-"))
    replay = None
    try:
        key = announced["credentials"]["fullstory_admin_key"]
        print(f"Recording the sandbox's bundles into {cache} (once a day)...", file=sys.stderr)
        sys.path.insert(0, str(BENCH))
        from sync_replay import record

        bundles = record(announced["fullstory_url"], key, cache)
        files = decompress(cache, bundles)
        replay = subprocess.Popen(
            [sys.executable, str(BENCH / "sync_replay.py"), str(cache), announced["fullstory_url"]],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert replay.stdout is not None
        replay_url = replay.stdout.readline().strip()
        start = datetime.fromtimestamp(bundles[0]["Start"], UTC)
        results = {"c": floor(work, files), "a": headwater_sync(work, replay_url, key, start)}
        if tap_python is not None:
            results["b"] = tap_fullstory(work, tap_python, replay_url, key, start, len(bundles))
        report(results, len(bundles))
    finally:
        for process in (replay, sandbox):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


def floor(work: Path, files: list[str]) -> dict[str, Any]:
    print("(c) DuckDB reading the decompressed bundles from local disk...", file=sys.stderr)
    done = measure([sys.executable, "-c", FLOOR, str(work / "floor.duckdb"), json.dumps(files)])
    figures = json.loads(done["stdout"])
    return {
        "rows": figures["rows"],
        "seconds": figures["seconds"],
        "wall": done["wall"],
        "peak_mb": done["peak_mb"],
    }


def headwater_sync(work: Path, replay_url: str, key: str, start: datetime) -> dict[str, Any]:
    print("(a) headwater sync into DuckDB...", file=sys.stderr)
    env = {
        **os.environ,
        "HEADWATER_HOME": str(work / "home"),
        "HEADWATER_OUTBOUND_ALLOW": "127.0.0.1",  # the replay server listens on loopback
        "BENCH_FS_KEY": key,
    }
    connect = [HEADWATER, "connect", "fullstory", "--name", "fs", "--api-key-env", "BENCH_FS_KEY"]
    subprocess.run([*connect, "--base-url", replay_url], env=env, check=True, capture_output=True)
    target = f"duckdb://{work / 'sync.duckdb'}"
    command = [HEADWATER, "sync", "fs", "--to", target, "--start-date", f"{start:%Y-%m-%d}", "--json"]
    done = measure(command, env)
    result = json.loads(done["stdout"])
    return {
        "rows": result["rows"],
        "seconds": result["duration_s"],
        "wall": done["wall"],
        "peak_mb": done["peak_mb"],
    }


def tap_fullstory(
    work: Path, python: Path, replay_url: str, key: str, start: datetime, bundles: int
) -> dict[str, Any]:
    print("(b) tap-fullstory 1.0.4, output discarded (the slow one)...", file=sys.stderr)
    (work / "wrapper.py").write_text(WRAPPER)
    config = {"api_key": key, "start_date": f"{start:%Y-%m-%dT%H:%M:%SZ}"}
    (work / "tap.json").write_text(json.dumps(config))
    before = httpx.get(f"{replay_url}/_replay/stats").json()["downloads"]
    command = [
        str(python),
        str(work / "wrapper.py"),
        f"{replay_url}/api/v1/export/",
        "--config",
        str(work / "tap.json"),
    ]
    done = measure(command, keep_output=False)
    downloads = httpx.get(f"{replay_url}/_replay/stats").json()["downloads"] - before
    assert downloads == bundles, f"tap-fullstory downloaded {downloads} of {bundles} bundles"
    return {"rows": None, "seconds": done["wall"], "wall": done["wall"], "peak_mb": done["peak_mb"]}


def report(results: dict[str, dict[str, Any]], bundles: int) -> None:
    events = results["c"]["rows"]
    assert results["a"]["rows"] == events, f"headwater sync loaded {results['a']['rows']} of {events} events"
    rate = {name: events / figures["seconds"] for name, figures in results.items()}
    wall_rate = {name: events / figures["wall"] for name, figures in results.items()}
    names = {"a": "headwater sync -> DuckDB", "b": "tap-fullstory 1.0.4", "c": "DuckDB read_json (floor)"}
    print(f"\n{events:,} FullStory events in {bundles} bundles\n")
    print(f"{'':28}{'events/s':>12}{'seconds':>10}{'process wall':>14}{'peak RSS':>11}")
    for name in sorted(results):
        figures = results[name]
        print(
            f"({name}) {names[name]:<24}{rate[name]:>12,.0f}{figures['seconds']:>10.1f}"
            f"{figures['wall']:>12.1f} s{figures['peak_mb']:>8.0f} MB"
        )
    print()
    if "b" in results:
        wall = wall_rate["a"] / wall_rate["b"]
        print(f"a/b = {rate['a'] / rate['b']:.1f}  (goal >= 10; on whole-process wall time {wall:.1f})")
    wall = wall_rate["a"] / wall_rate["c"]
    print(f"a/c = {rate['a'] / rate['c']:.2f} (goal >= 0.5; on whole-process wall time {wall:.2f})")
    print(f"peak RSS of (a) = {results['a']['peak_mb']:.0f} MB (goal <= 400 MB)")


if __name__ == "__main__":
    main()
