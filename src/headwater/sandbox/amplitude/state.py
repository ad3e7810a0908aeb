"""Everything one Amplitude emulator instance remembers, hung on ``app.state.sandbox``."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from fastapi import Request

from headwater.sandbox.amplitude.access import DsarBook
from headwater.sandbox.amplitude.jobs import JobBook
from headwater.sandbox.amplitude.limits import ConcurrencyGate, SlidingHour
from headwater.sandbox.amplitude.settings import AmplitudeSettings
from headwater.sandbox.amplitude.store import EventStore
from headwater.sandbox.clock import SandboxClock
from headwater.sandbox.common import BucketSpec, CallLog, FaultInjector, RateLimiter, SandboxOptions
from headwater.sandbox.credentials import SandboxCredentials
from headwater.sandbox.world import World

DELETIONS = "amplitude.deletions"
USER_LOOKUP = "amplitude.user_lookup"
DSAR = "amplitude.dsar"
PROFILE = "amplitude.profile"

BUCKETS = {
    DELETIONS: BucketSpec(rate=1.0, burst=1.0),  # 1 request/s per project
    USER_LOOKUP: BucketSpec(rate=360 / 3600, burst=360),  # usersearch + useractivity: 360/hour per project
    DSAR: BucketSpec(rate=14_400 / 3600, burst=14_400),  # cost units: POST 8, GET 1
    PROFILE: BucketSpec.per_minute(600),  # per org
}


@dataclass
class AmplitudeState:
    world: World
    clock: SandboxClock
    calls: CallLog
    credentials: SandboxCredentials
    options: SandboxOptions
    settings: AmplitudeSettings
    store: EventStore
    limiter: RateLimiter
    faults: FaultInjector
    jobs: JobBook = field(default_factory=JobBook)
    dsar: DsarBook = field(default_factory=DsarBook)
    deletion_gate: ConcurrencyGate = field(default_factory=ConcurrencyGate)
    lookup_window: SlidingHour = field(default_factory=SlidingHour)
    signing_secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))

    @property
    def strict(self) -> bool:
        return self.options.strict

    def settle(self) -> None:
        """Run every deletion scrub the clock has reached, before a request looks at any data."""
        self.jobs.settle(self.clock.today(), self.store.purge)


def build_state(
    world: World, clock: SandboxClock, credentials: SandboxCredentials, options: SandboxOptions
) -> AmplitudeState:
    settings = AmplitudeSettings.for_options(options)
    return AmplitudeState(
        world=world,
        clock=clock,
        calls=CallLog(clock),
        credentials=credentials,
        options=options,
        settings=settings,
        store=EventStore(world, settings),
        limiter=RateLimiter(BUCKETS, enabled=options.rate_limits),
        faults=FaultInjector(options.fault_rate, options.seed, latency_ms=options.latency_ms),
    )


def get_state(request: Request) -> AmplitudeState:
    """FastAPI dependency: this app's state, with due deletion scrubs already applied."""
    state: AmplitudeState = request.app.state.sandbox
    state.settle()
    return state
