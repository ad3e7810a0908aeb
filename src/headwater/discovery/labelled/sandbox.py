"""The sandbox's exports as files, and its planted ground truth mapped to each provider's field paths.

`World.PLANTED_PII` names fields provider-neutrally (`user.phone`, `page_url?email`, `target_text`); each
emulator writes them under its own names (`user_phone_str` / `user_properties.phone`, `PageUrl?email` /
`event_properties.[Amplitude] Page URL?email`). Fields the World does not list hold no personal data,
except the provider columns that carry a person's identity by design (FullStory's `UserEmail`,
Amplitude's `user_id`, which the World sets to the email).
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, Literal

Provider = Literal["fullstory", "amplitude"]

_FULLSTORY_NAMES = {
    "user.email": "UserEmail",
    "user.display_name": "UserDisplayName",
    "target_text": "EventTargetText",
    "ip": "PageIp",
}
_AMPLITUDE_NAMES = {
    "target_text": "event_properties.[Amplitude] Element Text",
    "ip": "ip_address",
}
_FULLSTORY_URLS = {"page_url": "PageUrl", "referrer": "PageRefererUrl"}
_AMPLITUDE_URLS = {
    "page_url": "event_properties.[Amplitude] Page URL",
    "referrer": "event_properties.referrer",
}
_IDENTITY_COLUMNS: dict[Provider, dict[str, frozenset[str]]] = {
    "fullstory": {},
    "amplitude": {"user_id": frozenset({"email"})},
}


def world(events: int, *, seed: int = 1, events_per_user: int = 200) -> Any:
    """A World with about `events` events (the sandbox's default shape: 200 events per person)."""
    from headwater.sandbox import World

    return World(seed=seed, users=max(1, events // events_per_user), events_per_user=events_per_user)


def fullstory_rows(source: Any) -> Iterator[dict[str, Any]]:
    """The FullStory emulator's event export rows for the whole World (flat memory)."""
    from headwater.sandbox import SandboxClock, SandboxCredentials, SandboxOptions
    from headwater.sandbox.fullstory.state import FullStoryState
    from headwater.sandbox.fullstory.stream import Window, event_rows

    options = SandboxOptions(rate_limits=False)
    state = FullStoryState(source, SandboxClock(source.end), SandboxCredentials(), options)
    yield from event_rows(state, Window(source.start, source.end))


def amplitude_lines(source: Any) -> Iterator[str]:
    """The Amplitude emulator's export NDJSON lines for the whole World."""
    from headwater.sandbox import SandboxClock, SandboxCredentials, SandboxOptions
    from headwater.sandbox.amplitude.state import build_state

    clock = SandboxClock(source.end)
    state = build_state(source, clock, SandboxCredentials(), SandboxOptions(rate_limits=False))
    for _hour, line in state.store.lines_uploaded(source.start, source.end, clock.now()):
        yield line


def write_fullstory(path: Path, source: Any, *, compress: bool = True, ndjson: bool = False) -> int:
    """A FullStory export file (JSON array by default, as bundles are); returns the number of rows."""
    from headwater.sandbox.fullstory import encoding

    counted = _Counter(fullstory_rows(source))
    chunks = encoding.ndjson(counted) if ndjson else encoding.json_array(counted)
    with _open(path, compress) as handle:
        for chunk in chunks:
            handle.write(chunk)
    return counted.count


def write_amplitude(path: Path, source: Any, *, compress: bool = True) -> int:
    """An Amplitude export part: NDJSON, one event per line; returns the number of rows."""
    count = 0
    with _open(path, compress) as handle:
        for line in amplitude_lines(source):
            handle.write(line.encode() + b"\n")
            count += 1
    return count


def truth(provider: Provider, paths: Iterable[str]) -> dict[str, frozenset[str]]:
    """For every observed field path: the personal-data types the sandbox planted there (often none)."""
    from headwater.sandbox import World

    planted: dict[str, frozenset[str]] = {}
    for neutral, types in _with_referrers(World.PLANTED_PII).items():
        pattern = _provider_pattern(provider, neutral)
        planted[pattern] = planted.get(pattern, frozenset()) | types
    compiled = [(re.compile(pattern), types) for pattern, types in planted.items()]
    identity = _IDENTITY_COLUMNS[provider]
    labelled: dict[str, frozenset[str]] = {}
    for path in paths:
        types = identity.get(path, frozenset())
        for regex, planted_types in compiled:
            if regex.fullmatch(path):
                types = types | planted_types
        labelled[path] = types
    return labelled


def _with_referrers(planted: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    """A page's referrer is the previous page's URL, so its query parameters hold what page URLs hold."""
    mirrored = dict(planted)
    for neutral, types in planted.items():
        if neutral.startswith("page_url?"):
            twin = "referrer?" + neutral.partition("?")[2]
            mirrored[twin] = mirrored.get(twin, frozenset()) | types
    return mirrored


def _provider_pattern(provider: Provider, neutral: str) -> str:
    names = _FULLSTORY_NAMES if provider == "fullstory" else _AMPLITUDE_NAMES
    if neutral in names:
        return re.escape(names[neutral])
    if "?" in neutral:
        field, _, parameter = neutral.partition("?")
        urls = _FULLSTORY_URLS if provider == "fullstory" else _AMPLITUDE_URLS
        return re.escape(f"{urls[field]}?{parameter}")
    scope, _, name = neutral.partition(".")
    if provider == "fullstory":
        prefix = "user" if scope == "user" else "evt"
        return re.escape(f"{prefix}_{name}_") + "[a-z]+"  # FullStory's type suffix: _str, _date ...
    return re.escape(f"{'user' if scope == 'user' else 'event'}_properties.{name}")


class _Counter:
    def __init__(self, rows: Iterator[dict[str, Any]]) -> None:
        self._rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for row in self._rows:
            self.count += 1
            yield row


def _open(path: Path, compress: bool) -> IO[bytes]:
    path.parent.mkdir(parents=True, exist_ok=True)
    if compress:
        return gzip.GzipFile(path, "wb", compresslevel=3)  # type: ignore[return-value]
    return path.open("wb")
