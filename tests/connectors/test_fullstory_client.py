"""The FullStory client against the emulator: wire format, auth, errors, retries and limits."""

from __future__ import annotations

import pytest

from headwater.connectors.fullstory import FullStoryClient, FullStorySettings
from headwater.connectors.fullstory.client import hints
from headwater.errors import (
    AuthError,
    BadInput,
    BadRequest,
    NotFound,
    PermissionDenied,
    ProviderError,
    ProviderUnavailable,
)
from headwater.sandbox import World

from .conftest import CREDS, FsFactory, Sandbox, VirtualTime, finished_operation


def test_users_round_trip(fs: FullStoryClient) -> None:
    user_id = fs.users.create(
        {"uid": "hw-new-1", "email": "new.one@example.org", "properties": {"plan": "pro"}}
    )
    fs.users.update(user_id, {"display_name": "New One", "properties": {"seats": 3}})
    user = fs.users.get(user_id, include_schema=True)
    assert (user.uid, user.display_name, user.email) == ("hw-new-1", "New One", "new.one@example.org")
    assert user.properties == {"plan": "pro", "seats": 3}
    assert user.type_schema is not None and user.type_schema["properties"]["seats"] == "int"
    assert [u.id for u in fs.users.list(uid="hw-new-1")] == [user_id]
    fs.users.delete_by_uid("hw-new-1")
    assert fs.users.get(user_id).is_being_deleted


def test_listing_follows_every_page(fs: FullStoryClient, world: World) -> None:
    for number in range(130):  # the emulator pages 100 users at a time
        fs.users.create({"uid": f"bulk-{number:03d}"})
    users = list(fs.users.list())
    assert len(users) == world.users + 130
    assert len({u.id for u in users}) == len(users)


def test_a_wrong_key_is_an_auth_error_naming_the_region(make_fs: FsFactory) -> None:
    # the in-process transport serves any host, so the real NA host is used here
    client = make_fs("eu1.not-a-real-key", region="na", base_url=None)
    with pytest.raises(AuthError) as caught:
        next(client.users.list())
    assert "region=eu" in str(caught.value)
    assert "not-a-real-key" not in str(caught.value)


def test_region_hint_only_when_the_prefix_disagrees() -> None:
    assert "region=eu" in hints("eu1.abc", FullStorySettings(region="na"))[401]
    assert "region=" not in hints("eu1.abc", FullStorySettings())[401].split("(now")[0]
    assert FullStorySettings().api_url("eu1.abc") == "https://api.eu1.fullstory.com"
    assert FullStorySettings().api_url("na1.abc") == "https://api.fullstory.com"
    assert FullStorySettings(base_url="http://x/").api_url("eu1.abc") == "http://x"


def test_a_standard_key_cannot_read_users(make_fs: FsFactory) -> None:
    client = make_fs(CREDS.fullstory_standard_key)
    client.users.create({"uid": "standard-can-write"})  # writes work with a Standard key
    with pytest.raises(PermissionDenied) as caught:
        client.users.get("1")
    assert "Admin or Architect" in str(caught.value)


def test_unknown_user_is_not_found(fs: FullStoryClient) -> None:
    with pytest.raises(NotFound):
        fs.users.get("424242")
    with pytest.raises(NotFound):
        fs.users.delete("424242")


def test_invalid_input_is_a_bad_request(fs: FullStoryClient) -> None:
    with pytest.raises(BadRequest) as caught:
        fs.users.create({"uid": "bad-props", "properties": {"1nope": True}})
    assert "property name" in str(caught.value)
    with pytest.raises(BadInput):
        fs.sessions.events("no-colon")
    with pytest.raises(BadInput):
        fs.sessions.search()


def test_a_429_is_waited_out_as_retry_after_says(
    fs: FullStoryClient, fs_sandbox: Sandbox, vtime: VirtualTime
) -> None:
    fs_sandbox.force_fault("rate_burst")  # a burst: this request and the next two get a 429
    assert list(fs.segments.list())
    assert vtime.sleeps == [1.0, 1.0, 1.0]
    statuses = [call["status"] for call in fs_sandbox.calls("/segments/v1")]
    assert statuses == [429, 429, 429, 200]


def test_server_errors_are_retried_then_reported(fs: FullStoryClient, fs_sandbox: Sandbox) -> None:
    fs_sandbox.force_fault("server_error", 1)
    fs.segments.first_operation_page()
    fs_sandbox.force_fault("server_error", 10)
    with pytest.raises(ProviderUnavailable):
        fs.segments.first_operation_page()


def test_bundle_downloads_are_paced_at_two_a_minute(
    fs: FullStoryClient, fs_sandbox: Sandbox, vtime: VirtualTime, world: World
) -> None:
    bundles = list(fs.legacy.bundles())
    assert len(bundles) >= 3
    moment = world.sessions(1)[-1].start.timestamp()
    known = next(b for b in bundles if b.Start <= moment < b.Stop)  # holds events
    chosen = [known, *(b for b in bundles if b != known)][:3]
    rows = [row for bundle in chosen for row in fs.legacy.download(bundle.Id)]
    assert rows and all("EventStart" in row for row in rows)
    statuses = [call["status"] for call in fs_sandbox.calls("/api/v1/export/get")]
    assert statuses == [200, 200, 200]  # the client waited its turn: no 429 at all
    assert sum(vtime.sleeps) >= 29


def test_repr_and_errors_never_show_the_key(make_fs: FsFactory) -> None:
    client = make_fs("na1.secret-value-123")
    assert "secret-value-123" not in repr(client)
    with pytest.raises(AuthError) as caught:
        client.segments.first_operation_page()
    assert "secret-value-123" not in str(caught.value)


def test_a_cut_export_download_is_reported(fs: FullStoryClient, fs_sandbox: Sandbox) -> None:
    operation_id = fs.segments.create_export("everyone")
    operation = finished_operation(fs, operation_id)
    location = fs.segments.export_location(str(operation.results["searchExportId"]))
    fs_sandbox.force_fault("truncate")
    with pytest.raises(ProviderError, match="download again"):
        list(fs.segments.download(location.location))
    assert list(fs.segments.download(location.location))  # the link still works afterwards
