"""The key that signs session cookies: random, created once, kept in the vault, never printed.

Kept in the vault rather than derived from the master key so that rotating the master key (which
re-encrypts it with every other secret) does not log everybody out, and so that every web process
sharing the store signs with the same key.
"""

from __future__ import annotations

import secrets

from pydantic import SecretStr
from sqlalchemy.exc import IntegrityError

from headwater.accounts.models import WebSecretRow
from headwater.store import Database
from headwater.vault import Vault

SESSION_KEY = "session_signing_key"


def session_signing_key(db: Database, vault: Vault) -> SecretStr:
    """The stored key, or a new one when there is none (the first process to store it wins)."""
    with db.session() as session:
        row = session.get(WebSecretRow, SESSION_KEY)
        if row is not None:
            return vault.get(session, row.secret_ref)
    try:
        with db.session() as session:
            ref = vault.put(session, secrets.token_urlsafe(48))
            session.flush()
            session.add(WebSecretRow(name=SESSION_KEY, secret_ref=ref))
    except IntegrityError:
        pass  # another process stored one first: use theirs
    with db.session() as session:
        row = session.get(WebSecretRow, SESSION_KEY)
        assert row is not None
        return vault.get(session, row.secret_ref)
