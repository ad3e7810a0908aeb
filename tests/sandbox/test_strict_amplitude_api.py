"""Strict mode, Amplitude's APIs: no Retry-After on 429s, the 360/hour lookup limit as a sliding hour,
DSAR downloads redirected to presigned storage on another origin, a bad key answered as observed, and only
the documented spellings; each beside the lenient default it replaces."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.sandbox.strict_support import CREDS, ORG, PROJECT, Running, basic, running

INVALID_KEY = {"code": 403, "message": "HTTP 403: Forbidden (Invalid API Key)", "status": "Forbidden"}
WRONG_PROJECT = basic(CREDS.amplitude_api_key, "not0the0secret0key0000000000000")
WRONG_ORG = basic(CREDS.amplitude_org_api_key, "not0the0org0secret0000000000000")
UNKNOWN = "no-such-user-00000"


def _lookup(sandbox: Running) -> httpx.Response:
    return sandbox.amp.get("/api/2/usersearch", params={"user": UNKNOWN}, headers=PROJECT)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# --- 429s and the user lookup limit -------------------------------------------------------------------


def test_strict_lookups_are_limited_to_360_in_any_sliding_hour_and_429_has_no_retry_after() -> None:
    with running(strict=True, rate_limits=True, users=2, events_per_user=10) as strict:
        amplitude_id = strict.world.person(0).amplitude_id
        activity = strict.amp.get("/api/2/useractivity", params={"user": amplitude_id}, headers=PROJECT)
        assert activity.status_code == 200  # user activity and user search share the limit
        for _ in range(199):
            assert _lookup(strict).status_code == 200
        strict.advance(seconds=30 * 60)
        for _ in range(160):
            assert _lookup(strict).status_code == 200
        refused = _lookup(strict)
        assert refused.status_code == 429 and "retry-after" not in refused.headers
        strict.advance(
            seconds=30 * 60 - 1
        )  # the first 200 calls are not quite an hour old: nothing came back
        assert _lookup(strict).status_code == 429
        strict.advance(seconds=1)
        assert _lookup(strict).status_code == 200


def test_lenient_lookups_refill_a_token_bucket_and_429_says_retry_after() -> None:
    with running(strict=False, rate_limits=True, users=2, events_per_user=10) as lenient:
        answers = (_lookup(lenient) for _ in range(400))
        refused = next(answer for answer in answers if answer.status_code != 200)
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1


@pytest.mark.parametrize("strict", [True, False], ids=["strict", "lenient"])
def test_an_injected_429_carries_retry_after_only_when_lenient(strict: bool) -> None:
    with running(strict=strict, users=2, events_per_user=10) as sandbox:
        assert sandbox.amp.post("/_sandbox/faults", json={"kind": "rate_burst"}).status_code == 200
        refused = _lookup(sandbox)
        assert refused.status_code == 429
        assert ("retry-after" in refused.headers) is not strict


# --- DSAR downloads ---------------------------------------------------------------------------------


def _finished_request(sandbox: Running) -> tuple[int, list[str]]:
    person = sandbox.world.person(0)
    body = {"userId": person.amplitude_user_id, "startDate": "2025-02-01", "endDate": "2025-03-31"}
    created = sandbox.amp.post("/api/2/dsar/requests", json=body, headers=ORG)
    assert created.status_code == 202, created.text
    sandbox.advance(days=1)
    status = sandbox.amp.get(f"/api/2/dsar/requests/{created.json()['requestId']}", headers=ORG).json()
    assert status["status"] == "done" and status["urls"]
    return person.amplitude_id, status["urls"]


def _rows(content: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in gzip.decompress(content).decode().splitlines()]


def test_strict_dsar_output_redirects_to_a_presigned_url_on_another_origin() -> None:
    with running(strict=True, users=3, events_per_user=60) as strict:
        amplitude_id, urls = _finished_request(strict)
        api = strict.server.amplitude_url
        assert all(url.startswith(f"{api}/api/2/dsar/requests/") for url in urls)
        answer = httpx.get(urls[0], headers=ORG, timeout=30)
        assert answer.status_code == 302 and answer.content == b""
        location = answer.headers["location"]
        assert _origin(location) != _origin(api)

        presigned = httpx.get(location, timeout=30)  # no credentials: the signature is the authority
        assert presigned.status_code == 200 and presigned.headers["content-type"] == "application/gzip"
        assert {row["amplitude_id"] for row in _rows(presigned.content)} == {amplitude_id}
        followed = httpx.get(urls[0], headers=ORG, follow_redirects=True, timeout=30)
        assert (
            followed.status_code == 200 and followed.content == presigned.content
        )  # auth dropped on the way

        with_credentials = httpx.get(location, headers=ORG, timeout=30)
        assert with_credentials.status_code == 400 and b"InvalidArgument" in with_credentials.content
        path_and_query = location[len(_origin(location)) :]
        assert httpx.get(api + path_and_query, timeout=30).status_code == 404  # not served by the API host
        tampered = location.replace("signature=", "signature=0")
        assert httpx.get(tampered, timeout=30).status_code == 403
        strict.advance(seconds=3600)
        expired = httpx.get(location, timeout=30)
        assert expired.status_code == 403 and b"Request has expired" in expired.content
        assert httpx.get(urls[0], headers=ORG, follow_redirects=True, timeout=30).status_code == 200


def test_lenient_dsar_output_is_served_directly() -> None:
    with running(strict=False, users=3, events_per_user=60) as lenient:
        amplitude_id, urls = _finished_request(lenient)
        answer = httpx.get(urls[0], headers=ORG, timeout=30)
        assert answer.status_code == 200 and answer.headers["content-type"] == "application/gzip"
        assert {row["amplitude_id"] for row in _rows(answer.content)} == {amplitude_id}


# --- a bad key --------------------------------------------------------------------------------------

BASIC_CALLS = [
    ("POST", "/api/2/deletions/users", {"json": {"user_ids": [UNKNOWN]}}, WRONG_PROJECT),
    ("GET", "/api/2/usersearch", {"params": {"user": UNKNOWN}}, WRONG_PROJECT),
    ("GET", "/api/2/export", {"params": {"start": "20250301T00", "end": "20250301T01"}}, WRONG_PROJECT),
    ("GET", "/api/2/dsar/requests/53360", {}, WRONG_ORG),
]


@pytest.mark.parametrize(("method", "path", "extra", "headers"), BASIC_CALLS, ids=lambda v: str(v)[:30])
def test_a_wrong_key_is_a_400_saying_403_when_strict_and_a_401_when_lenient(
    method: str, path: str, extra: dict[str, Any], headers: dict[str, str]
) -> None:
    with running(strict=True, users=2, events_per_user=10) as strict:
        answer = strict.amp.request(method, path, headers=headers, **extra)
        assert (answer.status_code, answer.json()) == (400, INVALID_KEY)
        assert strict.amp.request(method, path, **extra).status_code == 401  # no credentials at all
    with running(strict=False, users=2, events_per_user=10) as lenient:
        assert lenient.amp.request(method, path, headers=headers, **extra).status_code == 401


# --- documented spellings only ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def strict_amplitude() -> Iterator[Running]:
    with running(strict=True, users=4, events_per_user=10) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def lenient_amplitude() -> Iterator[Running]:
    with running(strict=False, users=4, events_per_user=10) as sandbox:
        yield sandbox


def _known(sandbox: Running) -> str:
    return sandbox.world.person(1).amplitude_user_id


def _amplitude_id(sandbox: Running) -> int:
    return sandbox.world.person(2).amplitude_id


# (name, how to call, strict status, lenient status)
SPELLINGS: list[tuple[str, Any, int, int]] = [
    (
        "form-encoded deletion",
        lambda s: s.amp.post(
            "/api/2/deletions/users",
            data={"user_ids": _known(s), "ignore_invalid_id": "true"},
            headers=PROJECT,
        ),
        400,
        200,
    ),
    (
        "plural ignore_invalid_ids",
        lambda s: s.amp.post(
            "/api/2/deletions/users",
            json={"user_ids": [_known(s), UNKNOWN], "ignore_invalid_ids": True},
            headers=PROJECT,
        ),
        200,
        200,
    ),
    (
        "capitalised True string",
        lambda s: s.amp.post(
            "/api/2/deletions/users",
            json={"user_ids": [_known(s), UNKNOWN], "ignore_invalid_id": "True"},
            headers=PROJECT,
        ),
        200,
        200,
    ),
    (
        "both spellings disagreeing",
        lambda s: s.amp.post(
            "/api/2/deletions/users",
            json={
                "user_ids": [_known(s), UNKNOWN],
                "ignore_invalid_id": "true",
                "ignore_invalid_ids": "false",
            },
            headers=PROJECT,
        ),
        400,
        200,
    ),
    (
        "undocumented boolean yes",
        lambda s: s.amp.post(
            "/api/2/deletions/users",
            json={"user_ids": [_known(s), UNKNOWN], "ignore_invalid_id": "yes"},
            headers=PROJECT,
        ),
        400,
        200,
    ),
    (
        "bare user id instead of an array",
        lambda s: s.amp.post("/api/2/deletions/users", json={"user_ids": _known(s)}, headers=PROJECT),
        400,
        200,
    ),
    (
        "amplitude ids as strings",
        lambda s: s.amp.post(
            "/api/2/deletions/users", json={"amplitude_ids": [str(_amplitude_id(s))]}, headers=PROJECT
        ),
        400,
        200,
    ),
    (
        "DSAR amplitudeId as a string",
        lambda s: s.amp.post(
            "/api/2/dsar/requests",
            json={"amplitudeId": str(_amplitude_id(s)), "startDate": "2025-03-01", "endDate": "2025-03-02"},
            headers=ORG,
        ),
        400,
        202,
    ),
    (
        "form-encoded DSAR request",
        lambda s: s.amp.post(
            "/api/2/dsar/requests",
            data={"userId": _known(s), "startDate": "2025-03-01", "endDate": "2025-03-02"},
            headers=ORG,
        ),
        400,
        202,
    ),
]


@pytest.mark.parametrize(
    ("call", "strict_status", "lenient_status"),
    [case[1:] for case in SPELLINGS],
    ids=[case[0] for case in SPELLINGS],
)
def test_strict_mode_accepts_only_documented_spellings(
    call: Any,
    strict_status: int,
    lenient_status: int,
    strict_amplitude: Running,
    lenient_amplitude: Running,
) -> None:
    strict_answer = call(strict_amplitude)
    assert strict_answer.status_code == strict_status, strict_answer.text
    lenient_answer = call(lenient_amplitude)
    assert lenient_answer.status_code == lenient_status, lenient_answer.text


def test_strict_mode_ignores_unknown_ids_under_either_documented_spelling(strict_amplitude: Running) -> None:
    for name in ("ignore_invalid_id", "ignore_invalid_ids"):
        body = {"user_ids": [_known(strict_amplitude), UNKNOWN], name: "true"}
        answer = strict_amplitude.amp.post("/api/2/deletions/users", json=body, headers=PROJECT)
        assert answer.status_code == 200, answer.text
        (job,) = answer.json()
        assert job["invalid_ids"] == [UNKNOWN]
    refused = strict_amplitude.amp.post(
        "/api/2/deletions/users", json={"user_ids": [_known(strict_amplitude), UNKNOWN]}, headers=PROJECT
    )
    assert refused.status_code == 400 and refused.json()["invalid_ids"] == [UNKNOWN]
