"""Non-secret settings of an Amplitude connection, and the hosts of each API family they point at.

Amplitude serves its REST APIs, ingestion and the profile API from different hosts, with different hosts
again in the EU (where the profile API is not offered). One `base_url` replaces all of them, which is
how a sandbox or a proxy serving every family on one address is used.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

REST_HOSTS = {"us": "https://amplitude.com", "eu": "https://analytics.eu.amplitude.com"}
INGEST_HOSTS = {"us": "https://api2.amplitude.com", "eu": "https://api.eu.amplitude.com"}
PROFILE_HOSTS = {"us": "https://profile-api.amplitude.com"}
#: hosts Amplitude gives DSAR download links on, besides the REST host
DSAR_DOWNLOAD_HOSTS = {"us": "analytics.amplitude.com", "eu": "analytics.eu.amplitude.com"}


class AmplitudeSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    region: Literal["us", "eu"] = Field(default="us", description="Data region of the project: us or eu")
    base_url: str | None = Field(
        default=None, description="One address for every API family (a sandbox or a proxy); wins over region"
    )
    identify_by: Literal["email", "user-id"] = Field(
        default="email",
        description="How privacy requests find a person: email (the email is the user_id) or user-id",
    )
    requester: str = Field(
        default="headwater",
        max_length=200,
        description="Recorded on deletion jobs for auditing, usually the privacy team's email",
    )

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("base_url must start with http:// or https://")
        return value.rstrip("/")

    @property
    def rest_url(self) -> str:
        return self.base_url or REST_HOSTS[self.region]

    @property
    def ingest_url(self) -> str:
        return self.base_url or INGEST_HOSTS[self.region]

    @property
    def profile_url(self) -> str | None:
        """None in the EU, where Amplitude does not offer the User Profile API."""
        return self.base_url or PROFILE_HOSTS.get(self.region)

    def dsar_hosts(self) -> set[str]:
        """Hosts a DSAR download link may point at and still receive the org credentials."""
        return {urlsplit(self.rest_url).netloc, DSAR_DOWNLOAD_HOSTS[self.region]}
