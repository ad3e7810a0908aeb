"""Privacy requests (GDPR/CCPA): durable delete and copy tickets across every enabled connection.

`Privacy` (in `service`) is the whole face the CLI and web use; the job kinds it queues live in
`orchestration`. Importing this package is cheap: the service is loaded on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from headwater.privacy.service import Privacy

__all__ = ["Privacy"]


def __getattr__(name: str) -> Any:
    if name == "Privacy":
        from headwater.privacy.service import Privacy

        return Privacy
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
