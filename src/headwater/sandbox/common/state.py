"""Options that shape how strict and how unreliable an emulator is."""

from __future__ import annotations

from dataclasses import dataclass

BUSINESS = "business"
ENTERPRISE = "enterprise"
FULLSTORY_PLANS = (BUSINESS, ENTERPRISE)


@dataclass(frozen=True)
class SandboxOptions:
    """Knobs shared by both emulators.

    ``bundle_hours`` and ``purge_after_seconds`` are read by the FullStory emulator only: the length of a
    legacy data-export bundle, and how long a deleted user stays visible with ``is_being_deleted`` before
    it is purged (measured on the sandbox clock; strict mode uses its own, slower deletion timings).

    ``strict`` turns on every behaviour the providers document (or are observed to have) that the lenient
    default smooths over for demos: late and delayed Amplitude exports, no ``Retry-After`` on Amplitude's
    429s, redirected DSAR downloads, FullStory's 404 for an empty user list, slow deletions, and more (see
    the README's "Strict mode"). ``fullstory_plan`` is ``business`` (no Data Export add-on: the legacy
    bundle endpoints are unavailable) or ``enterprise`` (with it); unset, strict means ``business``.
    """

    rate_limits: bool = True
    fault_rate: float = 0.0
    latency_ms: int = 0
    seed: int = 1
    accept_bearer: bool = False  # FullStory documents only `Basic <key>`; some third-party taps send Bearer
    bundle_hours: float = 24.0
    purge_after_seconds: float = 60.0
    strict: bool = False
    fullstory_plan: str | None = None

    def __post_init__(self) -> None:
        if self.fullstory_plan is not None and self.fullstory_plan not in FULLSTORY_PLANS:
            raise ValueError(f"fullstory_plan must be one of {', '.join(FULLSTORY_PLANS)}")

    @property
    def plan(self) -> str:
        """The FullStory plan in force: the one asked for, else ``business`` when strict."""
        if self.fullstory_plan is not None:
            return self.fullstory_plan
        return BUSINESS if self.strict else ENTERPRISE

    @property
    def legacy_data_export(self) -> bool:
        """Whether the org bought FullStory's Data Export Pack, which the legacy bundle endpoints need."""
        return self.plan == ENTERPRISE
