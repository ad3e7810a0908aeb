"""Every action is described completely, with schemas generated from its models and flags from its effect."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from headwater.actions.catalogue import all_actions, find_action
from headwater.actions.decorator import action
from headwater.actions.model import DESTRUCTIVE, READ, WRITE, Action, ActionContext
from headwater.connectors.fullstory.actions.users import ListUsersInput, ListUsersOutput
from headwater.errors import BadInput, NotFound

ACTIONS = all_actions()


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.qualified_key)
def test_each_action_is_fully_described(action: Action) -> None:
    assert action.title and action.description and "\n" not in action.description
    described = action.describe()
    assert (described["read_only"], described["destructive"]) == {
        READ: (True, False),
        WRITE: (False, False),
        DESTRUCTIVE: (False, True),
    }[action.effect]
    assert described["input_schema"]["type"] == "object"
    assert described["output_schema"]["type"] == "object"
    assert described["input_schema"] == action.input_model.model_json_schema()


def test_both_providers_have_actions_and_keys_are_unique() -> None:
    assert {a.provider for a in ACTIONS} == {"fullstory", "amplitude"}
    keys = [a.qualified_key for a in ACTIONS]
    assert len(keys) == len(set(keys))
    assert find_action("fullstory", "delete-user").destructive


def test_an_unknown_key_suggests_close_ones() -> None:
    with pytest.raises(NotFound) as caught:
        find_action("fullstory", "delete-users")
    assert "delete-user" in str(caught.value)


class _In(BaseModel):
    email: str
    limit: int = 10


class _Out(BaseModel):
    ok: bool


def _noop(_client: object, _data: object, _ctx: ActionContext) -> _Out:
    return _Out(ok=True)


def test_invalid_input_names_each_field_but_not_the_value() -> None:
    action = Action("find-me", "fullstory", "Find", "Finds.", _In, _Out, READ, _noop)
    with pytest.raises(BadInput) as caught:
        action.parse_input({"limit": "secret-looking-value"})
    message = str(caught.value)
    assert "email: Field required" in message and "limit:" in message
    assert "secret-looking-value" not in message
    assert caught.value.exit_code == 2
    assert action.parse_input(_In(email="a@b.c")).email == "a@b.c"  # a model passes through


def test_keys_must_be_kebab_case() -> None:
    with pytest.raises(ValueError, match="kebab-case"):
        Action("Find_Me", "fullstory", "Find", "Finds.", _In, _Out, READ, _noop)


def test_the_decorator_reads_provider_models_and_description_from_the_function() -> None:
    listed = find_action("fullstory", "list-users")
    assert (listed.provider, listed.input_model, listed.output_model) == (
        "fullstory",
        ListUsersInput,
        ListUsersOutput,
    )
    assert listed.description == listed.run.__doc__
    assert find_action("amplitude", "request-deletion").effect is DESTRUCTIVE


def test_the_decorator_refuses_what_it_cannot_read() -> None:
    def undocumented(_client: object, _data: _In, _ctx: ActionContext) -> _Out:
        return _Out(ok=True)

    def unannotated(_client: object, _data: dict[str, object], _ctx: ActionContext) -> _Out:
        """Finds."""
        return _Out(ok=True)

    def documented(_client: object, _data: _In, _ctx: ActionContext) -> _Out:
        """Finds."""
        return _Out(ok=True)

    documented.__module__ = unannotated.__module__ = undocumented.__module__ = (
        "headwater.connectors.fullstory.actions.probe"
    )
    with pytest.raises(TypeError, match="docstring"):
        action("find-me", title="Find", effect=READ)(undocumented)
    with pytest.raises(TypeError, match="'_data' parameter with a pydantic model"):
        action("find-me", title="Find", effect=READ)(unannotated)
    declared = action("find-me", title="Find", effect=READ)(documented)
    assert (declared.provider, declared.input_model, declared.description) == ("fullstory", _In, "Finds.")
    documented.__module__ = __name__
    with pytest.raises(TypeError, match="inside their provider"):
        action("find-me", title="Find", effect=READ)(documented)
