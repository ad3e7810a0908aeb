"""Stream a large Amplitude export from a real sandbox server process and report throughput and memory.

The server runs in a child process (uvicorn, rate limits off) so its peak RSS is its own. A small export
runs first, then the large one; when the ZIP is streamed, the two peaks stay close however many events
the large one holds. Prints figures only.

    .venv/bin/python bench/sandbox_amplitude_export_memory.py              # 1,000,000 events
    .venv/bin/python bench/sandbox_amplitude_export_memory.py --users 500  # a quick 100,000-event run
"""

from __future__ import annotations

import argparse
import base64
import gzip
import os
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

WINDOW_END = datetime(2025, 3, 1, tzinfo=UTC)
WINDOW_DAYS = 28


def serve(port: int, users: int, events_per_user: int) -> None:
    """Child process: the Amplitude emulator alone, limits off, clock at the end of the World's window."""
    import uvicorn

    from headwater.sandbox import SandboxClock, SandboxOptions, World, create_amplitude_app

    world = World(
        seed=1,
        users=users,
        events_per_user=events_per_user,
        start=WINDOW_END - timedelta(days=WINDOW_DAYS),
        end=WINDOW_END,
    )
    app = create_amplitude_app(
        world, clock=SandboxClock(WINDOW_END), options=SandboxOptions(rate_limits=False)
    )
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _rss_mib(pid: int, field: str) -> float:
    """VmRSS (now) or VmHWM (peak) of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, so a busy shared machine does not hide the emulator's cost."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _reset_peak(pid: int) -> bool:
    """Linux lets the peak RSS be reset (write 5 to clear_refs), so each export gets its own peak."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _count_rows(path: Path) -> int:
    rows = 0
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            with archive.open(name) as member, gzip.open(member) as lines:
                rows += sum(1 for _ in lines)
    return rows


def export(client: httpx.Client, start: datetime, end: datetime, target: Path) -> tuple[float, int]:
    """Download one export to ``target`` while streaming; (seconds, bytes)."""
    params = {"start": f"{start:%Y%m%dT%H}", "end": f"{end:%Y%m%dT%H}"}
    began = time.perf_counter()
    size = 0
    with client.stream("GET", "/api/2/export", params=params) as response, target.open("wb") as sink:
        response.raise_for_status()
        for chunk in response.iter_raw(1 << 20):
            sink.write(chunk)
            size += len(chunk)
    return time.perf_counter() - began, size


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--events-per-user", type=int, default=200)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.users, args.events_per_user)
        return

    from headwater.sandbox import SandboxCredentials

    creds = SandboxCredentials()
    port = _free_port()
    command = [sys.executable, __file__, "--serve", str(port), "--users", str(args.users)]
    command += ["--events-per-user", str(args.events_per_user)]
    server = subprocess.Popen(command, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    token = base64.b64encode(f"{creds.amplitude_api_key}:{creds.amplitude_secret_key}".encode()).decode()
    client = httpx.Client(
        base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Basic {token}"}, timeout=600
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                client.get("/_sandbox/clock").raise_for_status()
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        first_hour = WINDOW_END - timedelta(days=WINDOW_DAYS)
        last_hour = WINDOW_END - timedelta(hours=1)
        with tempfile.TemporaryDirectory() as scratch:
            small = Path(scratch) / "small.zip"
            export(client, first_hour, first_hour + timedelta(hours=23), small)  # warms the user index
            print(f"server RSS after start-up and a one-day export: {_rss_mib(server.pid, 'VmRSS'):.0f} MiB")
            resettable = _reset_peak(server.pid)
            cpu = _cpu_seconds(server.pid)
            seconds, size = export(client, first_hour, first_hour + timedelta(days=2, hours=23), small)
            cpu = _cpu_seconds(server.pid) - cpu
            small_peak = _rss_mib(server.pid, "VmHWM")
            small_rows = _count_rows(small)
            rate, per_cpu = small_rows / seconds, small_rows / cpu
            print(
                f"3-day export: {small_rows:>9,} events in {seconds:6.1f} s = {rate:>7,.0f} events/s", end=""
            )
            print(f" ({per_cpu:,.0f} per server CPU-second)")
            _reset_peak(server.pid)
            big = Path(scratch) / "big.zip"
            cpu = _cpu_seconds(server.pid)
            seconds, size = export(client, first_hour, last_hour, big)
            cpu = _cpu_seconds(server.pid) - cpu
            big_peak = _rss_mib(server.pid, "VmHWM")
            rows = _count_rows(big)
        rate, per_cpu = rows / seconds, rows / cpu
        print(f"full export:  {rows:>9,} events in {seconds:6.1f} s = {rate:>7,.0f} events/s", end="")
        print(f" ({per_cpu:,.0f} per server CPU-second)")
        print(f"              {size / 2**20:,.1f} MiB zip = {size / seconds / 2**20:.2f} MiB/s")
        scope = "per export" if resettable else "since start (peak reset unsupported here)"
        print(f"server peak RSS {scope}: 3-day {small_peak:.0f} MiB, full {big_peak:.0f} MiB")
        print(f"full/3-day: events x{rows / max(small_rows, 1):.1f}, peak RSS x{big_peak / small_peak:.2f}")
    finally:
        client.close()
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
