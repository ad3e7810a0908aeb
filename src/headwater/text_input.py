"""Text that comes in from outside, refused when it holds control characters.

A NUL byte in an email was stored by SQLite and answered with a 500 by PostgreSQL; other control
characters in a name or an email (an escape sequence, a backspace) rewrite what a terminal, a log or a
page shows, and the C1 controls (U+0080-U+009F) and Unicode's bidirectional and format marks (U+200E,
U+200F, U+202A-U+202E, U+2066-U+2069, U+FEFF) make `ann@example.com` display as something else. So every
text input is checked at one depth, with one rule: one line of text (an email, an id, a name) may hold
none of these; multi-line text (a reason, a workflow file, values
inside an action's input) may hold tab, line feed and carriage return only. NUL, and the lone surrogates
that neither store can encode, are refused everywhere — by the store itself too (`refuse_unstorable`),
as the last line of defence, so both stores behave the same whatever path a value took.

The REST schemas use the `Line`, `Text` and `JsonObject` types built on these checks (in
`web/schemas/common.py`); services call `check_line` and `check_text`; the CLI checks its arguments as
they are parsed. This module imports no more than `re`, so the CLI starts as fast as before.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from headwater.errors import BadInput

_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")
_MULTI_LINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")
HINT = "Remove it (it may have come with a copy and paste) and try again."


def control_character(value: str, *, multiline: bool = False) -> str | None:
    """What is wrong with `value`, or None: which character, and where (never the value itself)."""
    match = (_MULTI_LINE if multiline else _SINGLE_LINE).search(value)
    if match is None:
        return None
    return f"contains a control character (U+{ord(match.group()):04X}) at position {match.start() + 1}"


def check_line(value: str, what: str) -> str:
    """`value` if it holds no control character; else BadInput (HTTP 422, exit 2) naming `what`."""
    return _checked(value, what, multiline=False)


def check_text(value: str, what: str) -> str:
    """`value` if it holds no control character but tab, line feed and carriage return."""
    return _checked(value, what, multiline=True)


def check_nested(value: Any, what: str) -> Any:
    """`value` if no key (one line) and no text (multi-line) inside its mappings and lists is refused."""
    problem = nested_problem(value, what)
    if problem is not None:
        raise BadInput(f"{problem}.", hint=HINT)
    return value


def _checked(value: str, what: str, *, multiline: bool) -> str:
    problem = control_character(value, multiline=multiline)
    if problem is not None:
        raise BadInput(f"{what} {problem}.", hint=HINT)
    return value


def nested_problem(value: Any, where: str = "") -> str | None:
    """What is wrong with the first refused key or text inside `value`, named by its path, or None."""
    pending: list[tuple[str, Any]] = [(where, value)]
    while pending:
        path, item = pending.pop()
        if isinstance(item, str):
            problem = control_character(item, multiline=True)
            if problem is not None:
                return f"{path or 'The text'} {problem}"
        elif isinstance(item, Mapping):
            for key, inner in item.items():
                problem = control_character(str(key))
                if problem is not None:
                    return f"A key{' of ' + path if path else ''} {problem}"
                pending.append((f"{path}.{key}" if path else str(key), inner))
        elif isinstance(item, list | tuple):
            pending.extend((f"{path}[{index}]", inner) for index, inner in enumerate(item))
    return None


def refuse_unstorable(parameters: Any) -> None:
    """BadInput if any text among a statement's parameters holds NUL or a lone surrogate."""
    pending = [parameters]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            match = _UNSTORABLE.search(item)
            if match is not None:
                raise BadInput(
                    f"A text value contains a character the store cannot keep (U+{ord(match.group()):04X}).",
                    hint=HINT,
                )
        elif isinstance(item, Mapping):
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
