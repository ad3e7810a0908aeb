"""Named connections to provider accounts: created only after a live test, then listed, inspected,
switched on and off, and removed — each change written to the audit trail in the same transaction.

The CLI and the web API are two faces over this module; neither touches `ConnectionRow` or the vault.
A connection's credentials are one vault secret (a JSON object keyed by the provider's credential
names), committed together with the row, so a connection never exists without its key or the reverse.
"""

from __future__ import annotations

import getpass
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from headwater.config import Settings
from headwater.connectors.base import ConnectionInfo, Connector
from headwater.connectors.registry import get_provider
from headwater.connectors.verify import not_saved, run_test, validate_credentials, validate_settings
from headwater.errors import BadInput, Conflict, HeadwaterError, NotFound
from headwater.http import Observer
from headwater.outbound import OnBehalfOf, Origin, check_url, origin_of, policy_from_environment
from headwater.store import Database, audit
from headwater.store.models import ConnectionRow, utcnow
from headwater.vault import Vault, load_keyring, mask

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
SUBJECT = "connection"


def os_user() -> str:
    """The actor the CLI records: the operating-system user running it."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@dataclass(frozen=True)
class ConnectionSummary:
    """A connection without its credentials: safe to print, log or return from an API."""

    name: str
    kind: str
    enabled: bool
    settings: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: ConnectionRow) -> ConnectionSummary:
        return cls(row.name, row.kind, row.enabled, dict(row.settings), row.created_at, row.updated_at)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "enabled": self.enabled,
            "settings": self.settings,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


class Connections:
    """The connection service, over one store and one vault."""

    def __init__(self, db: Database, vault: Vault) -> None:
        self.db = db
        self.vault = vault

    @classmethod
    def open(cls, settings: Settings) -> Connections:
        return cls(Database.open(settings), Vault(load_keyring(settings)))

    def create(
        self,
        kind: str,
        name: str,
        *,
        credentials: Mapping[str, str | SecretStr | None],
        settings: Mapping[str, Any] | None = None,
        actor: str,
        transport: httpx.BaseTransport | None = None,
    ) -> ConnectionSummary:
        """Test the credentials against the provider, and save them only if the test passes."""
        spec = get_provider(kind)
        if not NAME.match(name):
            raise BadInput(
                f"Invalid connection name {name!r}.",
                hint="Use up to 100 letters, digits, '-', '_' or '.', starting with a letter or digit.",
            )
        if self._exists(name):
            raise Conflict(f"A connection named {name!r} already exists.", hint=_choose_another(name))
        info = ConnectionInfo(
            name=name,
            kind=spec.kind,
            settings=validate_settings(spec, settings or {}),
            credentials=validate_credentials(spec, credentials),
        )
        try:
            refuse_internal_urls(info)
            run_test(spec, info, transport)
        except HeadwaterError as exc:
            raise not_saved(exc, name) from None
        secret = json.dumps({k: v.get_secret_value() for k, v in info.credentials.items()})
        try:
            with self.db.session() as session:
                ref = self.vault.put(session, secret)
                session.flush()  # the secret row first: the connection row refers to it
                row = ConnectionRow(
                    name=name, kind=spec.kind, settings=info.settings, credential_ref=ref, enabled=True
                )
                session.add(row)
                session.flush()
                audit.record(
                    session,
                    actor=actor,
                    action="connection.created",
                    subject_type=SUBJECT,
                    subject_id=name,
                    details={"kind": spec.kind, "settings": info.settings, "tested": True},
                    message=f"Connected {spec.title} as {name!r}; the credentials passed a live test.",
                )
                return ConnectionSummary.of(row)
        except IntegrityError:
            if not self._exists(name):
                raise
            # created by someone else between our check and our insert
            raise Conflict(
                f"A connection named {name!r} already exists.", hint=_choose_another(name)
            ) from None

    def list_all(self) -> list[ConnectionSummary]:
        with self.db.session() as session:
            rows = session.scalars(select(ConnectionRow).order_by(ConnectionRow.name))
            return [ConnectionSummary.of(row) for row in rows]

    def get(self, name: str) -> ConnectionSummary:
        with self.db.session() as session:
            return ConnectionSummary.of(self._existing(session, name))

    def info(self, name: str) -> ConnectionInfo:
        """The connection with its credentials decrypted (as SecretStr), to build a client from."""
        with self.db.session() as session:
            row = self._existing(session, name)
            creds: dict[str, SecretStr] = {}
            if row.credential_ref is not None:
                stored = json.loads(self.vault.get(session, row.credential_ref).get_secret_value())
                creds = {k: SecretStr(v) for k, v in stored.items()}
            return ConnectionInfo(
                name=row.name, kind=row.kind, settings=dict(row.settings), credentials=creds
            )

    def usable_info(self, name: str) -> ConnectionInfo:
        """Like `info`, but refuses a disabled connection: nothing may call a provider through it."""
        if not self.get(name).enabled:
            raise BadInput(
                f"Connection {name!r} is disabled.",
                hint=f"Enable it with `headwater connections enable {name}`.",
            )
        return self.info(name)

    def show(self, name: str) -> dict[str, Any]:
        """Everything about a connection, with each credential masked."""
        info = self.info(name)
        return {**self.get(name).as_dict(), "credentials": {k: mask(v) for k, v in info.credentials.items()}}

    def test(
        self, name: str, *, actor: str, transport: httpx.BaseTransport | None = None
    ) -> ConnectionSummary:
        """Re-test stored credentials (a key may have been revoked since); the outcome is audited."""
        info = self.info(name)
        spec = get_provider(info.kind)
        try:
            run_test(spec, info, on_behalf_of(info, transport))
        except HeadwaterError as exc:
            self._audit(name, actor, "connection.test_failed", f"Test failed: {exc.message}", code=exc.code)
            raise
        self._audit(name, actor, "connection.tested", "The credentials passed a live test.")
        return self.get(name)

    def enable(self, name: str, *, actor: str) -> ConnectionSummary:
        return self._switch(name, True, actor)

    def disable(self, name: str, *, actor: str) -> ConnectionSummary:
        return self._switch(name, False, actor)

    def remove(self, name: str, *, actor: str) -> None:
        """Delete the connection and its stored credentials together."""
        with self.db.session() as session:
            row = self._existing(session, name)
            ref, kind = row.credential_ref, row.kind
            session.delete(row)
            session.flush()
            if ref is not None:
                self.vault.delete(session, ref)
            audit.record(
                session,
                actor=actor,
                action="connection.removed",
                subject_type=SUBJECT,
                subject_id=name,
                details={"kind": kind},
                message=f"Removed connection {name!r} and its stored credentials.",
            )

    def history(self, name: str) -> list[dict[str, Any]]:
        with self.db.session() as session:
            return [audit.as_dict(row) for row in audit.trail(session, SUBJECT, name)]

    def open_connector(
        self,
        name: str,
        *,
        transport: httpx.BaseTransport | None = None,
        observers: list[Observer] | None = None,
    ) -> Connector:
        info = self.usable_info(name)
        return get_provider(info.kind).connector(
            info, transport=on_behalf_of(info, transport), observers=observers
        )

    def open_client(
        self,
        name: str,
        *,
        transport: httpx.BaseTransport | None = None,
        observers: list[Observer] | None = None,
    ) -> Any:
        info = self.usable_info(name)
        return get_provider(info.kind).client(
            info, transport=on_behalf_of(info, transport), observers=observers
        )

    def record(self, name: str, actor: str, event: str, message: str, **details: Any) -> None:
        """Add an entry about this connection to the audit trail (used by the action runner)."""
        self._audit(name, actor, event, message, **details)

    def _switch(self, name: str, enabled: bool, actor: str) -> ConnectionSummary:
        with self.db.session() as session:
            row = self._existing(session, name)
            if row.enabled != enabled:
                row.enabled = enabled
                row.updated_at = utcnow()
                word = "enabled" if enabled else "disabled"
                audit.record(
                    session,
                    actor=actor,
                    action=f"connection.{word}",
                    subject_type=SUBJECT,
                    subject_id=name,
                    message=f"Connection {name!r} {word}.",
                )
            session.flush()
            return ConnectionSummary.of(row)

    def _audit(self, name: str, actor: str, event: str, message: str, **details: Any) -> None:
        with self.db.session() as session:
            audit.record(
                session,
                actor=actor,
                action=event,
                subject_type=SUBJECT,
                subject_id=name,
                details=details,
                message=message,
            )

    def _exists(self, name: str) -> bool:
        with self.db.session() as session:
            return self._row(session, name) is not None

    @staticmethod
    def _row(session: Session, name: str) -> ConnectionRow | None:
        return session.scalars(select(ConnectionRow).where(ConnectionRow.name == name)).first()

    def _existing(self, session: Session, name: str) -> ConnectionRow:
        row = self._row(session, name)
        if row is None:
            raise NotFound(f"No connection named {name!r}.", hint="See `headwater connections list`.")
        return row


def _urls(info: ConnectionInfo) -> list[str]:
    """Every http(s) URL a connection names: settings such as a base URL, credentials such as a webhook."""
    values = [*info.settings.values(), *(c.get_secret_value() for c in info.credentials.values())]
    return [value for value in values if isinstance(value, str) and origin_of(value) is not None]


def own_origins(info: ConnectionInfo) -> frozenset[Origin]:
    """The origins a stored connection names: an admin chose them, so requests on its behalf may go there."""
    return frozenset(origin for url in _urls(info) if (origin := origin_of(url)) is not None)


def on_behalf_of(info: ConnectionInfo, transport: httpx.BaseTransport | None) -> httpx.BaseTransport:
    """The transport for requests made for stored connection `info` (never closed by the clients on it)."""
    return OnBehalfOf(transport, own_origins(info))


def refuse_internal_urls(info: ConnectionInfo) -> None:
    """A new connection may not name an internal address that `HEADWATER_OUTBOUND_ALLOW` does not allow.

    Checked before it is stored, even when nothing is sent now (a Slack webhook without --test): once
    stored, a connection's own hosts are trusted.
    """
    policy = policy_from_environment()
    for url in _urls(info):
        check_url(url, policy)


def _choose_another(name: str) -> str:
    return f"Choose another --name, or remove the old one first with `headwater connections remove {name}`."
