"""Both emulators on loopback ports, strict or lenient, with raw httpx clients: the set-up of the strict
mode contract tests, which compare each strict behaviour with the lenient default on the same World."""

from __future__ import annotations

import base64
import functools
import gzip
import io
import json
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from headwater.sandbox import SandboxClock, SandboxCredentials, SandboxOptions, SandboxServer, World

WORLD_START = datetime(2025, 2, 15, tzinfo=UTC)
WORLD_END = datetime(2025, 3, 15, tzinfo=UTC)
NOW = datetime(2025, 3, 10, 11, 30, tzinfo=UTC)  # inside the World's window: recent hours hold events
CREDS = SandboxCredentials()


def basic(key: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()}


PROJECT = basic(CREDS.amplitude_api_key, CREDS.amplitude_secret_key)
ORG = basic(CREDS.amplitude_org_api_key, CREDS.amplitude_org_secret_key)
ADMIN = {"Authorization": f"Basic {CREDS.fullstory_admin_key}"}


@functools.lru_cache(maxsize=4)
def shared_world(users: int, events_per_user: int) -> World:
    return World(seed=7, users=users, events_per_user=events_per_user, start=WORLD_START, end=WORLD_END)


@dataclass
class Running:
    server: SandboxServer
    fs: httpx.Client  # FullStory, admin key
    amp: httpx.Client  # Amplitude, no credentials: each call names the pair it needs

    @property
    def world(self) -> World:
        return self.server.world

    def advance(self, *, days: float = 0, seconds: float = 0) -> None:
        body = {"advance_days": days, "advance_seconds": seconds}
        assert self.fs.post("/_sandbox/clock", json=body).status_code == 200

    def stats(self) -> dict[str, int]:
        body: dict[str, int] = self.amp.get("/_sandbox/stats").json()
        return body

    def export(self, start: str, end: str) -> httpx.Response:
        return self.amp.get("/api/2/export", params={"start": start, "end": end}, headers=PROJECT)

    def export_rows(self, start: str, end: str) -> list[dict[str, Any]]:
        """The rows of an Amplitude export; none for its 404 (no data)."""
        response = self.export(start, end)
        if response.status_code == 404:
            return []
        assert response.status_code == 200, response.text
        return unzip_rows(response.content)


@contextmanager
def running(
    *,
    strict: bool,
    users: int = 12,
    events_per_user: int = 400,
    now: datetime = NOW,
    rate_limits: bool = False,
    plan: str | None = None,
) -> Iterator[Running]:
    options = SandboxOptions(strict=strict, rate_limits=rate_limits, fullstory_plan=plan)
    world = shared_world(users, events_per_user)
    with (
        SandboxServer(world=world, clock=SandboxClock(now), options=options) as server,
        httpx.Client(base_url=server.fullstory_url, headers=ADMIN, timeout=30) as fs,
        httpx.Client(base_url=server.amplitude_url, timeout=30) as amp,
    ):
        yield Running(server, fs, amp)


def unzip_rows(content: bytes) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            lines = gzip.decompress(archive.read(name)).decode().splitlines()
            rows.extend(json.loads(line) for line in lines if line)
    return rows


def segment_export_rows(sandbox: Running, body: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Every row of a Segment Export (NDJSON) of the "everyone" segment, followed to its download."""
    request = {"segmentId": "everyone", "type": "TYPE_EVENT", "format": "FORMAT_NDJSON", **(body or {})}
    operation_id = sandbox.fs.post("/segments/v1/exports", json=request).json()["operationId"]
    for _ in range(10):
        operation = sandbox.fs.get(f"/operations/v1/{operation_id}").json()
        if operation["state"] == "COMPLETED":
            break
    assert operation["state"] == "COMPLETED"
    results = sandbox.fs.get(f"/search/v1/exports/{operation['results']['searchExportId']}/results")
    download = httpx.get(results.json()["location"], timeout=30)
    assert download.status_code == 200
    return [json.loads(line) for line in gzip.decompress(download.content).decode().splitlines() if line]
