"""Users and API tokens, through the CLI and the API: hashed, audited, the last admin kept."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from headwater.accounts.models import TokenRow, UserRow
from headwater.cli.main import app as cli
from headwater.store import Database, audit
from tests.web.conftest import Web

runner = CliRunner()


def test_users_from_the_cli(db: Database) -> None:
    added = runner.invoke(
        cli, ["users", "add", "Ann@Example.com", "--role", "admin"], input="a long enough password\n"
    )
    assert added.exit_code == 0, added.output
    assert "Added ann@example.com as admin." in added.output
    with db.session() as session:
        row = session.scalars(select(UserRow)).one()
        assert row.password_hash.startswith("$argon2id$") and "a long enough" not in row.password_hash
    twice = runner.invoke(cli, ["users", "add", "ann@example.com"], input="a long enough password\n")
    assert twice.exit_code == 2 and "already exists" in twice.output
    short = runner.invoke(cli, ["users", "add", "bo@example.com"], input="short\n")
    assert short.exit_code == 2 and "at least 10 characters" in short.output
    assert (
        runner.invoke(
            cli, ["users", "add", "bo@example.com", "--role", "viewer"], input="another password\n"
        ).exit_code
        == 0
    )
    listed = json.loads(runner.invoke(cli, ["users", "list", "--json"]).output)
    assert [(u["email"], u["role"]) for u in listed] == [
        ("ann@example.com", "admin"),
        ("bo@example.com", "viewer"),
    ]
    last = runner.invoke(cli, ["users", "set-role", "ann@example.com", "viewer"])
    assert last.exit_code == 2 and "only admin" in last.output
    assert runner.invoke(cli, ["users", "remove", "ann@example.com"]).exit_code == 2
    assert runner.invoke(cli, ["users", "set-role", "bo@example.com", "admin"]).exit_code == 0
    assert runner.invoke(cli, ["users", "remove", "ann@example.com"]).exit_code == 0
    assert runner.invoke(cli, ["users", "remove", "nobody@example.com"]).exit_code == 3
    with db.session() as session:
        actions = [r.action for r in audit.trail(session, "user", "ann@example.com")]
    assert actions == ["user.added", "user.removed"]


def test_tokens_are_printed_once_and_stored_as_a_digest(db: Database) -> None:
    made = runner.invoke(cli, ["tokens", "create", "--name", "ci", "--role", "operator"])
    assert made.exit_code == 0, made.output
    token = next(line for line in made.stdout.splitlines() if line.startswith("hwt_"))
    with db.session() as session:
        row = session.scalars(select(TokenRow)).one()
        assert row.digest == hashlib.sha256(token.encode()).hexdigest() and token not in (
            row.prefix + row.digest
        )
    listed = runner.invoke(cli, ["tokens", "list"])
    assert "ci" in listed.output and token not in listed.output
    assert runner.invoke(cli, ["tokens", "create", "--name", "ci", "--role", "viewer"]).exit_code == 2
    assert runner.invoke(cli, ["tokens", "create", "--name", "x", "--role", "root"]).exit_code == 2
    assert runner.invoke(cli, ["tokens", "revoke", "ci"]).exit_code == 0
    assert runner.invoke(cli, ["tokens", "revoke", "ci"]).exit_code == 3


def test_admins_manage_users_and_tokens_over_the_api(web: Web) -> None:
    admin = web.auth("admin")
    made = web.client.post(
        "/api/v1/users",
        json={"email": "cy@example.com", "password": "long password!", "role": "viewer"},
        headers=admin,
    )
    assert made.status_code == 201 and made.json()["role"] == "viewer" and "password" not in made.json()
    assert (
        web.client.put("/api/v1/users/cy@example.com/role", json={"role": "operator"}, headers=admin).json()[
            "role"
        ]
        == "operator"
    )
    bad = web.client.put("/api/v1/users/cy@example.com/role", json={"role": "root"}, headers=admin)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "role"
    assert web.client.delete("/api/v1/users/cy@example.com", headers=admin).status_code == 204
    token = web.client.post(
        "/api/v1/tokens", json={"name": "intake", "role": "operator"}, headers=admin
    ).json()
    assert token["token"].startswith("hwt_")
    me = web.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token['token']}"}).json()
    assert me == {"kind": "token", "name": "intake", "role": "operator"}
    listed = web.client.get("/api/v1/tokens", headers=admin).json()
    assert "token" not in listed[0] and {t["name"] for t in listed} >= {"intake"}
    assert web.client.delete("/api/v1/tokens/intake", headers=admin).status_code == 204
    with web.services.db.session() as session:
        trail = audit.trail(session, "token", "intake")
    assert [(e.actor, e.action) for e in trail] == [
        ("token:admin-token", "token.created"),
        ("token:admin-token", "token.revoked"),
    ]


def test_a_password_with_a_lone_surrogate_is_bad_input_not_a_crash(web: Web, tmp_path: Path) -> None:
    body = {"email": "eve@example.com", "password": "Passw0rd-long-\ud800-x", "role": "viewer"}
    raw = json.dumps(body)  # the JSON escape `\ud800`, as an attacker's client sends it
    headers = {**web.auth("admin"), "Content-Type": "application/json"}
    answer = web.client.post("/api/v1/users", content=raw, headers=headers)
    assert answer.status_code == 422, answer.text
    assert "not valid Unicode text" in answer.json()["detail"] and "Passw0rd" not in answer.text
    added = subprocess.run(
        [sys.executable, "-m", "headwater", "users", "add", "eve@example.com"],
        input=b"Passw0rd-long-\xff-x\n",  # not UTF-8: read as a lone surrogate
        capture_output=True,
        env={**os.environ, "HEADWATER_HOME": str(tmp_path)},  # the store: HEADWATER_DATABASE_URL
        timeout=120,
    )
    assert added.returncode == 2, added.stderr
    assert b"not valid Unicode text" in added.stderr and b"Traceback" not in added.stderr
