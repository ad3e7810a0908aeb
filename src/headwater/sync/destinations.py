"""Named sync destinations, and where a sync request loads.

A destination URL names a place on the server's network or disk and may carry a password, so it is an
admin's decision: `headwater destinations add NAME URL` stores it here (the password in the vault),
and the web, jobs and schedules refer to it by name. The person at the shell may still give a URL
directly (`headwater sync NAME --to URL`); nothing else does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError
from sqlalchemy.orm import Session

from headwater.errors import BadInput, Conflict, NotFound
from headwater.package_files import refuse_package_path
from headwater.store import Database, audit
from headwater.store.models import utcnow
from headwater.sync.models import SyncDestinationRow
from headwater.sync.target import PG_PREFIXES, Target, parse_target
from headwater.vault import Vault

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
SUBJECT = "destination"
#: libpq parameters that carry a secret; the password belongs in the vault instead
_SECRET_PARAMETERS = frozenset({"password", "sslpassword"})
_STORED = "stored in the vault"  # any non-empty value: it is rendered as *** anyway
_NOWHERE = Path()  # parse_target needs a home only for the default destination, never for a URL


@dataclass(frozen=True)
class DestinationInfo:
    """A destination as anyone may see it: the password, if any, is masked."""

    name: str
    kind: str
    url: str
    created_by: str
    created_at: datetime

    @classmethod
    def of(cls, row: SyncDestinationRow) -> DestinationInfo:
        url = row.location
        if row.secret_ref is not None:
            url = make_url(url).set(password=_STORED).render_as_string(hide_password=True)
        return cls(row.name, row.kind, url, row.created_by, row.created_at)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "url": self.url,
            "created_by": self.created_by,
            "created_at": self.created_at,
        }


def check_name(name: str) -> str:
    """A destination name, or `BadInput` saying that a URL or a path is not one."""
    if not NAME.match(name or ""):
        raise BadInput(
            f"destination: {name[:60]!r} is not a destination name.",
            hint="Name a destination an admin defined (`headwater destinations list`); "
            "a URL or a file path is never taken here.",
        )
    return name


class Destinations:
    def __init__(self, db: Database, vault: Vault) -> None:
        self.db = db
        self.vault = vault

    def add(self, name: str, url: str, *, actor: str, password: SecretStr | None = None) -> DestinationInfo:
        """Store a destination; a password (in the URL or given apart) goes to the vault."""
        if not NAME.match(name or ""):
            raise BadInput(
                f"Invalid destination name {name!r}.",
                hint="Use up to 100 letters, digits, '-', '_' or '.', starting with a letter or digit.",
            )
        if not url:
            raise BadInput("Give the destination's URL: duckdb:///path.duckdb or postgresql://user@host/db.")
        kind, location, secret = _split(url, password)
        try:
            with self.db.session() as session:
                if session.get(SyncDestinationRow, name) is not None:
                    raise Conflict(f"A destination named {name!r} already exists.", hint=_remove_hint(name))
                ref = self.vault.put(session, secret) if secret is not None else None
                session.flush()
                row = SyncDestinationRow(
                    name=name,
                    kind=kind,
                    location=location,
                    secret_ref=ref,
                    created_by=actor,
                    created_at=utcnow(),
                )
                session.add(row)
                session.flush()
                info = DestinationInfo.of(row)
                _audit(session, actor, "destination.added", name, f"Destination {name!r} added: {info.url}.")
                return info
        except IntegrityError:
            raise Conflict(f"A destination named {name!r} already exists.", hint=_remove_hint(name)) from None

    def list_all(self) -> list[DestinationInfo]:
        with self.db.session() as session:
            rows = session.scalars(select(SyncDestinationRow).order_by(SyncDestinationRow.name))
            return [DestinationInfo.of(row) for row in rows]

    def get(self, name: str) -> DestinationInfo:
        with self.db.session() as session:
            return DestinationInfo.of(_existing(session, check_name(name)))

    def remove(self, name: str, *, actor: str) -> None:
        with self.db.session() as session:
            row = _existing(session, name)
            ref = row.secret_ref
            session.delete(row)
            session.flush()
            if ref is not None:
                self.vault.delete(session, ref)
            _audit(session, actor, "destination.removed", name, f"Destination {name!r} removed.")

    def target(self, name: str, *, connection: str) -> Target:
        """Where a sync of `connection` to the destination `name` loads, password included."""
        with self.db.session() as session:
            row = _existing(session, check_name(name))
            location = row.location
            if row.secret_ref is not None:
                secret = self.vault.get(session, row.secret_ref).get_secret_value()
                location = make_url(location).set(password=secret).render_as_string(hide_password=False)
        return parse_target(location, home=_NOWHERE, connection=connection)

    def resolve(self, to: str | None, name: str | None, *, home: Path, connection: str) -> Target:
        """A sync request's target: a named destination, a URL from the shell, or the default."""
        if to and name:
            raise BadInput("Give a destination name or a URL (--to), not both.")
        if name:
            return self.target(name, connection=connection)
        target = parse_target(to, home=home, connection=connection)
        if target.kind == "duckdb":
            refuse_package_path(target.location, "destination")
        return target


def _split(url: str, password: SecretStr | None) -> tuple[str, str, str | None]:
    """(kind, location without any password, the password or None) of a destination URL."""
    target = parse_target(url, home=_NOWHERE, connection="check")
    if target.kind == "duckdb":
        refuse_package_path(target.location, "destination")
        if password is not None:
            raise BadInput("A DuckDB destination is a file: it takes no password.")
        return "duckdb", f"duckdb://{target.location}", None
    if not url.startswith(PG_PREFIXES):
        raise BadInput("Unsupported destination URL.")
    try:
        parsed: URL = make_url(target.location)
    except ArgumentError:
        raise BadInput("Not a PostgreSQL URL: postgresql://user@host/database.") from None
    if _SECRET_PARAMETERS & {key.lower() for key in parsed.query}:
        raise BadInput(
            "Put the password in the URL's user part (user:password@host) or give it with --password-stdin, "
            "not as a query parameter.",
        )
    if parsed.password is not None and password is not None:
        raise BadInput("The URL already holds a password; give it once.")
    secret = password.get_secret_value() if password is not None else parsed.password
    location = _without_password(parsed).render_as_string(hide_password=False)
    return "postgresql", location, str(secret) if secret else None


def _without_password(url: URL) -> URL:
    """`URL.set` leaves a field alone when given None, so the URL is built again without it."""
    return URL.create(url.drivername, url.username, None, url.host, url.port, url.database, url.query)


def _existing(session: Session, name: str) -> SyncDestinationRow:
    row = session.get(SyncDestinationRow, name)
    if row is None:
        raise NotFound(f"There is no destination named {name!r}.", hint="`headwater destinations list`.")
    return row


def _audit(session: Session, actor: str, action: str, name: str, message: str) -> None:
    audit.record(session, actor=actor, action=action, subject_type=SUBJECT, subject_id=name, message=message)


def _remove_hint(name: str) -> str:
    return f"Choose another name, or remove the old one with `headwater destinations remove {name}`."
