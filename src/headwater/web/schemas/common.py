"""Shapes shared by several resources, and the text types every request body uses for what it takes in."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field

from headwater.text_input import control_character, nested_problem


class AuditEntry(BaseModel):
    id: int
    at: str = Field(description="ISO 8601, UTC")
    actor: str = Field(description="Who: a user's email, token:NAME, an OS user, or worker")
    action: str
    subject_type: str
    subject_id: str
    details: dict[str, Any]
    message: str


class Me(BaseModel):
    kind: str = Field(description="user or token")
    name: str
    role: str


class Health(BaseModel):
    status: str
    checks: dict[str, str] = Field(default_factory=dict)


def _line(value: str) -> str:
    problem = control_character(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def _text(value: str) -> str:
    problem = control_character(value, multiline=True)
    if problem is not None:
        raise ValueError(problem)
    return value


def _object(value: dict[str, Any]) -> dict[str, Any]:
    problem = nested_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


Line = Annotated[str, AfterValidator(_line)]
"""One line of text: no control character."""
Text = Annotated[str, AfterValidator(_text)]
"""Multi-line text: tab, line feed and carriage return only."""
JsonObject = Annotated[dict[str, Any], AfterValidator(_object)]
"""A JSON object whose keys are lines and whose text values are multi-line text."""
