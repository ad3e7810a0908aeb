"""`from headwater import Headwater`: the same service, driven from Python."""

from __future__ import annotations

import subprocess
import sys

import pytest

from headwater import Headwater
from headwater.connections import os_user
from headwater.connectors.fullstory.actions.users import ListUsersInput
from headwater.errors import NotFound
from tests.connections.support import CREDS, FULLSTORY_URL, Sandboxes


def test_connect_run_and_request_from_python(sandbox: Sandboxes) -> None:
    with Headwater(transport=sandbox.fullstory.transport) as hw:
        hw.connect(
            "fullstory",
            "fs",
            credentials={"api_key": CREDS.fullstory_admin_key},
            settings={"base_url": FULLSTORY_URL},
        )
        fs = hw.connection("fs")
        page = fs.run("list-users", {"uid": "usr-000002"})
        assert [u.uid for u in page.users] == ["usr-000002"]  # type: ignore[attr-defined]
        typed = fs.run("list-users", ListUsersInput(), limit=2)
        assert len(typed.users) == 2  # type: ignore[attr-defined]
        assert fs.dry_run("delete-user", {"id": "1"})["method"] == "DELETE"
        assert fs.request("GET", "/v2/users", query={"uid": "usr-000002"}).status == 200
        assert hw.actions(intent="remove a person")[0].key == "delete-user"
        assert {a.provider for a in fs.actions()} == {"fullstory"}
        assert "fs" not in repr(hw) and CREDS.fullstory_admin_key not in repr(fs.info())
        with pytest.raises(NotFound):
            hw.connection("nope")
        assert hw.connections.history("fs")[0]["actor"] == os_user()


def test_importing_headwater_stays_light() -> None:
    code = "import sys, headwater; print('headwater.facade' in sys.modules, 'sqlalchemy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
