"""The provider seam: what every connector package offers and what the rest of Headwater may rely on.

Privacy, sync, workflows and the action runner talk to a provider only through these types, so a new
provider is one new package that fills them in. Secrets arrive as `SecretStr` and stay that way.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import httpx
from pydantic import BaseModel, ConfigDict, SecretStr

from headwater.errors import BadInput
from headwater.http import Observer

if TYPE_CHECKING:
    from headwater.actions.model import Action


class BorrowedTransport(httpx.BaseTransport):
    """A transport the caller owns: clients built on it may close themselves without closing it."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.inner.handle_request(request)

    def close(self) -> None:
        """Left to the owner, who may hand the same transport to many clients."""


def borrowed(transport: httpx.BaseTransport | None) -> httpx.BaseTransport | None:
    if transport is None or isinstance(transport, BorrowedTransport):
        return transport
    return BorrowedTransport(transport)


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


@dataclass(frozen=True)
class Subject:
    """A data subject as a privacy ticket names them."""

    email: str | None = None
    fullstory_uid: str | None = None
    amplitude_user_id: str | None = None
    amplitude_id: int | None = None


@dataclass(frozen=True)
class Identity:
    """A subject resolved inside one provider."""

    kind: str
    id: str
    label: str
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ProviderJob:
    """A provider-side deletion or access job that we follow until it is done."""

    kind: str
    id: str
    status: str  # "pending" | "running" | "done" | "failed"
    detail: dict[str, Any] = field(default_factory=dict)
    next_poll_after: datetime | None = None


JOB_STATUSES = ("pending", "running", "done", "failed")


class NeedsInput(BadInput):
    """`resolve()` lacks the identifier this connection needs (e.g. a uid when identify-by is uid)."""

    code = "needs_input"


@runtime_checkable
class Connector(Protocol):
    kind: str

    def test(self) -> None:
        """Raise AuthError / PermissionDenied / ... with a message the user can act on."""

    def resolve(self, subject: Subject) -> list[Identity]: ...

    def delete(self, identities: Sequence[Identity]) -> list[ProviderJob]: ...

    def poll(self, job: ProviderJob) -> ProviderJob: ...

    def export_subject(self, identity: Identity) -> Iterator[tuple[str, Any]]: ...

    def close(self) -> None: ...


class ProviderSpec(Protocol):
    """One per provider package (`spec` in its `__init__.py`), registered in `connectors.registry`."""

    kind: str
    title: str

    def settings_model(self) -> type[BaseModel]: ...

    def credential_names(self) -> tuple[str, ...]: ...

    def client(
        self,
        info: ConnectionInfo,
        *,
        transport: httpx.BaseTransport | None = None,
        observers: list[Observer] | None = None,
    ) -> Any: ...

    def connector(
        self,
        info: ConnectionInfo,
        *,
        transport: httpx.BaseTransport | None = None,
        observers: list[Observer] | None = None,
    ) -> Connector: ...

    def actions(self) -> list[Action]: ...
