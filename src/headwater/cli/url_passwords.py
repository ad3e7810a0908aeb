"""Database URLs typed on the command line: a password in one is visible to every user through `ps`.

`destinations add` stores what it is given, so a password there is refused (it goes through
`--password-stdin`); `sync --to` and `discover scan --from` are the person's own shell, so they only warn
and say how to keep the password out of the process list.
"""

from __future__ import annotations

from headwater.cli.output import err_console


def has_password(url: str) -> bool:
    """Whether the URL carries a password, in its user part or as libpq's `?password=`. SQLAlchemy's
    parser, as the store uses, since a password may hold a `/` that `urllib` reads as the path."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return False
    return bool(parsed.password) or "password" in parsed.query


def warn_if_password(url: str | None, option: str) -> None:
    """On stderr, when `url` holds a password: `ps` shows it; name the ways that do not."""
    if url and has_password(url):
        err_console.print(
            f"Warning: the URL given to {option} holds a password, which other users of this machine can "
            "read with `ps`. Leave it out of the URL and use PGPASSWORD or ~/.pgpass, or a named "
            "destination (`headwater destinations add NAME URL --password-stdin`).",
            markup=False,
        )
