"""Serve a million-event FullStory legacy export from a real SandboxServer and measure it.

The server runs in a child process so that its peak resident memory is measured alone. The client lists
every bundle, downloads each one as a stream, decompresses it on the fly and counts the rows. With the
limits off this shows the emulator's own cost; bundle downloads are generated and gzipped chunk by chunk,
so the server's memory should stay flat however many events it serves.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROW_START = b'{"IndvId":'


def serve(users: int, events_per_user: int, days: int) -> None:
    """Child process: run the sandbox until stdin closes."""
    from headwater.sandbox import SandboxOptions, SandboxServer, World

    end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
    world = World(
        seed=1, users=users, events_per_user=events_per_user, start=end - timedelta(days=days), end=end
    )
    with SandboxServer(world=world, options=SandboxOptions(rate_limits=False)) as server:
        print(
            json.dumps({"url": server.fullstory_url, "key": server.credentials.fullstory_admin_key}),
            flush=True,
        )
        sys.stdin.read()


def memory_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def count_rows(response: httpx.Response) -> int:
    """Gunzip as bytes arrive and count row openings, never holding the bundle."""
    inflater = zlib.decompressobj(31)
    count, tail = 0, b""
    for chunk in response.iter_raw():
        data = tail + inflater.decompress(chunk)
        count += data.count(ROW_START)
        tail = data[-(len(ROW_START) - 1) :]
        count -= tail.count(ROW_START)
    return count + tail.count(ROW_START)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=5_000)
    parser.add_argument("--events-per-user", type=int, default=200)
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.users, args.events_per_user, args.days)
        return
    command = [sys.executable, __file__, "--serve", "--users", str(args.users)]
    command += ["--events-per-user", str(args.events_per_user), "--days", str(args.days)]
    child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdin is not None
    info = json.loads(child.stdout.readline())
    headers = {"Authorization": f"Basic {info['key']}"}
    try:
        with httpx.Client(base_url=info["url"], headers=headers, timeout=600) as client:
            bundles, start = [], 0
            while page := client.get("/api/v1/export/list", params={"start": start}).json()["exports"]:
                bundles += page
                start = page[-1]["Stop"]
            rss_start = memory_kib(child.pid, "VmRSS")
            cpu_start = cpu_seconds(child.pid)
            served, began, rss_after_first = 0, time.perf_counter(), 0
            for bundle in bundles:
                with client.stream("GET", "/api/v1/export/get", params={"id": bundle["Id"]}) as response:
                    response.raise_for_status()
                    served += count_rows(response)
                rss_after_first = rss_after_first or memory_kib(child.pid, "VmRSS")
            elapsed = time.perf_counter() - began
            peak = memory_kib(child.pid, "VmHWM")
            cpu = cpu_seconds(child.pid) - cpu_start
    finally:
        child.stdin.close()
        child.wait(timeout=30)
    expected = args.users * args.events_per_user
    print(f"world: {args.users} users x {args.events_per_user} events = {expected} events")
    print(f"bundles downloaded: {len(bundles)}")
    print(f"events served: {served} ({served / expected:.2%} of the world)")
    print(f"time: {elapsed:.1f} s, {served / elapsed:,.0f} events/s")
    print(f"server CPU: {cpu:.1f} s, {served / max(cpu, 1e-9):,.0f} events per CPU-second")
    print(
        f"server RSS before downloads: {rss_start / 1024:.0f} MiB, after the first bundle: "
        f"{rss_after_first / 1024:.0f} MiB, peak: {peak / 1024:.0f} MiB"
    )
    print(f"peak / after-first-bundle ratio: {peak / max(1, rss_after_first):.2f} (1.0 = flat)")


if __name__ == "__main__":
    main()
