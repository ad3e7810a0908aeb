"""v1 Users: get by uid (camelCase, int64 as string), delete as an operation, customvars, customevent."""

from __future__ import annotations

from starlette.testclient import TestClient

from headwater.sandbox.fullstory.state import FullStoryState
from tests.sandbox.fullstory.conftest import ADMIN, STANDARD


def test_get_individual_is_camel_case_with_string_counts(client: TestClient, state: FullStoryState) -> None:
    person = state.world.person(0)
    body = client.get(f"/users/v1/individual/{person.uid}", headers=ADMIN).json()
    assert body["uid"] == person.uid and body["displayName"] == person.display_name
    assert body["numSessions"] == str(len(state.world.sessions(0)))
    assert body["firstSeen"].endswith("Z") and body["lastSeen"] >= body["firstSeen"]
    assert body["customVars"]["plan_str"] == person.properties["plan"]


def test_unknown_individual_is_404(client: TestClient) -> None:
    assert client.get("/users/v1/individual/nobody", headers=ADMIN).status_code == 404


def test_delete_individual_returns_operation_that_completes(client: TestClient) -> None:
    operation_id = client.delete("/users/v1/individual/usr-000006", headers=ADMIN).json()["id"]
    again = client.delete("/users/v1/individual/usr-000006", headers=ADMIN).json()["id"]
    assert again == operation_id
    pending = client.get("/users/v1/individual/usr-000006", headers=ADMIN).json()
    assert pending["existingOperation"]["type"] == "DELETE_USER"
    states = [client.get(f"/operations/v1/{operation_id}", headers=ADMIN).json()["state"] for _ in range(2)]
    assert states == ["PENDING", "COMPLETED"]
    assert client.get("/users/v1/individual/usr-000006", headers=ADMIN).status_code == 404
    assert client.get("/sessions/v2", params={"uid": "usr-000006"}, headers=ADMIN).json() == {"sessions": []}


def test_customvars_strip_type_suffixes(client: TestClient, state: FullStoryState) -> None:
    body = {"displayName": "Daniel Falko", "pricingPlan_str": "free", "popupHelp_bool": True}
    assert client.post("/users/v1/individual/usr-000001/customvars", json=body, headers=STANDARD).json() == {}
    record = state.users.by_uid("usr-000001")
    assert record is not None and record.display_name == "Daniel Falko"
    assert record.properties["pricingPlan"] == "free" and record.properties["popupHelp"] is True


def test_customvars_for_unknown_user_is_404(client: TestClient) -> None:
    response = client.post("/users/v1/individual/ghost/customvars", json={"x_str": "y"}, headers=STANDARD)
    assert response.status_code == 404


def test_customevent_is_stored(client: TestClient, state: FullStoryState) -> None:
    body = {
        "event": {
            "event_name": "Support Ticket",
            "event_data": {"id_int": 4},
            "timestamp": "2024-03-05T10:00:00Z",
        }
    }
    assert (
        client.post("/users/v1/individual/usr-000001/customevent", json=body, headers=STANDARD).json() == {}
    )
    record = state.users.by_uid("usr-000001")
    assert record is not None
    stored = state.ingested.for_user(record.id)
    assert [(e.name, e.properties) for e in stored] == [("Support Ticket", {"id": 4})]
