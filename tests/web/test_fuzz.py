"""Property-based calls over the whole API (schemathesis, from the OpenAPI document) with a valid admin
token: whatever the generated input, the server never answers 5xx and its answers match the document.

Bounded in time: a few examples per operation. Nothing may make the server call outside loopback, so the
operations whose input is or may hold an address are left out — a connection's base URL, a sync
destination, and workflow files with their runs (a step may post to any URL) — and the connections that
exist point at the sandbox on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance
from schemathesis.schemas import APIOperation

from headwater.config import Settings
from headwater.sandbox import SandboxOptions, SandboxServer, World
from headwater.store import Database
from headwater.web.app import create_app
from headwater.web.settings import load_web_settings
from tests.sandbox_connections import connect_sandbox

TOKEN_NAME = "fuzz-admin-3Vq8"  # a name the generator will not guess, so fuzzing cannot revoke it
EXAMPLES = {GenerationMode.POSITIVE: 10, GenerationMode.NEGATIVE: 6}  # per operation
LEFT_OUT = [
    ("POST", "/api/v1/connections"),
    ("POST", "/api/v1/connections/{name}/syncs"),
    ("POST", "/api/v1/workflows"),
    ("POST", "/api/v1/workflows/{name}/runs"),
]


@dataclass
class Target:
    app: FastAPI
    headers: dict[str, str]


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    home = tmp_path_factory.mktemp("fuzz-home")
    config = Settings(home=Path(home), database_url=f"sqlite:///{home / 'store.db'}")
    with SandboxServer(world=World(users=10), options=SandboxOptions(rate_limits=False)) as sandbox:
        db = Database.open(config)
        app = create_app(config, db=db, web_settings=load_web_settings())
        services = app.state.services
        connect_sandbox(services.connections, sandbox)
        services.privacy.create(kind="delete", email=sandbox.world.person(0).email, actor="setup")
        token = services.tokens.create(TOKEN_NAME, "admin", actor="setup")[1].get_secret_value()
        yield Target(app, {"Authorization": f"Bearer {token}"})
        db.dispose()


@pytest.fixture(scope="module")
def api_schema(target: Target) -> schemathesis.BaseSchema:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", target.app, headers=target.headers)
    for method, path in LEFT_OUT:
        schema = schema.exclude(method=method, path=path)
    return schema


def _fuzz(operation: APIOperation, mode: GenerationMode, headers: dict[str, str]) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
    )
    def run(case: schemathesis.Case) -> None:
        response = case.call(headers=headers)
        checks = [not_a_server_error]
        if mode is GenerationMode.POSITIVE:
            checks += [status_code_conformance, response_schema_conformance]
        case.validate_response(response, checks=checks)

    run()


def test_no_generated_input_breaks_the_server(api_schema: schemathesis.BaseSchema, target: Target) -> None:
    """Each operation in turn, with valid and with invalid input; every failure is listed at the end."""
    failures = []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        for mode in EXAMPLES:
            try:
                _fuzz(operation, mode, target.headers)
            except Unsatisfiable:
                continue  # nothing to get wrong: an operation without any input has no invalid input
            except (Exception, BaseExceptionGroup) as exc:
                failures.append(f"{operation.method.upper()} {operation.path} ({mode.value}): {exc}")
    assert not failures, "\n\n".join(failures)


def test_operations_taking_an_address_are_the_only_ones_left_out(api_schema: schemathesis.BaseSchema) -> None:
    fuzzed = {(result.ok().method.upper(), result.ok().path) for result in api_schema.get_all_operations()}
    assert not fuzzed & set(LEFT_OUT)
    assert len(fuzzed) >= 30
