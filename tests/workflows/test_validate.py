"""Checking workflow files: every problem reported with its line, against the published JSON Schema,
the action catalogue, the connections, cron and the templates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
import yaml
from click.testing import CliRunner

from headwater.cli.main import app
from headwater.store import Database
from headwater.workflows import schema
from headwater.workflows.recipes import session_digest
from headwater.workflows.validate import check_text

CONNECTIONS = {"fs": "fullstory", "amp": "amplitude", "team": "slack"}
GOOD = """\
name: good
on:
  manual: true
inputs:
  emails: {type: list, default: [a@example.com]}
steps:
  - id: users
    uses: fullstory/list-users
    connection: fs
    for-each: "{{ inputs.emails }}"
    with: {email: "{{ item }}"}
  - id: post
    uses: slack/post
    connection: team
    if: steps.users.output | length > 0
    with: {text: "{{ steps.users.output | length }} lists"}
"""


def problems(text: str) -> list[str]:
    return [problem.render("f.yaml") for problem in check_text(text, CONNECTIONS).problems]


def test_a_good_file_has_no_problems() -> None:
    checked = check_text(GOOD, CONNECTIONS)
    assert checked.valid and checked.workflow is not None and checked.workflow.name == "good"


def test_invalid_yaml_is_reported_with_its_line() -> None:
    assert problems("name: x\non:\n  manual: true\nsteps:\n  - id: a\n    uses: [fail\n") == [
        "f.yaml:7: Invalid YAML: while parsing a flow sequence expected ',' or ']', but got '<stream end>'."
    ]
    assert problems("name: x\nname: y\n") == ["f.yaml:2: name: This key is given twice."]
    assert problems("") == ["f.yaml:1: The file is empty; a workflow needs name, on and steps."]


def test_unknown_actions_and_connections_are_reported_with_their_lines() -> None:
    text = GOOD.replace("fullstory/list-users", "fullstory/list-user").replace(
        "connection: team", "connection: fs"
    )
    assert problems(text) == [
        "f.yaml:8: steps[0].uses: unknown action: fullstory has no action 'list-user'. Did you mean "
        "list-users, get-user, delete-user? See `headwater actions list --provider fullstory`.",
        "f.yaml:14: steps[1].connection: 'fs' is a fullstory connection; slack/post needs slack",
    ]
    assert problems(GOOD.replace("connection: fs", "connection: prod")) == [
        "f.yaml:9: steps[0].connection: no connection named 'prod' (known: amp, fs, team)"
    ]
    assert problems(GOOD.replace("slack/post", "slack/post-message"))[0].endswith(
        "slack/post is the built-in step that posts to Slack."
    )


def test_inputs_are_checked_against_the_action_schema_unless_templated() -> None:
    text = GOOD.replace("list-users", "list-sessions").replace(
        'with: {email: "{{ item }}"}', 'with: {email: "{{ item }}", limit: many, colour: red}'
    )
    assert problems(text) == [
        "f.yaml:11: steps[0].with.colour: unknown input; fullstory/list-sessions takes created_after, "
        "created_before, email, limit, uid",
        "f.yaml:11: steps[0].with.limit: Input should be a valid integer, unable to parse string as an "
        "integer",
    ]
    assert problems(GOOD.replace('with: {text: "{{ steps.users.output | length }} lists"}', "with: {}")) == [
        "f.yaml:16: steps[1].with: give text, blocks, or both"
    ]


def test_structure_cron_time_zone_and_templates() -> None:
    text = """\
name: bad name!
on:
  schedule: {cron: "61 * * * *", timezone: Mars/Olympus}
  manuel: true
steps:
  - id: First
    uses: set-state
    connection: fs
"""
    assert problems(text) == [
        "f.yaml:1: name: must be letters, digits, '-', '_' or '.', starting with a letter or digit",
        "f.yaml:4: on.manuel: unknown key; check its spelling and indentation",
        "f.yaml:6: steps[0].id: must be lower case letters, digits and _, starting with a letter "
        "(it is read as steps.<id>)",
    ]
    text = """\
name: ok
on:
  schedule: {cron: "61 * * * *", timezone: Mars/Olympus}
steps:
  - id: first
    uses: set-state
    with:
      a: "{{ steps.later.output }}"
      b: "{{ inputs.missing }}"
      c: "{{ oops( }}"
  - id: later
    uses: fail
    if: "x ==="
    with: {message: stop}
"""
    found = problems(text)
    assert found[:2] == [
        "f.yaml:3: on.schedule.cron: '61 * * * *' is not a valid cron expression. Use five fields: minute "
        "hour day-of-month month day-of-week, e.g. '0 9 * * 1-5', or @hourly, @daily, @weekly, @monthly.",
        "f.yaml:3: on.schedule.timezone: Unknown time zone 'Mars/Olympus'. Use an IANA name such as UTC, "
        "Europe/Paris, America/Chicago.",
    ]
    assert "f.yaml:8: steps[0].with.a: steps.later is not a step before this one" in found
    assert "f.yaml:9: steps[0].with.b: inputs.missing is not declared under `inputs:`" in found
    assert any(line.startswith("f.yaml:10: steps[0].with.c: template syntax error") for line in found)
    assert any(line.startswith("f.yaml:13: steps[1].if: template syntax error") for line in found)


def test_the_published_schema_is_current_and_accepts_the_recipe() -> None:
    assert schema.published() == schema.render(), "run `python -m headwater.workflows.schema`"
    jsonschema = pytest.importorskip("jsonschema")
    published = json.loads(schema.published())
    validator = jsonschema.Draft202012Validator(published)
    recipe = yaml.safe_load(session_digest(fullstory="fs", slack="team", emails=["a@example.com"]))
    recipe["on"] = recipe.pop(True)  # PyYAML reads the key `on` as a boolean; editors do not
    assert list(validator.iter_errors(recipe)) == []
    recipe["steps"][0]["retries"] = 3
    assert [e.message for e in validator.iter_errors(recipe)] == [
        "Additional properties are not allowed ('retries' was unexpected)"
    ]


def test_validate_command_exit_codes(tmp_path: Path, sqlite_db: Database) -> None:
    runner, command = CliRunner(), typer.main.get_command(app)
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(GOOD.replace("connection: fs", "connection: none").replace("connection: team", ""))
    bad.write_text(
        "name: bad\non: {manual: true}\nsteps:\n  - id: a\n    uses: fullstory/nope\n    connection: fs\n"
    )
    result = runner.invoke(command, ["workflows", "validate", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:5: steps[0].uses: unknown action: fullstory has no action 'nope'" in result.output
    result = runner.invoke(command, ["workflows", "validate", str(bad), "--json"])
    assert result.exit_code == 2 and json.loads(result.stdout)["problems"][0]["line"] == 5
    assert runner.invoke(command, ["workflows", "validate", str(tmp_path / "missing.yaml")]).exit_code == 3
    result = runner.invoke(command, ["workflows", "validate", str(good)])
    assert result.exit_code == 2 and "no connection named 'none'" in result.output


DUMP_STEP = """\
  - id: dump
    uses: fullstory/export-user-events
    connection: fs
    with: {uid: u1, path: /tmp/rows.jsonl}
"""


def test_an_action_step_may_not_name_a_file_on_the_server() -> None:
    found = problems(GOOD + DUMP_STEP)
    assert any("path: a file path is taken from the command line only" in p for p in found), found
