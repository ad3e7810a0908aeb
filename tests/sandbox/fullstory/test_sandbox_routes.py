"""The /_sandbox routes (call log, clock, forced faults) and the per-key general rate limit."""

from __future__ import annotations

import gzip
import zlib

import pytest
from starlette.testclient import TestClient

from headwater.sandbox.common.faults import DroppedConnection
from headwater.sandbox.common.limits import BucketSpec
from headwater.sandbox.fullstory.state import DEFAULT_BUCKETS, GENERAL_BUCKET, LEGACY_DOWNLOAD_BUCKET
from tests.sandbox.fullstory.conftest import ADMIN, NOW, STANDARD, make_app


def test_call_log_records_every_call_but_not_its_own_routes(client: TestClient) -> None:
    client.get("/v2/users", params={"uid": "usr-000001"}, headers=ADMIN)
    client.delete("/v2/users", params={"uid": "usr-000001"}, headers=ADMIN)
    client.get("/v2/users")
    calls = client.get("/_sandbox/calls").json()["calls"]
    assert [(c["method"], c["path"], c["query"], c["status"]) for c in calls] == [
        ("GET", "/v2/users", "uid=usr-000001", 200),
        ("DELETE", "/v2/users", "uid=usr-000001", 200),
        ("GET", "/v2/users", "", 401),
    ]
    assert all(call["time"] for call in calls)
    deletions = [c for c in calls if c["method"] == "DELETE"]
    assert len(deletions) == 1


def test_call_log_filter_and_clear(client: TestClient) -> None:
    client.get("/segments/v1", headers=ADMIN)
    client.get("/operations/v1", headers=ADMIN)
    assert [
        c["path"] for c in client.get("/_sandbox/calls", params={"path": "/segments"}).json()["calls"]
    ] == ["/segments/v1"]
    client.delete("/_sandbox/calls")
    assert client.get("/_sandbox/calls").json() == {"calls": []}


def test_clock_routes(client: TestClient) -> None:
    assert client.get("/_sandbox/clock").json() == {"now": NOW.isoformat()}
    moved = client.post("/_sandbox/clock", json={"advance_days": 1, "advance_seconds": 30}).json()
    assert moved["now"] == "2024-03-11T12:00:30+00:00"


def test_general_rate_limit_answers_429_with_retry_after() -> None:
    app = make_app(rate_limits=True)
    app.state.sandbox.limiter.configure(GENERAL_BUCKET, BucketSpec(rate=0.5, burst=5))
    client = TestClient(app)
    statuses = [client.post("/v2/events", json={"name": "x"}, headers=STANDARD) for _ in range(8)]
    refused = [r for r in statuses if r.status_code == 429]
    assert [r.status_code for r in statuses[:5]] == [200] * 5 and len(refused) >= 2
    assert refused[0].headers["retry-after"].isdigit() and int(refused[0].headers["retry-after"]) >= 1
    assert refused[0].json() == {
        "message": "Too many requests. Client has exceeded the rate limit for this endpoint.",
        "code": "too_many_requests",
    }
    assert client.get("/v2/users", headers=ADMIN).status_code == 200  # limits are per key


def test_default_general_limit_is_generous() -> None:
    assert DEFAULT_BUCKETS[GENERAL_BUCKET] == BucketSpec(rate=50.0, burst=100.0)
    assert DEFAULT_BUCKETS[LEGACY_DOWNLOAD_BUCKET].burst == 2


def test_no_rate_limits_option() -> None:
    app = make_app(rate_limits=False)
    app.state.sandbox.limiter.configure(GENERAL_BUCKET, BucketSpec(rate=0.5, burst=2))
    client = TestClient(app)
    assert all(
        client.post("/v2/events", json={"name": "x"}, headers=STANDARD).status_code == 200 for _ in range(6)
    )


def test_forced_faults() -> None:
    client = TestClient(make_app(), raise_server_exceptions=True)
    assert client.post("/_sandbox/faults", json={"kind": "server_error"}).status_code == 200
    failed = client.get("/v2/users", headers=ADMIN)
    assert failed.status_code in (500, 503) and failed.json()["code"] == "server_error"
    client.post("/_sandbox/faults", json={"kind": "rate_burst"})
    burst = client.get("/v2/users", headers=ADMIN)
    assert burst.status_code == 429 and burst.headers["retry-after"] == "1"
    assert client.post("/_sandbox/faults", json={"kind": "bogus"}).status_code == 400
    client.post("/_sandbox/faults", json={"kind": "drop"})
    with pytest.raises(DroppedConnection):
        client.get("/v2/users", headers=ADMIN)
    assert client.get("/_sandbox/calls").json()["calls"][-1]["status"] == 0


def test_truncated_gzip_download() -> None:
    client = TestClient(make_app(users=30, events_per_user=300))
    bundle_id = client.get("/api/v1/export/list", headers=ADMIN).json()["exports"][2]["Id"]
    client.post("/_sandbox/faults", json={"kind": "truncate"})
    broken = client.get("/api/v1/export/get", params={"id": bundle_id}, headers=ADMIN)
    assert broken.status_code == 200
    with pytest.raises((EOFError, zlib.error)):
        gzip.decompress(broken.content)


def test_random_faults_happen_at_the_configured_rate() -> None:
    client = TestClient(make_app(fault_rate=0.5, seed=3), raise_server_exceptions=False)
    statuses = [client.get("/segments/v1", headers=ADMIN).status_code for _ in range(40)]
    assert 0 < statuses.count(200) < 40
    assert set(statuses) <= {200, 429, 500, 503}
