"""Flattening events into field paths while keeping, per path, the first N distinct non-empty values.

Paths: nested objects join with dots (`event_properties.plan`), list items add `[]` (`items[].sku`) and
a URL's query parameters become fields of their own (`PageUrl?email`), the URL itself keeping only its
address. FullStory's custom properties arrive as top-level keys (`user_phone_str`) and stay as they are.

Memory is bounded: at most `cap` values per path (values cut to 2,000 characters) and `max_fields`
paths. Once a path has its sample, later values cost one attribute check, which is what keeps a scan of
millions of events fast. First-N-distinct rather than a reservoir: no per-value hashing once full, and
the order of arrival (usually time) is as good a sample as any for telling what a field holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

DEFAULT_SAMPLE = 1000
DEFAULT_MAX_FIELDS = 10_000
MAX_STORED = 2000
_URL_PREFIXES = ("http://", "https://")


class _Node:
    __slots__ = ("children", "closed", "full", "listed", "path", "url_done", "urls", "values")

    def __init__(self, path: str) -> None:
        self.path = path
        self.children: dict[str, _Node] = {}
        self.values: dict[str, None] = {}  # insertion-ordered set
        self.full = False  # the sample of this path's own values is complete
        self.closed = False  # nothing more to learn here: later values are skipped unread
        self.listed = False
        self.urls: set[str] | None = None  # distinct URLs split so far, once the field held one
        self.url_done = False


class FieldSampler:
    """Feed it rows (`add`); read the samples (`fields`) when done."""

    def __init__(self, cap: int = DEFAULT_SAMPLE, *, max_fields: int = DEFAULT_MAX_FIELDS) -> None:
        if cap < 1:
            raise ValueError("the sample size must be at least 1")
        self.cap = cap
        self.url_cap = cap * 4
        self.max_fields = max_fields
        self.fields_dropped = 0
        self._root = _Node("")
        self._count = 0
        self._leaves: list[_Node] = []

    def add(self, row: dict[str, Any]) -> None:
        self._walk(row, self._root)

    def fields(self) -> Iterator[tuple[str, list[str]]]:
        """(path, sampled values) for every path that held a value, in order of first appearance."""
        for node in self._leaves:
            yield node.path, list(node.values)

    def __repr__(self) -> str:
        return f"FieldSampler(cap={self.cap}, fields={len(self._leaves)})"

    def _child(self, node: _Node, key: str, path: str) -> _Node | None:
        if self._count >= self.max_fields:
            self.fields_dropped += 1
            return None
        child = node.children[key] = _Node(path)
        self._count += 1
        return child

    def _walk(self, row: dict[str, Any], node: _Node) -> None:
        children = node.children
        for key, value in row.items():
            child = children.get(key)
            if child is None:
                child = self._child(node, key, f"{node.path}.{key}" if node.path else key)
                if child is None:
                    continue
            elif child.closed or value is None:
                continue
            elif value.__class__ is str and value in child.values:
                continue  # the common case: a value seen before, nothing to learn
            self._value(child, value)

    def _value(self, node: _Node, value: Any) -> None:
        kind = type(value)
        if kind is str:
            if value.startswith(_URL_PREFIXES) and "?" in value:
                self._url(node, value)
            elif not node.full:
                self._keep(node, value)
        elif kind is dict:
            self._walk(value, node)
        elif kind is list:
            items = node.children.get("[]") or self._child(node, "[]", node.path + "[]")
            if items is not None:
                for item in value:
                    self._value(items, item)
        elif value is not None and not node.full:
            self._keep(node, "true" if value is True else "false" if value is False else str(value))

    def _keep(self, node: _Node, text: str) -> None:
        values = node.values
        if text in values or not text.strip():
            return
        if not node.listed:
            node.listed = True
            self._leaves.append(node)
        values[text[:MAX_STORED]] = None
        if len(values) >= self.cap:
            node.full = True
            node.closed = node.urls is None or node.url_done

    def _url(self, node: _Node, url: str) -> None:
        if node.urls is None:
            node.urls = set()
            if not node.listed:
                node.listed = True
                self._leaves.append(node)
        if node.url_done or url in node.urls:
            return
        node.urls.add(url)
        if len(node.urls) >= self.url_cap:
            node.url_done = True
            node.closed = True  # URLs enough: a URL field's own values are a few addresses
        address, _, rest = url.partition("?")
        query, hash_mark, fragment = rest.partition("#")
        if not node.full:
            self._keep(node, address + hash_mark + fragment)
        for key, value in parse_qsl(query):
            child = node.children.get("?" + key) or self._child(node, "?" + key, f"{node.path}?{key}")
            if child is not None and not child.full:
                self._keep(child, value)
