"""Credentials encrypted at rest — the only module that sees a stored secret in plaintext.

Secrets are Fernet tokens (AES-128-CBC + HMAC-SHA256) in the `secrets` table. The master key comes from
`HEADWATER_SECRET_KEY` (comma-separated Fernet keys, newest first) or from a key file created with mode
0600 in `HEADWATER_HOME`. Plaintext leaves this module only as `pydantic.SecretStr`, whose `repr`, `str`
and JSON forms are masked, so a secret cannot slip into a log line or an exception by accident.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session

from headwater.config import Settings
from headwater.errors import ConfigError, NotFound
from headwater.store.db import Database
from headwater.store.models import SecretRow, utcnow

MASK = "********"


def mask(value: str | SecretStr | None, *, keep: int = 4) -> str:
    """Show that a secret is set, and at most its last few characters when it is long enough."""
    if value is None:
        return ""
    text = value.get_secret_value() if isinstance(value, SecretStr) else value
    if len(text) < 16:
        return MASK
    return f"{MASK}{text[-keep:]}"


@dataclass(frozen=True)
class Keyring:
    """The master keys, newest first: the first encrypts, all of them decrypt."""

    keys: tuple[bytes, ...]
    source: str  # "environment" or the key file's path

    def fernet(self) -> MultiFernet:
        return MultiFernet([Fernet(key) for key in self.keys])

    def __repr__(self) -> str:
        return f"Keyring(keys={len(self.keys)}, source={self.source!r})"


def _parse_keys(raw: Iterable[str], source: str) -> tuple[bytes, ...]:
    keys = tuple(part.strip().encode() for part in raw if part.strip())
    if not keys:
        raise ConfigError(f"No master key found in {source}.")
    for key in keys:
        try:
            Fernet(key)
        except ValueError:
            raise ConfigError(
                f"A master key in {source} is not a valid Fernet key (32 url-safe base64-encoded bytes).",
                hint="Generate one with `headwater keys generate`.",
            ) from None
    return keys


def load_keyring(settings: Settings) -> Keyring:
    """The keyring from the environment, else from the key file (created with mode 0600 on first use)."""
    if settings.secret_key is not None:
        raw = settings.secret_key.get_secret_value().split(",")
        return Keyring(_parse_keys(raw, "HEADWATER_SECRET_KEY"), "environment")
    path = settings.key_file
    if not path.exists():
        settings.ensure_home()
        write_key_file(path, [Fernet.generate_key()])
    return Keyring(_parse_keys(path.read_text().splitlines(), str(path)), str(path))


def write_key_file(path: Path, keys: list[bytes]) -> None:
    """Write atomically, never readable by anyone but the owner, not even for an instant."""
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(b"\n".join(keys) + b"\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


class Vault:
    """Stores, reads and re-encrypts secrets inside the caller's database session."""

    def __init__(self, keyring: Keyring) -> None:
        self._keyring = keyring
        self._fernet = keyring.fernet()

    def __repr__(self) -> str:
        return f"Vault({self._keyring!r})"

    def encrypt(self, plaintext: str) -> bytes:
        return self._fernet.encrypt(plaintext.encode())

    def decrypt(self, token: bytes) -> SecretStr:
        try:
            return SecretStr(self._fernet.decrypt(token).decode())
        except InvalidToken:
            raise ConfigError(
                "A stored secret cannot be decrypted with the current master key.",
                hint="Set HEADWATER_SECRET_KEY to the key it was stored with "
                "(older keys may follow, comma-separated).",
            ) from None

    def put(self, session: Session, plaintext: str | SecretStr) -> str:
        text = plaintext.get_secret_value() if isinstance(plaintext, SecretStr) else plaintext
        ref = str(uuid.uuid4())
        session.add(SecretRow(id=ref, ciphertext=self.encrypt(text)))
        return ref

    def get(self, session: Session, ref: str) -> SecretStr:
        row = session.get(SecretRow, ref)
        if row is None:
            raise NotFound(f"No stored secret {ref}.")
        return self.decrypt(row.ciphertext)

    def replace(self, session: Session, ref: str, plaintext: str | SecretStr) -> None:
        row = session.get(SecretRow, ref)
        if row is None:
            raise NotFound(f"No stored secret {ref}.")
        text = plaintext.get_secret_value() if isinstance(plaintext, SecretStr) else plaintext
        row.ciphertext = self.encrypt(text)
        row.updated_at = utcnow()

    def delete(self, session: Session, ref: str) -> None:
        row = session.get(SecretRow, ref)
        if row is not None:
            session.delete(row)

    def rotate_all(self, session: Session) -> int:
        """Re-encrypt every secret under the newest key; return how many were rewritten."""
        count = 0
        for row in session.scalars(select(SecretRow)):
            row.ciphertext = self._fernet.rotate(row.ciphertext)
            count += 1
        for rotate_extra in EXTRA_ROTATIONS:
            count += rotate_extra(session, self._fernet)
        return count


#: other encrypted columns (e.g. discovery previews) register a re-encryption function here at import time
EXTRA_ROTATIONS: list[Callable[[Session, MultiFernet], int]] = []


def generate_key() -> str:
    return Fernet.generate_key().decode()


@dataclass(frozen=True)
class RotationResult:
    secrets_rewritten: int
    source: str
    retired_keys: int
    note: str


def rotate_master_key(settings: Settings, db: Database) -> RotationResult:
    """Re-encrypt every secret under a new master key without a moment where any is unreadable.

    Key file: the new key is written in front of the old ones first, every secret is re-encrypted in one
    transaction, and only then are the old keys dropped. A crash at any point leaves a key file that
    opens every secret. Environment: the operator puts the new key first in `HEADWATER_SECRET_KEY`
    (`NEW,OLD`); we re-encrypt under it and say that the old one can go.
    """
    keyring = load_keyring(settings)
    if keyring.source == "environment":
        if len(keyring.keys) < 2:
            raise ConfigError(
                "HEADWATER_SECRET_KEY holds a single key, so there is nothing to rotate to.",
                hint="Generate a key with `headwater keys generate`, "
                "set HEADWATER_SECRET_KEY=NEW,OLD and run again.",
            )
        count = _rewrite(Vault(keyring), db)
        return RotationResult(
            count,
            "environment",
            len(keyring.keys) - 1,
            "Remove the old key(s) from HEADWATER_SECRET_KEY now.",
        )
    path = Path(keyring.source)
    new_key = Fernet.generate_key()
    write_key_file(path, [new_key, *keyring.keys])
    count = _rewrite(Vault(Keyring((new_key, *keyring.keys), keyring.source)), db)
    write_key_file(path, [new_key])
    return RotationResult(count, str(path), len(keyring.keys), "The key file now holds only the new key.")


def _rewrite(vault: Vault, db: Database) -> int:
    with db.session() as session:
        return vault.rotate_all(session)
