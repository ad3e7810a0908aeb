"""FullStory's two pagination dialects, as generators that follow every page lazily.

v2 endpoints page with `page_token` / `next_page_token`; v1-family endpoints with `paginationToken` /
`nextPaginationToken`. The other parameters must stay the same on every page, so they are copied as is.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from headwater.http import HttpClient


def v2_items(http: HttpClient, path: str, params: Mapping[str, Any], key: str = "results") -> Iterator[Any]:
    query = {k: v for k, v in params.items() if v is not None}
    while True:
        body = http.request("GET", path, params=query).json()
        yield from body.get(key) or []
        token = body.get("next_page_token")
        if not token:
            return
        query["page_token"] = token


def v1_items(http: HttpClient, path: str, params: Mapping[str, Any], key: str) -> Iterator[Any]:
    query = {k: v for k, v in params.items() if v is not None}
    while True:
        body = http.request("GET", path, params=query).json()
        yield from body.get(key) or []
        token = body.get("nextPaginationToken") or body.get("next_pagination_token")
        if not token:
            return
        query["paginationToken"] = token
