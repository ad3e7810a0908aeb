"""API tokens expire: a lifetime when created (or the admin's default), the expiry and the last use in
every list, and an expired token refused with a 401 that says when it expired."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from headwater.accounts.models import TokenRow
from headwater.cli.main import app as cli
from headwater.store import Database
from headwater.store.models import utcnow
from tests.web.conftest import Web

runner = CliRunner()


def _created(*args: str) -> dict[str, object]:
    made = runner.invoke(cli, ["tokens", "create", *args, "--json"])
    assert made.exit_code == 0, made.output
    data: dict[str, object] = json.loads(made.stdout)
    return data


def _in_days(value: object) -> float:
    assert isinstance(value, str)
    return (datetime.fromisoformat(value) - utcnow()) / timedelta(days=1)


def test_the_cli_gives_a_token_a_lifetime_and_lists_it(db: Database) -> None:
    made = _created("--name", "ci", "--role", "viewer", "--expires-in", "90d")
    assert 89.9 < _in_days(made["expires_at"]) <= 90 and made["expired"] is False
    assert _created("--name", "forever", "--role", "viewer")["expires_at"] is None
    for wrong in ("90", "ninety days", "0d", "99999w"):
        args = ["tokens", "create", "--name", "x", "--role", "viewer", "--expires-in", wrong]
        refused = runner.invoke(cli, args)
        assert refused.exit_code == 2 and "expires-in" in refused.output
    listed = {t["name"]: t for t in json.loads(runner.invoke(cli, ["tokens", "list", "--json"]).stdout)}
    assert listed["ci"]["expires_at"] == made["expires_at"] and listed["ci"]["last_used_at"] is None
    table = runner.invoke(cli, ["tokens", "list"]).output
    assert "expires" in table and str(made["expires_at"])[:10] in table


def test_an_admin_sets_the_default_lifetime(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEADWATER_TOKEN_DEFAULT_TTL", "30d")
    assert 29.9 < _in_days(_created("--name", "ci", "--role", "viewer")["expires_at"]) <= 30
    assert _created("--name", "kept", "--role", "viewer", "--expires-in", "never")["expires_at"] is None
    monkeypatch.setenv("HEADWATER_TOKEN_DEFAULT_TTL", "a month")
    broken = runner.invoke(cli, ["tokens", "create", "--name", "x", "--role", "viewer"])
    assert broken.exit_code == 2 and "HEADWATER_TOKEN_DEFAULT_TTL" in broken.output


def test_an_expired_token_is_refused_with_the_date_it_expired(web: Web) -> None:
    admin = web.auth("admin")
    made = web.client.post(
        "/api/v1/tokens", json={"name": "intake", "role": "operator", "expires_in": "12h"}, headers=admin
    )
    assert made.status_code == 201, made.text
    bearer = {"Authorization": f"Bearer {made.json()['token']}"}
    assert web.client.get("/api/v1/me", headers=bearer).status_code == 200
    listed = {t["name"]: t for t in web.client.get("/api/v1/tokens", headers=admin).json()}
    assert listed["intake"]["last_used_at"] is not None and listed["intake"]["expires_at"] is not None
    expired_at = utcnow() - timedelta(days=1)
    with web.services.db.session() as session:
        session.execute(update(TokenRow).where(TokenRow.name == "intake").values(expires_at=expired_at))
    refused = web.client.get("/api/v1/me", headers=bearer)
    problem = refused.json()
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"] == "Bearer"
    assert problem["code"] == "token_expired"
    assert problem["detail"] == f"The API token 'intake' expired on {expired_at:%Y-%m-%d %H:%M} UTC."
    assert web.client.post("/api/v1/connections/x/test", headers=bearer).status_code == 401
    listed = {t["name"]: t for t in web.client.get("/api/v1/tokens", headers=admin).json()}
    assert listed["intake"]["expired"] is True and listed["admin-token"]["expired"] is False
    wrong = web.client.get("/api/v1/me", headers={"Authorization": "Bearer hwt_mistyped"})
    assert wrong.status_code == 401 and wrong.json()["code"] == "unauthenticated"
    bad = web.client.post(
        "/api/v1/tokens", json={"name": "x", "role": "viewer", "expires_in": "soon"}, headers=admin
    )
    assert bad.status_code == 422 and "expires-in" in bad.json()["detail"]
