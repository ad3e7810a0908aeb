"""Password hashing with argon2id (argon2-cffi's defaults follow RFC 9106's recommendations).

The hasher works on UTF-8 bytes, so a password holding a lone surrogate (valid JSON `"\\ud800"`, or a
byte that is not UTF-8 on standard input) cannot be hashed: it is refused as bad input, never a crash.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from pydantic import SecretStr

from headwater.errors import BadInput

MIN_LENGTH = 10
MAX_LENGTH = 1024

_hasher = PasswordHasher()
#: verified against when an account does not exist, so a miss takes as long as a wrong password
_DUMMY = _hasher.hash("headwater-no-such-account")


def check_strength(password: SecretStr) -> None:
    text = password.get_secret_value()
    if len(text) < MIN_LENGTH:
        raise BadInput(f"The password must have at least {MIN_LENGTH} characters.")
    if len(text) > MAX_LENGTH:
        raise BadInput(f"The password must have at most {MAX_LENGTH} characters.")
    if not text.strip():
        raise BadInput("The password cannot be only spaces.")
    if not _encodable(text):
        raise BadInput(
            "The password holds a character that is not valid Unicode text (a lone surrogate).",
            hint="Type or paste the password again.",
        )


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def hash_password(password: SecretStr) -> str:
    check_strength(password)
    return _hasher.hash(password.get_secret_value())


def verify(stored_hash: str | None, password: SecretStr) -> bool:
    """True when the password matches; a missing account still costs one verification."""
    text = password.get_secret_value()[:MAX_LENGTH]
    if not _encodable(text):  # never stored so, hence wrong; still costs one verification
        _hasher.verify(_DUMMY, "headwater-no-such-account")
        return False
    try:
        return _hasher.verify(stored_hash or _DUMMY, text) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
