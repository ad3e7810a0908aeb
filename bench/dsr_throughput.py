"""Delete tickets by email against the sandbox with its real rate limits: tickets per second, and how
close that is to the ceiling the providers' limits allow.

N delete tickets are opened (untimed), then a real `headwater worker` process is started and timed from
the moment it is ready until every ticket has had its deletions requested and recorded (each task
`waiting` on its provider or `completed`). Amplitude's deletion API takes 100 ids per call at one call a
second, so with batching across tickets its ceiling is 100 people a second; FullStory (one user per
call, two calls per person at 50 requests a second) allows 25. The ceiling of a run is the lowest over
the connections it targets; `--follow` then advances the sandbox clock and checks every ticket completes.

It also prints the calls made and people per call, the records per person the provider reported, and
every failed request the sandbox answered (429s included): the goal is a ratio >= 0.9 with none.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

CONNECTIONS = {"fs": "fullstory", "amp": "amplitude"}


def ceilings(n: int, providers: list[str], lookups_by_delete: bool) -> dict[str, float]:
    """People a second each connection's limits allow (steady state, from the sandbox's own buckets)."""
    from headwater.sandbox.amplitude.privacy import MAX_IDS
    from headwater.sandbox.amplitude.state import BUCKETS, DELETIONS, USER_LOOKUP
    from headwater.sandbox.fullstory.state import DEFAULT_BUCKETS, GENERAL_BUCKET

    found: dict[str, float] = {}
    if "fs" in providers:
        found["fs"] = DEFAULT_BUCKETS[GENERAL_BUCKET].rate / 2  # look the email up, then delete
    if "amp" in providers:
        found["amp"] = BUCKETS[DELETIONS].rate * MAX_IDS
        lookup = BUCKETS[USER_LOOKUP]
        if lookups_by_delete and n > lookup.burst:  # one user search per person, 360 an hour after a burst
            found["amp"] = min(found["amp"], n / ((n - lookup.burst) / lookup.rate))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="delete tickets (default 300)")
    parser.add_argument("--providers", default="amp", help="comma-separated: amp, fs (default amp)")
    parser.add_argument("--concurrency", type=int, default=4, help="worker threads (default 4)")
    parser.add_argument("--database-url", default="", help="store URL (default: SQLite in a temp home)")
    parser.add_argument("--follow", action="store_true", help="then advance the clock and complete them")
    args = parser.parse_args()
    providers = [p.strip() for p in args.providers.split(",") if p.strip()]

    home = Path(tempfile.mkdtemp(prefix="hw-bench-dsr-"))
    env = {
        "HEADWATER_HOME": str(home),
        "HEADWATER_OUTBOUND_ALLOW": "127.0.0.1",  # the sandbox listens on loopback
        "HEADWATER_JOBS_MODULES": "headwater.privacy.orchestration",
        "HEADWATER_JOBS_POLL_SECONDS": "0.05",
        "HEADWATER_JOBS_TICK_SECONDS": "1",
    }
    if args.database_url:
        env["HEADWATER_DATABASE_URL"] = args.database_url
    os.environ.update(env)

    from headwater.config import load_settings
    from headwater.privacy.service import Privacy
    from headwater.privacy.transport import shared_transport
    from headwater.sandbox import SandboxOptions, SandboxServer, World

    settings = load_settings()
    privacy = Privacy.open(settings)
    with SandboxServer(world=World(users=args.n + 5), options=SandboxOptions(rate_limits=True)) as sandbox:
        creds = sandbox.credentials
        secrets: dict[str, dict[str, str]] = {
            "fs": {"api_key": creds.fullstory_admin_key},
            "amp": {"api_key": creds.amplitude_api_key, "secret_key": creds.amplitude_secret_key},
        }
        urls = {"fs": sandbox.fullstory_url, "amp": sandbox.amplitude_url}
        for name in providers:
            privacy.connections.create(
                CONNECTIONS[name],
                name,
                credentials=secrets[name],
                settings={"base_url": urls[name]},
                actor="bench",
                transport=shared_transport(),
            )
        from headwater.connectors.amplitude import AmplitudeConnector
        from headwater.connectors.base import Connector

        # a connector left with the default deletion_identities looks every person up before deleting
        default = AmplitudeConnector.deletion_identities is Connector.deletion_identities
        lookups = "amp" in providers and default
        started = time.monotonic()
        tickets = [
            privacy.create(kind="delete", email=sandbox.world.person(i).email, actor="bench")["id"]
            for i in range(args.n)
        ]
        created = time.monotonic() - started
        print(f"opened {args.n} delete tickets in {created:.1f} s ({args.n / created:.0f}/s), untimed")

        log = (home / "worker.log").open("w+")
        command = [sys.executable, "-m", "headwater", "worker", "--concurrency", str(args.concurrency)]
        worker = subprocess.Popen(command, env={**os.environ}, stdout=log, stderr=log)
        try:
            while "Headwater embedded worker" not in Path(log.name).read_text():
                time.sleep(0.02)
            t0 = time.monotonic()
            while busy(privacy):  # one cheap count a tick: the worker needs the CPU more than we do
                time.sleep(0.05)
            elapsed = time.monotonic() - t0
        finally:
            worker.terminate()
            worker.wait(30)
        counts = Counter(t["status"] for t in privacy.list_tickets(limit=args.n + 10))
        report(privacy, sandbox, args.n, elapsed, counts, ceilings(args.n, providers, lookups), lookups)
        if args.follow:
            sandbox.clock.advance(days=20)
            done = Counter(privacy.refresh(t, actor="bench")["status"] for t in tickets)
            print(f"after 20 sandbox days and a refresh: {dict(done)}")


def busy(privacy: Any) -> bool:
    from sqlalchemy import func, select

    from headwater.privacy.models import TicketRow

    with privacy.db.session() as session:
        query = select(func.count()).where(TicketRow.status.in_(("received", "in_progress")))
        return bool(session.scalar(query))


def report(
    privacy: Any,
    sandbox: Any,
    n: int,
    elapsed: float,
    counts: Counter[str],
    limits: dict[str, float],
    lookups: bool,
) -> None:
    from sqlalchemy import select

    from headwater.privacy.models import BatchRow, TaskRow

    with privacy.db.session() as session:
        sizes: dict[str, list[int]] = {}
        for connection, task_ids in session.execute(select(BatchRow.connection, BatchRow.task_ids)):
            sizes.setdefault(connection, []).append(len(task_ids))
        records: dict[str, list[int]] = {}
        for connection, count in session.execute(select(TaskRow.connection, TaskRow.records)):
            records.setdefault(connection, []).append(count)
    calls = [
        c for app in (sandbox.fullstory_app, sandbox.amplitude_app) for c in app.state.sandbox.calls.calls("")
    ]
    limited = [c for c in calls if c["status"] == 429]
    failed = [c for c in calls if not 200 <= c["status"] < 300]
    rate = n / elapsed
    ceiling = min(limits.values())
    print(f"tickets: {dict(counts)}")
    print(f"fulfilment: {n} tickets in {elapsed:.2f} s = {rate:.1f} tickets/s")
    for conn, bound in limits.items():
        batch = sizes.get(conn, [])
        size = f", {len(batch)} calls, {sum(batch) / len(batch):.1f} people per call" if batch else ""
        print(f"  {conn}: ceiling {bound:.1f} people/s{size}")
        per_person = records.get(conn, [])
        if per_person:
            spread = dict(sorted(Counter(per_person).items()))
            print(f"  {conn}: records per person (as the provider counts them) -> people: {spread}")
    if lookups:
        print("  (amplitude resolves each email with a user search: 360 an hour after a burst of 360)")
    print(f"ceiling {ceiling:.1f} tickets/s; ratio {rate / ceiling:.2f} (goal >= 0.90)")
    steady(sizes.get("amp", []), [c for c in calls if c["path"] == "/api/2/deletions/users"], limits)
    top = Counter(str(c["path"]) for c in limited).most_common(3)
    others = len(failed) - len(limited)
    print(f"sandbox calls: {len(calls)}; rate-limited (429): {len(limited)} {top}; other failures: {others}")


def steady(sizes: list[int], calls: list[dict[str, Any]], limits: dict[str, float]) -> None:
    """Amplitude's pace between its first and last deletion call: the end-to-end figure above counts the
    first call, which the provider lets through at once, so it flatters small runs."""
    from datetime import datetime

    posts = [datetime.fromisoformat(c["time"]) for c in calls if c["method"] == "POST" and c["status"] == 200]
    if len(posts) < 2 or len(sizes) != len(posts) or "amp" not in limits:
        return
    span = (posts[-1] - posts[0]).total_seconds()
    rate = (sum(sizes) - sizes[0]) / span
    print(f"  amp between its first and last call: {rate:.1f} people/s, ratio {rate / limits['amp']:.2f}")


if __name__ == "__main__":
    main()
