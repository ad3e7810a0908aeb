"""The web face: a REST API under /api/v1 (OpenAPI, bearer tokens) and a server-rendered dashboard.

Both call the same service functions as the CLI. Importing this package is cheap (the store tables in
`models` need no web framework); the app is built by `create_app`, loaded on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from headwater.web.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from headwater.web.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
