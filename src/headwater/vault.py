"""Credentials encrypted at rest — the only module that sees a stored secret in plaintext.

Secrets are Fernet tokens (AES-128-CBC + HMAC-SHA256) in the `secrets` table; other encrypted columns
(`encrypted.ENCRYPTED_COLUMNS`) use the same keyring. The master key comes from `HEADWATER_SECRET_KEY`
(comma-separated Fernet keys, newest first) or from a key file created with mode 0600 in `HEADWATER_HOME`
(see `keyfile`). Plaintext leaves this module only as `pydantic.SecretStr`, whose `repr`, `str` and JSON
forms are masked, so a secret cannot slip into a log line or an exception by accident.

A process keeps its keyring for its lifetime, but another process may rotate the key file meanwhile
(`headwater keys rotate`): a vault whose keys come from the file re-reads it when the file has changed
before encrypting, and when a value does not decrypt with the keys it holds.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from pydantic import SecretStr
from sqlalchemy.orm import Session

from headwater import keyfile
from headwater.config import Settings
from headwater.errors import ConfigError, NotFound
from headwater.store.models import SecretRow, utcnow

MASK = "********"
ENVIRONMENT = "environment"


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
    stamp: keyfile.Stamp | None = field(default=None, compare=False)  # the key file's, when read

    def fernet(self) -> MultiFernet:
        return MultiFernet([Fernet(key) for key in self.keys])

    @property
    def path(self) -> Path | None:
        return None if self.source == ENVIRONMENT else Path(self.source)

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
    """The keyring from the environment, else from the key file.

    The key file is created (mode 0600) on first use only: when it is missing but the store already
    holds encrypted values, this refuses rather than generating a key that could not read them.
    """
    if settings.secret_key is not None:
        raw = settings.secret_key.get_secret_value().split(",")
        return Keyring(_parse_keys(raw, "HEADWATER_SECRET_KEY"), ENVIRONMENT)
    path = settings.key_file
    if not path.exists():
        keyfile.refuse_if_data_exists(settings)
        settings.ensure_home()
        keyfile.write(path, [Fernet.generate_key()])
    return read_key_file(path)


def read_key_file(path: Path) -> Keyring:
    stamp = keyfile.stamp(path)  # before reading: a change after this is noticed by the next check
    return Keyring(_parse_keys(keyfile.read_lines(path), str(path)), str(path), stamp)


class Vault:
    """Stores and reads secrets inside the caller's database session; encrypts and decrypts for the
    other encrypted columns."""

    def __init__(self, keyring: Keyring) -> None:
        self._lock = threading.Lock()
        self._state = _KeyState.of(keyring)

    def __repr__(self) -> str:
        return f"Vault({self._state.keyring!r})"

    def encrypt(self, plaintext: str) -> bytes:
        state = self._state
        if state.keyring.path is not None and keyfile.stamp(state.keyring.path) != state.keyring.stamp:
            state = self._reload(state)  # rotated by another process: encrypt under its new key
        return state.fernet.encrypt(plaintext.encode())

    def decrypt(self, token: bytes) -> SecretStr:
        state = self._state
        try:
            return SecretStr(state.fernet.decrypt(token).decode())
        except InvalidToken:
            pass
        if state.keyring.path is not None:
            state = self._reload(state)
            try:
                return SecretStr(state.fernet.decrypt(token).decode())
            except InvalidToken:
                pass
        raise ConfigError(
            "A stored encrypted value cannot be decrypted with the current master key.",
            hint="Set HEADWATER_SECRET_KEY to the key it was stored with (older keys may follow, "
            "comma-separated); a process started with HEADWATER_SECRET_KEY must be restarted after a "
            "rotation.",
        )

    def _reload(self, seen: _KeyState) -> _KeyState:
        """Re-read the key file once, however many threads noticed the change at the same time."""
        with self._lock:
            if self._state is seen:
                path = seen.keyring.path
                assert path is not None
                if path.exists():
                    self._state = _KeyState.of(read_key_file(path))
            return self._state

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


@dataclass(frozen=True)
class _KeyState:
    """One loaded version of the keyring, swapped as a whole so that threads never see half of one."""

    keyring: Keyring
    fernet: MultiFernet

    @classmethod
    def of(cls, keyring: Keyring) -> _KeyState:
        return cls(keyring, keyring.fernet())


def generate_key() -> str:
    return Fernet.generate_key().decode()
