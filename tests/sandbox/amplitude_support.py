"""Building blocks for the Amplitude emulator's contract tests: a small fixed World, a frozen clock, and
the project and org key pairs as Basic auth headers."""

from __future__ import annotations

import base64
import functools
import gzip
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from starlette.testclient import TestClient

from headwater.sandbox import SandboxClock, SandboxCredentials, SandboxOptions, World
from headwater.sandbox.amplitude import create_amplitude_app
from headwater.sandbox.amplitude.state import AmplitudeState

WORLD_START = datetime(2025, 2, 15, tzinfo=UTC)
WORLD_END = datetime(2025, 3, 15, tzinfo=UTC)
CREDS = SandboxCredentials()


def basic(key: str, secret: str) -> dict[str, str]:
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


PROJECT = basic(CREDS.amplitude_api_key, CREDS.amplitude_secret_key)
ORG = basic(CREDS.amplitude_org_api_key, CREDS.amplitude_org_secret_key)


@dataclass
class Amp:
    app: FastAPI
    world: World
    clock: SandboxClock
    client: TestClient = field(init=False)

    def __post_init__(self) -> None:
        self.client = TestClient(self.app)

    @property
    def state(self) -> AmplitudeState:
        state: AmplitudeState = self.app.state.sandbox
        return state

    def advance(self, days: float) -> None:
        response = self.client.post("/_sandbox/clock", json={"advance_days": days})
        assert response.status_code == 200

    def ingest(self, events: list[dict[str, Any]], path: str = "/2/httpapi", **extra: Any) -> Any:
        return self.client.post(path, json={"api_key": CREDS.amplitude_api_key, "events": events, **extra})

    def search(self, term: str) -> dict[str, Any]:
        response = self.client.get("/api/2/usersearch", params={"user": term}, headers=PROJECT)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def activity(self, amplitude_id: int, **params: Any) -> dict[str, Any]:
        response = self.client.get(
            "/api/2/useractivity", params={"user": amplitude_id, **params}, headers=PROJECT
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def delete(self, **body: Any) -> Any:
        return self.client.post("/api/2/deletions/users", json=body, headers=PROJECT)

    def jobs(self, start: str, end: str) -> list[dict[str, Any]]:
        response = self.client.get(
            "/api/2/deletions/users", params={"start_day": start, "end_day": end}, headers=PROJECT
        )
        assert response.status_code == 200, response.text
        jobs: list[dict[str, Any]] = response.json()
        return jobs


@functools.lru_cache(maxsize=8)
def shared_world(users: int, events_per_user: int) -> World:
    """Worlds are immutable, so tests share them (building one starts a Faker, which is slow)."""
    return World(seed=7, users=users, events_per_user=events_per_user, start=WORLD_START, end=WORLD_END)


def make_amp(
    *,
    users: int = 8,
    events_per_user: int = 40,
    now: datetime = WORLD_END,
    rate_limits: bool = False,
    fault_rate: float = 0.0,
) -> Amp:
    world = shared_world(users, events_per_user)
    clock = SandboxClock(now)
    options = SandboxOptions(rate_limits=rate_limits, fault_rate=fault_rate)
    return Amp(create_amplitude_app(world, clock=clock, options=options), world, clock)


def unzip_export(content: bytes) -> dict[str, list[dict[str, Any]]]:
    """Entry name -> the NDJSON rows inside its gzip."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {
            name: [
                json.loads(line) for line in gzip.decompress(archive.read(name)).decode().splitlines() if line
            ]
            for name in archive.namelist()
        }
