"""FastAPI building blocks shared by the FullStory and Amplitude emulators."""

from headwater.sandbox.common.calllog import CallLog, CallLogMiddleware
from headwater.sandbox.common.faults import DroppedConnection, FaultInjector, FaultMiddleware
from headwater.sandbox.common.limits import BucketSpec, RateLimiter, retry_after_header
from headwater.sandbox.common.routes import sandbox_router
from headwater.sandbox.common.state import SandboxOptions

__all__ = [
    "BucketSpec",
    "CallLog",
    "CallLogMiddleware",
    "DroppedConnection",
    "FaultInjector",
    "FaultMiddleware",
    "RateLimiter",
    "SandboxOptions",
    "retry_after_header",
    "sandbox_router",
]
