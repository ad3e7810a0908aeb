"""Auth contract: raw key after ``Basic``, 401 and 403 in the v2 error shape, Standard vs Admin."""

from __future__ import annotations

import base64

import pytest
from starlette.testclient import TestClient

from tests.sandbox.fullstory.conftest import ADMIN, KEYS, STANDARD, make_app

ADMIN_ONLY = [
    ("GET", "/v2/users"),
    ("GET", "/v2/users/1"),
    ("DELETE", "/v2/users/1"),
    ("DELETE", "/v2/users?uid=usr-000001"),
    ("GET", "/sessions/v2?uid=usr-000001"),
    ("GET", "/v2/sessions/1%3A2/events"),
    ("GET", "/segments/v1"),
    ("POST", "/segments/v1/exports"),
    ("GET", "/operations/v1"),
    ("GET", "/operations/v1/abc"),
    ("GET", "/search/v1/exports/abc/results"),
    ("GET", "/api/v1/export/list?start=0"),
    ("GET", "/api/v1/export/get?id=1"),
    ("GET", "/api/v1/export/userEvents?uid=usr-000001"),
    ("GET", "/users/v1/individual/usr-000001"),
    ("DELETE", "/users/v1/individual/usr-000001"),
    ("GET", "/settings/recording/v1/privacy"),
]


def test_missing_header_is_401_with_v2_error_shape(client: TestClient) -> None:
    response = client.get("/v2/users")
    assert response.status_code == 401
    assert response.json() == {"message": "access is unauthorized", "code": "unauthorized"}


@pytest.mark.parametrize(
    "header",
    [
        "Basic na1.not-a-real-key",
        f"Basic {base64.b64encode((KEYS.fullstory_admin_key + ':').encode()).decode()}",
        KEYS.fullstory_admin_key,
        "Basic ",
        f"Token {KEYS.fullstory_admin_key}",
    ],
)
def test_unknown_or_malformed_keys_are_401(client: TestClient, header: str) -> None:
    response = client.get("/v2/users", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_raw_key_after_basic_is_accepted(client: TestClient) -> None:
    assert client.get("/v2/users", headers=ADMIN).status_code == 200


def test_bearer_is_refused_unless_turned_on() -> None:
    bearer = {"Authorization": f"Bearer {KEYS.fullstory_admin_key}"}
    assert TestClient(make_app()).get("/v2/users", headers=bearer).status_code == 401
    assert TestClient(make_app(accept_bearer=True)).get("/v2/users", headers=bearer).status_code == 200


@pytest.mark.parametrize(("method", "path"), ADMIN_ONLY)
def test_standard_key_cannot_view_or_delete(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path, headers=STANDARD)
    assert response.status_code == 403
    assert response.json() == {"message": "insufficient permissions", "code": "forbidden"}


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v2/users", {"uid": "std-1"}),
        ("/v2/events", {"name": "Signed Up", "user": {"uid": "std-2"}}),
        ("/v2/users/batch", {"requests": [{"uid": "std-3"}]}),
        ("/v2/events/batch", {"requests": [{"name": "Imported"}]}),
        ("/v2/annotations", {"text": "Release 4.2"}),
        ("/users/v1/individual/usr-000001/customvars", {"plan_str": "pro"}),
    ],
)
def test_standard_key_can_create_and_update(client: TestClient, path: str, body: dict[str, object]) -> None:
    assert client.post(path, json=body, headers=STANDARD).status_code == 200


def test_standard_key_reads_batch_status(client: TestClient) -> None:
    job = client.post("/v2/users/batch", json={"requests": [{"uid": "s"}]}, headers=STANDARD).json()["job"]
    assert client.get(f"/v2/users/batch/{job['id']}", headers=STANDARD).status_code == 200
