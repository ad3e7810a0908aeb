"""Record the sandbox's legacy export bundles once, then serve them again from disk.

The sandbox generates every bundle's rows in Python as it is downloaded (a few thousand events per
second), which would make any client look as slow as the emulator. `sync_throughput.py` therefore
downloads the bundles once into a cache and measures the clients against this replay server, which
answers `export/list` and `export/get` from the cache with the sandbox's own bytes and passes every
other request (e.g. the connection test) through to the sandbox.

Run as `python bench/sync_replay.py CACHE_DIR UPSTREAM_URL`; it prints its URL on the first line.
"""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

PAGE = 20


def record(upstream: str, api_key: str, cache: Path) -> list[dict[str, int]]:
    """Download every bundle the sandbox lists into `cache` (skipped when already there)."""
    listing = cache / "list.json"
    if listing.exists():
        return list(json.loads(listing.read_text()))
    (cache / "bundles").mkdir(parents=True, exist_ok=True)
    headers = {"Authorization": f"Basic {api_key}"}
    bundles: list[dict[str, int]] = []
    with httpx.Client(base_url=upstream, headers=headers, timeout=600) as client:
        start = 0
        while True:
            page = client.get("/api/v1/export/list", params={"start": start}).json()["exports"]
            bundles += page
            if len(page) < PAGE:
                break
            start = page[-1]["Stop"]
        for number, bundle in enumerate(bundles, 1):
            target = cache / "bundles" / f"{bundle['Id']}.json.gz"
            with client.stream("GET", "/api/v1/export/get", params={"id": bundle["Id"]}) as rsp:
                rsp.raise_for_status()
                with target.open("wb") as out:
                    for chunk in rsp.iter_bytes(1 << 20):
                        out.write(chunk)
            print(f"  recorded bundle {number}/{len(bundles)}", file=sys.stderr, flush=True)
    listing.write_text(json.dumps(bundles))
    return bundles


class Replay(BaseHTTPRequestHandler):
    cache: Path
    upstream: str
    bundles: list[dict[str, int]]
    served = {"downloads": 0, "bytes": 0}
    lock = threading.Lock()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the benchmark prints its own figures."""

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path == "/api/v1/export/list":
            start = int(float(query.get("start", "0")))
            page = [b for b in self.bundles if b["Stop"] > start][:PAGE]
            self._send(200, json.dumps({"exports": page}).encode(), "application/json")
        elif parts.path == "/api/v1/export/get":
            body = (self.cache / "bundles" / f"{int(query['id'])}.json.gz").read_bytes()
            with self.lock:
                self.served["downloads"] += 1
                self.served["bytes"] += len(body)
            self._send(200, body, "application/gzip")
        elif parts.path == "/_replay/stats":
            with self.lock:
                self._send(200, json.dumps(self.served).encode(), "application/json")
        else:
            self._forward()

    def do_POST(self) -> None:
        self._forward()

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
        rsp = httpx.request(
            self.command, self.upstream + self.path, content=data, headers=headers, timeout=60
        )
        self._send(rsp.status_code, rsp.content, rsp.headers.get("Content-Type", "application/json"))


def serve(cache: Path, upstream: str) -> None:
    Replay.cache, Replay.upstream = cache, upstream.rstrip("/")
    Replay.bundles = json.loads((cache / "list.json").read_text())
    server = ThreadingHTTPServer(("127.0.0.1", 0), Replay)
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    serve(Path(sys.argv[1]), sys.argv[2])
