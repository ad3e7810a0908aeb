"""The demo credentials both emulators accept, so docs and tests can name them without a vault."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SandboxCredentials:
    """Fixed, obviously fake keys; the FullStory ones carry a real-looking ``na1.`` region prefix."""

    fullstory_admin_key: str = "na1.hwsandbox-admin-5f1c2e9a7b3d4c60"
    fullstory_standard_key: str = "na1.hwsandbox-standard-8e2d4a6c1b9f3e70"
    amplitude_api_key: str = "hwsandbox0amplitude0api0key00001"
    amplitude_secret_key: str = "hwsandbox0amplitude0secret0key01"  # noqa: S105 - public demo key
    amplitude_org_api_key: str = "hwsandbox0amplitude0org0key00001"
    amplitude_org_secret_key: str = "hwsandbox0amplitude0org0secret01"  # noqa: S105 - public demo key
