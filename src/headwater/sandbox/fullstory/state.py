"""Everything one FullStory emulator remembers, kept on ``app.state.sandbox`` so apps never share it."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from fastapi import Request

from headwater.sandbox.clock import SandboxClock
from headwater.sandbox.common.calllog import CallLog
from headwater.sandbox.common.faults import FaultInjector
from headwater.sandbox.common.limits import BucketSpec, RateLimiter
from headwater.sandbox.common.state import SandboxOptions
from headwater.sandbox.credentials import SandboxCredentials
from headwater.sandbox.fullstory.ingest import IngestedEvents
from headwater.sandbox.fullstory.operations import OperationBook
from headwater.sandbox.fullstory.store import UserDirectory
from headwater.sandbox.world import World

ADMIN, STANDARD = "admin", "standard"
ORG_ID = "o-HWSBX-na1"

# FullStory publishes no general numbers; these are generous so only a runaway client meets them.
GENERAL_BUCKET = "general"
LEGACY_DOWNLOAD_BUCKET = "legacy_export_get"
DEFAULT_BUCKETS = {
    GENERAL_BUCKET: BucketSpec(rate=50.0, burst=100.0),
    LEGACY_DOWNLOAD_BUCKET: BucketSpec.per_minute(2),
}

# Strict mode. A v2 deletion answers `200 {}` and FullStory documents nothing about observing it finish: no
# semantics for `is_being_deleted` and no time after which the user answers 404 (developer.fullstory.com
# server/users/delete-user; shared/api/real-behaviour.md, "Users v2"). So the flag shows late and the user
# lingers, long enough that a client which treats either as a prompt signal is caught out.
STRICT_DELETION_FLAG_AFTER = timedelta(minutes=30)
STRICT_DELETION_PURGE_AFTER = timedelta(days=1)


@dataclass
class BatchJob:
    """A batch import; its requests are applied when the job completes."""

    id: str
    kind: str
    created: datetime
    requests: list[dict[str, Any]]
    shared: dict[str, Any]
    polls: int = 0
    status: str = "PROCESSING"
    finished: datetime | None = None
    imports: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class SearchExport:
    """A finished segment export: what to regenerate when its download link is fetched."""

    id: str
    segment_id: str
    export_type: str
    export_format: str
    start: datetime | None
    end: datetime | None
    fields: list[str]
    as_of: datetime
    expires: datetime | None = None


class FullStoryState:
    """Mutable state of one emulator; every mutation happens under ``lock``."""

    def __init__(
        self, world: World, clock: SandboxClock, credentials: SandboxCredentials, options: SandboxOptions
    ) -> None:
        self.world = world
        self.clock = clock
        self.credentials = credentials
        self.options = options
        self.calls = CallLog(clock)
        self.lock = threading.RLock()
        self.faults = FaultInjector(options.fault_rate, options.seed, latency_ms=options.latency_ms)
        self.limiter = RateLimiter(DEFAULT_BUCKETS, enabled=options.rate_limits)
        self.roles = {credentials.fullstory_admin_key: ADMIN, credentials.fullstory_standard_key: STANDARD}
        if options.strict:
            self.users = UserDirectory(
                world,
                clock,
                STRICT_DELETION_PURGE_AFTER.total_seconds(),
                STRICT_DELETION_FLAG_AFTER.total_seconds(),
            )
        else:
            self.users = UserDirectory(world, clock, options.purge_after_seconds)
        self.ingested = IngestedEvents()
        self.operations = OperationBook(clock)
        self.jobs: dict[str, BatchJob] = {}
        self.job_polls_needed = 2
        self.exports: dict[str, SearchExport] = {}
        self.idempotent_replies: dict[tuple[str, str, str], tuple[int, Any]] = {}
        self.annotations: list[dict[str, Any]] = []
        self.webhooks: dict[str, dict[str, Any]] = {}
        self.visit_profiles: dict[str, dict[str, Any]] = {}
        self.signing_secret = secrets.token_bytes(32)
        self.bundle_seconds = int(options.bundle_hours * 3600)
        if self.bundle_seconds <= 0:
            raise ValueError("bundle_hours must be positive")

    @property
    def org_id(self) -> str:
        return ORG_ID


def get_state(request: Request) -> FullStoryState:
    state: FullStoryState = request.app.state.sandbox
    return state
