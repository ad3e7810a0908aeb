"""No secret in any page, API answer or log line: provider keys, the Slack webhook URL, API tokens,
passwords and the session signing key are looked for in everything the web face shows or logs."""

from __future__ import annotations

import logging
import re

import pytest
from pydantic import SecretStr

from headwater.jobs import EmbeddedWorker
from headwater.sandbox import SandboxServer
from headwater.workflows.slack import connect_slack
from tests.web.conftest import PASSWORD, Web
from tests.web.test_workflows import WORKFLOW

POSTING = WORKFLOW.replace(
    "steps:\n",
    'steps:\n  - id: post\n    uses: slack/post\n    connection: team\n    with:\n      text: "hello"\n',
)


def _secrets(web: Web, sandbox: SandboxServer) -> list[str]:
    creds = sandbox.credentials
    webhook_path = sandbox.slack_webhook_url.split("/services/", 1)[1]
    return [
        creds.fullstory_admin_key,
        creds.amplitude_api_key,
        creds.amplitude_secret_key,
        webhook_path,
        web.services.signing_key.get_secret_value(),
        PASSWORD,
        *web.tokens.values(),
    ]


def _pages(web: Web) -> list[str]:
    """Every page and API read there is, with the ids of what exists."""
    tickets = web.services.privacy.list_tickets()
    paths = [
        "/",
        "/tickets",
        "/connections",
        "/replication",
        "/workflows",
        "/jobs",
        "/users",
        "/api/docs",
        "/tickets/new",
        "/tickets/import",
        "/workflows/tally",
        "/replication/runs/1",
        "/workflows/runs/1",
    ]
    paths += [f"/tickets/{t['id']}" for t in tickets]
    api = [
        "/api/v1/me",
        "/api/v1/openapi.json",
        "/api/v1/connections",
        "/api/v1/actions",
        "/api/v1/tickets",
        "/api/v1/syncs",
        "/api/v1/syncs/1",
        "/api/v1/syncs/1/calls",
        "/api/v1/jobs",
        "/api/v1/users",
        "/api/v1/tokens",
        "/api/v1/workflows",
        "/api/v1/workflows/tally",
        "/api/v1/workflows/tally/runs",
        "/api/v1/workflow-runs/1",
    ]
    api += [
        f"/api/v1/connections/{name}{tail}" for name in ("fs", "amp", "team") for tail in ("", "/history")
    ]
    api += [f"/api/v1/tickets/{t['id']}{tail}" for t in tickets for tail in ("", "/audit")]
    api += [
        f"/api/v1/jobs/{job['id']}"
        for job in web.client.get("/api/v1/jobs", headers=web.auth("admin")).json()["items"]
    ]
    return paths + api


def test_no_secret_in_any_page_answer_or_log(
    connected: Web, sandbox: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    web = connected
    caplog.set_level(logging.DEBUG)
    connect_slack(
        web.services.connections, "team", SecretStr(sandbox.slack_webhook_url), test=False, actor="setup"
    )
    admin = web.auth("admin")
    web.client.post("/api/v1/workflows", json={"yaml": POSTING}, headers=admin)
    web.client.post("/api/v1/workflows/tally/runs", headers=admin)
    web.client.post("/api/v1/connections/fs/syncs", json={}, headers=admin)
    web.client.post(
        "/api/v1/tickets", json={"kind": "copy", "email": sandbox.world.person(3).email}, headers=admin
    )
    web.client.post("/api/v1/connections/amp/test", headers=admin)
    web.client.post("/api/v1/connections/fs/actions/list-users/dry-run", json={"input": {}}, headers=admin)
    web.drain()
    EmbeddedWorker(web.services.queue).run(once=True)
    browser = web.browser("admin")
    secrets = _secrets(web, sandbox)
    seen = 0
    for path in _pages(web):
        answer = browser.get(path) if not path.startswith("/api/") else web.client.get(path, headers=admin)
        assert answer.status_code == 200, (path, answer.status_code, answer.text[:200])
        shown = answer.text + str({k: v for k, v in answer.headers.items() if k != "set-cookie"})
        for secret in secrets:
            assert secret not in shown, (path, secret[:6])
        seen += 1
    assert seen > 30
    assert web.client.get("/api/v1/workflow-runs/1", headers=admin).json()["status"] == "succeeded"
    for secret in secrets:
        assert secret not in caplog.text
    assert not re.search(r"hwt_[A-Za-z0-9_-]{20,}", caplog.text)
