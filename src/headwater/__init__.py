"""Headwater: keep control of the customer data you send to product-analytics tools."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from headwater.facade import Headwater

__all__ = ["Headwater", "__version__"]


def __getattr__(name: str) -> Any:
    """`Headwater` is imported on first use, so `import headwater` stays light."""
    if name == "Headwater":
        from headwater.facade import Headwater

        return Headwater
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
