"""The sync's one look-up of providers: which kinds export events, and how (`ProviderSpec.events`).

Everything else in `sync/` is generic; what a provider's export looks like is declared in its own
package, so a new provider adds its export there and the sync finds it here by the connection's kind.
"""

from __future__ import annotations

from headwater.connectors.registry import get_provider, kinds, providers
from headwater.errors import BadInput
from headwater.sync.source import EventExport

#: what a report calls a batch of a kind that no longer exports events
GENERIC_UNIT = "batches"


def event_export(kind: str, connection: str | None = None) -> EventExport:
    """How connections of this kind export events; BadInput naming the kinds that do, for any other."""
    export = get_provider(kind).events
    if export is None:
        supported = " and ".join(spec.kind for spec in providers() if spec.events is not None)
        which = f"Connection {connection!r} is a {kind} connection" if connection else f"A {kind} connection"
        raise BadInput(f"{which}; sync supports {supported}.")
    return export


def batch_unit(kind: str) -> str:
    """What the reports of a connection of this kind call one batch: "bundles", "hours"."""
    export = get_provider(kind).events if kind in kinds() else None
    return export.unit if export is not None else GENERIC_UNIT
