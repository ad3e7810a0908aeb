"""What a connector is built from: one connection's kind, settings and decrypted credentials.

It lives apart from the provider seam (`base`) because the action model needs it too, and the seam in
turn names actions: kept here, neither imports the other.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, SecretStr

from headwater.errors import BadInput


class ConnectionInfo(BaseModel):
    """What a connector is built from: decrypted for one use, never persisted as is."""

    model_config = ConfigDict(frozen=True)

    name: str
    kind: str
    settings: dict[str, Any] = {}
    credentials: dict[str, SecretStr] = {}

    def __repr__(self) -> str:
        names = ", ".join(sorted(self.credentials))
        return f"ConnectionInfo(name={self.name!r}, kind={self.kind!r}, credentials=[{names}])"

    __str__ = __repr__

    def secret(self, name: str) -> SecretStr:
        """One credential, or a clear error naming the connection that lacks it."""
        try:
            return self.credentials[name]
        except KeyError:
            raise BadInput(
                f"Connection {self.name!r} has no {name!r} credential.",
                hint=f"Reconnect it with `headwater connect {self.kind} --name {self.name} ...`.",
            ) from None
