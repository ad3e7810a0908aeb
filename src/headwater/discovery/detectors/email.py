"""Email addresses, whole or inside text; `logo@2x.png` and `pkg@1.2.3` are not addresses."""

from __future__ import annotations

import re
from urllib.parse import unquote

from headwater.discovery.hints import Hints
from headwater.discovery.types import Hit

_EMAIL = re.compile(
    r"(?<![\w.%+-])([A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?)"
    r"@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+([A-Za-z]{2,24}))(?![\w-])"
)
#: asset names such as `icon@2x.png` look like addresses to a regex
_FILE_SUFFIXES = frozenset(
    {"png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "js", "css", "json", "html", "map"}
)


def detect(text: str, digits: int, hints: Hints) -> Hit | None:
    if "@" not in text:
        if "%40" not in text:
            return None
        text = unquote(text)
    for match in _EMAIL.finditer(text):
        local, tld = match.group(1), match.group(3).lower()
        if ".." in local or tld in _FILE_SUFFIXES:
            continue
        return Hit(1.0 if hints.has("email") else 0.95, match.group(0))
    return None
