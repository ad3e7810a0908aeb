"""Which providers exist: the one place that knows the provider packages by name.

Provider packages are imported on first use, so `import headwater.connectors` stays cheap and a broken
provider cannot stop the others from loading until someone asks for it.
"""

from __future__ import annotations

import importlib

from headwater.connectors.base import ProviderSpec
from headwater.errors import BadInput

#: kind -> module exposing `spec: ProviderSpec`; the only registry of providers
PROVIDER_MODULES: dict[str, str] = {
    "fullstory": "headwater.connectors.fullstory",
    "amplitude": "headwater.connectors.amplitude",
    "slack": "headwater.connectors.slack",
}


def kinds() -> list[str]:
    return list(PROVIDER_MODULES)


def get_provider(kind: str) -> ProviderSpec:
    """The spec of one provider; BadInput naming the known ones for anything else."""
    module_name = PROVIDER_MODULES.get(kind.lower()) if kind else None
    if module_name is None:
        raise BadInput(f"Unknown provider {kind!r}.", hint=f"Use one of: {', '.join(PROVIDER_MODULES)}.")
    spec: ProviderSpec = importlib.import_module(module_name).spec
    return spec


def providers() -> list[ProviderSpec]:
    return [get_provider(kind) for kind in PROVIDER_MODULES]


def holds_personal_data(kind: str) -> bool:
    """Whether privacy requests go to connections of this kind; a notification channel holds none."""
    return get_provider(kind).holds_personal_data
