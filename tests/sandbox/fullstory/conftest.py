"""A small, fixed world and a frozen clock, so every FullStory contract test is fast and exact."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from headwater.sandbox import SandboxClock, SandboxCredentials, SandboxOptions, World, create_fullstory_app
from headwater.sandbox.fullstory.state import FullStoryState

WORLD_START = datetime(2024, 3, 1, tzinfo=UTC)
WORLD_END = datetime(2024, 3, 8, tzinfo=UTC)
NOW = datetime(2024, 3, 10, 12, tzinfo=UTC)
KEYS = SandboxCredentials()
ADMIN = {"Authorization": f"Basic {KEYS.fullstory_admin_key}"}
STANDARD = {"Authorization": f"Basic {KEYS.fullstory_standard_key}"}


def make_app(
    *, users: int = 12, events_per_user: int = 60, rate_limits: bool = False, **options: object
) -> FastAPI:
    world = World(seed=7, users=users, events_per_user=events_per_user, start=WORLD_START, end=WORLD_END)
    return create_fullstory_app(
        world,
        clock=SandboxClock(NOW),
        options=SandboxOptions(rate_limits=rate_limits, **options),  # type: ignore[arg-type]
    )


@pytest.fixture
def app() -> FastAPI:
    return make_app()


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return TestClient(app)


@pytest.fixture
def state(app: FastAPI) -> FullStoryState:
    sandbox: FullStoryState = app.state.sandbox
    return sandbox
