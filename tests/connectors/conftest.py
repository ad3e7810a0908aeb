"""The sandbox emulators in process, with one virtual clock for every wait.

Client sleeps (retries, rate limiting, polling) advance a virtual monotonic clock instead of waiting, and
the emulators' rate limiters read the same clock: a 429 is really answered, honoured and outlived, in
no real time at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from headwater.actions.model import ActionContext
from headwater.connectors.amplitude import AmplitudeClient, AmplitudeConnector, AmplitudeSettings
from headwater.connectors.base import ConnectionInfo
from headwater.connectors.fullstory import FullStoryClient, FullStoryConnector, FullStorySettings
from headwater.connectors.fullstory.models import Operation
from headwater.http import Observer
from headwater.sandbox import (
    SandboxClock,
    SandboxCredentials,
    SandboxOptions,
    World,
    create_amplitude_app,
    create_fullstory_app,
)
from headwater.sandbox.amplitude.state import BUCKETS as AMPLITUDE_BUCKETS
from headwater.sandbox.common.limits import RateLimiter as SandboxLimiter
from headwater.sandbox.fullstory.state import DEFAULT_BUCKETS as FULLSTORY_BUCKETS
from headwater.sandbox.inprocess import InProcessTransport
from tests.waiting import wait_until

FULLSTORY_URL = "http://fullstory.sandbox"
AMPLITUDE_URL = "http://amplitude.sandbox"
CREDS = SandboxCredentials()


@dataclass
class VirtualTime:
    now: float = 1_000.0
    sleeps: list[float] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)


@dataclass
class Sandbox:
    """One emulator app and a control client for its `/_sandbox` routes."""

    app: Any
    transport: InProcessTransport
    control: httpx.Client

    @property
    def state(self) -> Any:
        return self.app.state.sandbox

    def calls(self, path: str = "") -> list[dict[str, Any]]:
        return list(self.control.get("/_sandbox/calls", params={"path": path}).json()["calls"])

    def clear_calls(self) -> None:
        self.control.delete("/_sandbox/calls")

    def advance(self, *, days: float = 0, seconds: float = 0) -> None:
        body = {"advance_days": days, "advance_seconds": seconds}
        self.control.post("/_sandbox/clock", json=body).raise_for_status()

    def force_fault(self, kind: str, count: int = 1) -> None:
        self.control.post("/_sandbox/faults", json={"kind": kind, "count": count}).raise_for_status()


@pytest.fixture
def vtime() -> VirtualTime:
    return VirtualTime()


@pytest.fixture(scope="session")
def world() -> World:
    return World(seed=11, users=24, events_per_user=30)


@pytest.fixture
def clock() -> SandboxClock:
    return SandboxClock()


def _sandbox(app: Any, base_url: str) -> Iterator[Sandbox]:
    transport = InProcessTransport(app)
    control = httpx.Client(base_url=base_url, transport=InProcessTransport(app))
    yield Sandbox(app, transport, control)
    control.close()
    transport.close()


@pytest.fixture
def fs_sandbox(world: World, clock: SandboxClock, vtime: VirtualTime) -> Iterator[Sandbox]:
    app = create_fullstory_app(
        world, clock=clock, credentials=CREDS, options=SandboxOptions(rate_limits=True)
    )
    app.state.sandbox.limiter = SandboxLimiter(FULLSTORY_BUCKETS, enabled=True, monotonic=vtime.clock)
    yield from _sandbox(app, FULLSTORY_URL)


@pytest.fixture
def amp_sandbox(world: World, clock: SandboxClock, vtime: VirtualTime) -> Iterator[Sandbox]:
    app = create_amplitude_app(
        world, clock=clock, credentials=CREDS, options=SandboxOptions(rate_limits=True)
    )
    app.state.sandbox.limiter = SandboxLimiter(AMPLITUDE_BUCKETS, enabled=True, monotonic=vtime.clock)
    yield from _sandbox(app, AMPLITUDE_URL)


FsFactory = Callable[..., FullStoryClient]
AmpFactory = Callable[..., AmplitudeClient]


@pytest.fixture
def make_fs(fs_sandbox: Sandbox, vtime: VirtualTime) -> Iterator[FsFactory]:
    """Build FullStory clients on the sandbox; each is closed at the end of the test."""
    made: list[FullStoryClient] = []

    def make(
        key: str = CREDS.fullstory_admin_key, *, observers: list[Observer] | None = None, **settings: Any
    ) -> FullStoryClient:
        settings.setdefault("base_url", FULLSTORY_URL)
        client = FullStoryClient(
            SecretStr(key),
            FullStorySettings(**settings),
            transport=_Borrowed(fs_sandbox.transport),
            observers=observers,
            sleep=vtime.sleep,
            clock=vtime.clock,
        )
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def fs(make_fs: FsFactory) -> FullStoryClient:
    return make_fs()


@pytest.fixture
def fs_connector(fs: FullStoryClient) -> FullStoryConnector:
    return FullStoryConnector(fs)


@pytest.fixture
def make_amp(amp_sandbox: Sandbox, vtime: VirtualTime) -> Iterator[AmpFactory]:
    made: list[AmplitudeClient] = []

    def make(
        key: str = CREDS.amplitude_api_key,
        secret: str = CREDS.amplitude_secret_key,
        *,
        org: bool = True,
        **settings: Any,
    ) -> AmplitudeClient:
        settings.setdefault("base_url", AMPLITUDE_URL)
        client = AmplitudeClient(
            SecretStr(key),
            SecretStr(secret),
            AmplitudeSettings(**settings),
            org_api_key=SecretStr(CREDS.amplitude_org_api_key) if org else None,
            org_secret_key=SecretStr(CREDS.amplitude_org_secret_key) if org else None,
            transport=_Borrowed(amp_sandbox.transport),
            sleep=vtime.sleep,
            clock=vtime.clock,
        )
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def amp(make_amp: AmpFactory) -> AmplitudeClient:
    return make_amp()


@pytest.fixture
def amp_connector(amp: AmplitudeClient) -> AmplitudeConnector:
    return AmplitudeConnector(amp)


@dataclass
class Recorder:
    """An action context whose progress reports and sleeps can be inspected."""

    vtime: VirtualTime
    reports: list[tuple[str, int, int | None]] = field(default_factory=list)

    def ctx(self, kind: str, *, limit: int | None = None) -> ActionContext:
        return ActionContext(
            connection=ConnectionInfo(name=f"test-{kind}", kind=kind),
            progress=lambda what, done, total: self.reports.append((what, done, total)),
            limit=limit,
            sleep=self.vtime.sleep,
        )


@pytest.fixture
def recorder(vtime: VirtualTime) -> Recorder:
    return Recorder(vtime)


class _Borrowed(httpx.BaseTransport):
    """A transport the test owns: clients may close their handle, the sandbox stays up for the test."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self._inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._inner.handle_request(request)


def finished_operation(fs: FullStoryClient, operation_id: str) -> Operation:
    """Poll a FullStory operation until it is no longer PENDING (the sandbox finishes one in a few polls)."""

    def finished() -> Operation | None:
        operation = fs.segments.get_operation(operation_id)
        return None if operation.state == "PENDING" else operation

    return wait_until(finished, timeout=30, what=f"operation {operation_id} to finish", interval=0)
