"""Non-secret settings of a FullStory connection, and which host they point at.

FullStory keys made since 2022 start with their data center (`na1.` / `eu1.`); FullStory's own tools pick
the EU host for `eu1.` keys, so the region defaults to what the key says.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

HOSTS = {"na": "https://api.fullstory.com", "eu": "https://api.eu1.fullstory.com"}
KEY_PREFIXES = {"na1.": "na", "eu1.": "eu"}


class FullStorySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    region: Literal["na", "eu"] | None = Field(
        default=None, description="Data center: na or eu; default: from the key prefix (eu1. = eu), else na"
    )
    base_url: str | None = Field(
        default=None, description="Override the API host (a sandbox or a proxy); wins over region"
    )
    identify_by: Literal["email", "uid"] = Field(
        default="email", description="How privacy requests find a person: by email, or by your own uid"
    )

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("base_url must start with http:// or https://")
        return value.rstrip("/")

    def effective_region(self, api_key: str) -> str:
        return self.region or key_region(api_key) or "na"

    def api_url(self, api_key: str) -> str:
        return self.base_url or HOSTS[self.effective_region(api_key)]


def key_region(api_key: str) -> str | None:
    """The region a key's prefix names, or None for older keys without one."""
    for prefix, region in KEY_PREFIXES.items():
        if api_key.startswith(prefix):
            return region
    return None
