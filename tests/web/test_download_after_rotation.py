"""A running web service keeps working after another process rotated the master key."""

from __future__ import annotations

import io
import zipfile

from headwater.sandbox import SandboxServer
from tests.encrypted_values import headwater
from tests.web.conftest import Web

URL = "/api/v1/tickets"


def test_download_and_credentials_work_after_keys_rotate_in_another_process(
    connected: Web, sandbox: SandboxServer
) -> None:
    web, operator = connected, connected.auth("operator")
    ticket = web.client.post(
        URL, json={"kind": "copy", "email": sandbox.world.person(3).email}, headers=operator
    ).json()
    web.drain()

    rotated = headwater("keys", "rotate")

    assert rotated.returncode == 0, rotated.stderr
    package = web.client.get(f"{URL}/{ticket['id']}/package", headers=operator)
    assert package.status_code == 200, package.text
    assert "manifest.json" in zipfile.ZipFile(io.BytesIO(package.content)).namelist()
    # the credentials were re-encrypted under a key this process was not started with
    shown = web.client.get("/api/v1/connections/amp", headers=web.auth("viewer"))
    assert shown.status_code == 200, shown.text
    assert shown.json()["credentials"]["secret_key"].startswith("********")
    tested = web.client.post("/api/v1/connections/fs/test", headers=operator)
    assert tested.status_code == 200 and tested.json()["ok"] is True
