"""Options that shape how strict and how unreliable an emulator is."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SandboxOptions:
    """Knobs shared by both emulators.

    ``bundle_hours`` and ``purge_after_seconds`` are read by the FullStory emulator only: the length of a
    legacy data-export bundle, and how long a deleted user stays visible with ``is_being_deleted`` before
    it is purged (measured on the sandbox clock).
    """

    rate_limits: bool = True
    fault_rate: float = 0.0
    latency_ms: int = 0
    seed: int = 1
    accept_bearer: bool = False  # FullStory documents only `Basic <key>`; some third-party taps send Bearer
    bundle_hours: float = 24.0
    purge_after_seconds: float = 60.0
