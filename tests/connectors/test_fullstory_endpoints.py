"""The rest of FullStory's endpoints: v1 users, settings history, webhooks, session context and summaries."""

from __future__ import annotations

import pytest

from headwater.connectors.fullstory import FullStoryClient
from headwater.errors import NotFound, PermissionDenied
from headwater.sandbox import World

from .conftest import CREDS, FsFactory, finished_operation


def test_v1_users_and_the_operation_backed_delete(fs: FullStoryClient, world: World) -> None:
    person = world.person(6)
    individual = fs.users_v1.get(person.uid)
    assert (individual["email"], individual["uid"]) == (person.email, person.uid)
    assert int(individual["numSessions"]) > 0
    fs.users_v1.set_vars(person.uid, {"displayName": "Renamed", "pricingPlan_str": "gold"})
    assert fs.users.get(str(person.fs_user_id)).properties["pricingPlan"] == "gold"
    fs.users_v1.send_event(person.uid, {"event_name": "Upgraded", "event_data": {"plan_str": "gold"}})
    operation_id = fs.users_v1.delete(person.uid)
    assert fs.users_v1.get(person.uid)["existingOperation"]["id"] == operation_id
    operation = finished_operation(fs, operation_id)
    assert operation.type == "DELETE_USER" and operation.state == "COMPLETED"
    with pytest.raises(NotFound):
        fs.users_v1.get(person.uid)
    assert [op.id for op in fs.segments.list_operations(type="DELETE_USER")] == [operation_id]


def test_settings_and_their_history(fs: FullStoryClient, make_fs: FsFactory) -> None:
    assert "metadata" in fs.recording_settings.current("blocking")
    versions = list(fs.recording_settings.history("domain", platform="web", limit=1))
    assert len(versions) > 1 and all("metadata" in v for v in versions)
    standard = make_fs(CREDS.fullstory_standard_key)
    standard.recording_settings.current("geo")
    with pytest.raises(PermissionDenied):
        standard.recording_settings.current("privacy")


def test_webhook_endpoints(fs: FullStoryClient) -> None:
    assert fs.webhooks.event_types()
    created = fs.webhooks.create(
        "https://hooks.example.com/fs", [{"eventName": "recording.event.custom"}], "s3cret"
    )
    assert [e["id"] for e in fs.webhooks.endpoints()] == [created["id"]]
    assert fs.webhooks.update(created["id"], {"disabled": True})["enabled"] is False
    moved = fs.webhooks.update(created["id"], {"url": "https://hooks.example.com/v2"})
    assert moved["id"] != created["id"] and fs.webhooks.get(moved["id"])["url"].endswith("/v2")
    fs.webhooks.delete(moved["id"])
    assert fs.webhooks.endpoints() == []
    with pytest.raises(NotFound):
        fs.webhooks.get(moved["id"])


def test_session_context_summary_and_profiles(fs: FullStoryClient, world: World) -> None:
    person = world.person(9)
    [session] = fs.sessions.search(uid=person.uid, limit=1)
    context = fs.sessions.context(session.full_id(), options={"slice": {"mode": "FIRST", "event_limit": 2}})
    assert len(context["events"]) <= 2 and context["user"]["uid"] == person.uid
    fs.sessions.create_profile("short", {"pre_prompt": "Be brief"})
    assert fs.sessions.get_profile("short")["configuration"] == {"pre_prompt": "Be brief"}
    fs.sessions.update_profile("short", {"pre_prompt": "Be briefer"})
    assert [p["id"] for p in fs.sessions.profiles()["profiles"]] == ["short"]
    assert fs.sessions.summary(session.full_id(), config_profile="short")["summary"]
    fs.sessions.delete_profile("short")
    with pytest.raises(NotFound):
        fs.sessions.summary(session.full_id(), config_profile="short")


def test_user_pages(fs: FullStoryClient, world: World) -> None:
    lines = list(fs.legacy.user_pages(world.person(10).uid))
    assert lines and len(lines) % 2 == 0 and "PageId" in lines[0] and "Events" in lines[1]
