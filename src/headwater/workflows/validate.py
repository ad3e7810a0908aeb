"""Checking a workflow file before it is accepted, reporting every problem with its line.

In order: YAML syntax; the structure (the models behind the published JSON Schema); cron and time zone;
then each step — a known action or built-in, the right kind of connection, inputs that fit the action's
own input schema (values that are templates are checked when they are rendered, at run time), template
syntax, and references to inputs and to earlier steps that exist.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, RootModel, ValidationError

from headwater.actions.catalogue import find_action
from headwater.actions.local_files import Face, validation_context
from headwater.errors import BadInput, HeadwaterError
from headwater.workflows import crontime, templating
from headwater.workflows.builtins import BUILTINS
from headwater.workflows.loader import Document, Path, Problem, YamlProblems, parse, where
from headwater.workflows.model import Step, Workflow

FRIENDLY = {
    "uses": "must be provider/action (e.g. fullstory/list-sessions) or a built-in step "
    f"({', '.join(sorted(BUILTINS))})",
    "id": "must be lower case letters, digits and _, starting with a letter (it is read as steps.<id>)",
    "name": "must be letters, digits, '-', '_' or '.', starting with a letter or digit",
}


class InvalidWorkflow(BadInput):
    """A file that cannot be accepted; the message lists every problem, one per line."""

    code = "invalid_workflow"

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.problems = problems
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        lines = "\n".join(problem.render(source) for problem in problems)
        super().__init__(
            f"{source} is not a valid workflow ({count}):\n{lines}",
            hint=f"Fix the lines above, then check again: `headwater workflows validate {source}`.",
        )


@dataclass
class Checked:
    workflow: Workflow | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.workflow is not None and not self.problems


def check_text(text: str, connections: Mapping[str, str] | None = None) -> Checked:
    """`connections` maps each known connection's name to its kind; None skips the connection checks."""
    try:
        document = parse(text)
    except YamlProblems as exc:
        return Checked(None, exc.problems)
    try:
        workflow = Workflow.model_validate(document.data)
    except ValidationError as exc:
        return Checked(None, _structure(exc, document))
    problems = _schedule(workflow, document)
    inputs = set(workflow.inputs)
    earlier: list[str] = []
    for index, step in enumerate(workflow.steps):
        problems += StepChecker(step, ("steps", index), document, connections, inputs, earlier).problems()
        earlier.append(step.id)
    return Checked(workflow, sorted(problems, key=lambda p: (p.line or 0, p.where)))


def _structure(exc: ValidationError, document: Document) -> list[Problem]:
    problems: dict[tuple[int | None, str], Problem] = {}
    for error in exc.errors(include_input=False, include_url=False):
        loc: Path = tuple(error["loc"])
        known = next(loc[:end] for end in range(len(loc), -1, -1) if loc[:end] in document.lines or end == 0)
        path = known if error["type"] != "missing" else loc
        message = _message(error["type"], error["msg"], loc)
        problems.setdefault(
            (document.line_of(path), where(path)), Problem(document.line_of(path), where(path), message)
        )
    return list(problems.values())


def _message(kind: str, text: str, loc: Path) -> str:
    name = str(loc[-1]) if loc else ""
    if kind == "extra_forbidden":
        return "unknown key; check its spelling and indentation"
    if kind == "missing":
        return "required, but missing"
    if kind == "string_pattern_mismatch" and name in FRIENDLY:
        return FRIENDLY[name]
    return text.removeprefix("Value error, ")


def _schedule(workflow: Workflow, document: Document) -> list[Problem]:
    schedule = workflow.on.schedule
    if schedule is None:
        return []
    problems = []
    for key, check in (("cron", crontime.expand), ("timezone", crontime.zone)):
        try:
            check(getattr(schedule, key))
        except HeadwaterError as exc:
            path: Path = ("on", "schedule", key)
            problems.append(Problem(document.line_of(path), where(path), str(exc)))
    for name, spec in workflow.inputs.items():
        if spec.required and spec.default is None:
            path = ("inputs", name)
            message = "scheduled runs give no inputs: a scheduled workflow's inputs need a default"
            problems.append(Problem(document.line_of(path), where(path), message))
    return problems


class StepChecker:
    def __init__(
        self,
        step: Step,
        path: Path,
        document: Document,
        connections: Mapping[str, str] | None,
        inputs: set[str],
        earlier: list[str],
    ) -> None:
        self.step, self.path, self.document = step, path, document
        self.connections, self.inputs, self.earlier = connections, inputs, earlier
        self.found: list[Problem] = []

    def problems(self) -> list[Problem]:
        model, kind = self._target()
        if model is not None:
            self._inputs(model)
        if kind is not None:
            self._connection(kind)
        self._templates()
        return self.found

    def add(self, relative: Path, message: str) -> None:
        path = (*self.path, *relative)
        self.found.append(Problem(self.document.line_of(path), where(path), message))

    def _target(self) -> tuple[type[BaseModel] | None, str | None]:
        """The input model and the connection kind the step needs ("*" any provider, None none)."""
        builtin = BUILTINS.get(self.step.uses)
        if builtin is not None:
            if builtin.connection == "none" and self.step.connection:
                self.add(("connection",), f"{builtin.key} takes no connection")
                return builtin.input_model, None
            if builtin.connection == "required" and not self.step.connection:
                self.add(("uses",), f"{builtin.key} needs a `connection:` of kind {builtin.connection_kind}")
            needs = (builtin.connection_kind or "*") if self.step.connection else None
            return builtin.input_model, needs
        provider, _, key = self.step.uses.partition("/")
        if not key:
            self.add(("uses",), f"unknown built-in step; built-in steps are {', '.join(sorted(BUILTINS))}")
            return None, None
        try:
            action = find_action(provider, key)
        except HeadwaterError as exc:
            hint = " slack/post is the built-in step that posts to Slack." if provider == "slack" else ""
            self.add(("uses",), f"unknown action: {exc}{hint}")
            return None, None
        if not self.step.connection:
            self.add(("uses",), f"{self.step.uses} needs a `connection:` of kind {provider}")
        return action.input_model, provider

    def _connection(self, kind: str) -> None:
        name = self.step.connection
        if self.connections is None or not name:
            return
        found = self.connections.get(name)
        if found is None:
            listed = ", ".join(sorted(self.connections)) or "none yet"
            self.add(("connection",), f"no connection named {name!r} (known: {listed})")
        elif kind != "*" and found != kind:
            self.add(("connection",), f"{name!r} is a {found} connection; {self.step.uses} needs {kind}")
        elif kind == "*" and found == "slack":
            self.add(("connection",), f"{name!r} is a Slack connection; post to it with slack/post")

    def _inputs(self, model: type[BaseModel]) -> None:
        values = self.step.with_
        templated = {key for key, value in values.items() if _has_template(value)}
        literal = {key: value for key, value in values.items() if key not in templated}
        if not issubclass(model, RootModel):
            names = {
                alias for name, info in model.model_fields.items() for alias in (name, info.alias) if alias
            }
            for key in values:
                if key not in names:
                    self.add(
                        ("with", key), f"unknown input; {self.step.uses} takes {', '.join(sorted(names))}"
                    )
        try:
            model.model_validate(literal, context=validation_context(Face.WORKFLOW))
        except ValidationError as exc:
            for error in exc.errors(include_input=False, include_url=False):
                loc = tuple(error["loc"])
                skip = error["type"] == "extra_forbidden" or (loc and loc[0] in templated)
                if skip or (not loc and templated):
                    continue
                self.add(("with", *loc), _message(error["type"], error["msg"], loc))

    def _templates(self) -> None:
        texts: list[tuple[Path, str, bool]] = list(_strings(self.step.with_, ("with",)))
        if isinstance(self.step.for_each, str | list):
            texts += list(_strings(self.step.for_each, ("for-each",)))
        if isinstance(self.step.if_, str):
            texts.append((("if",), self.step.if_, not templating.is_template(self.step.if_)))
        for relative, text, bare in texts:
            error = templating.syntax_error(text, bare=bare)
            if error is not None:
                self.add(relative, error)
                continue
            for root, name in templating.references(text, bare=bare):
                if root == "steps" and name not in self.earlier:
                    self.add(relative, f"steps.{name} is not a step before this one")
                if root == "inputs" and name not in self.inputs:
                    self.add(relative, f"inputs.{name} is not declared under `inputs:`")


def _has_template(value: Any) -> bool:
    return any(True for _ in _strings(value, ()))


def _strings(value: Any, path: Path) -> Iterator[tuple[Path, str, bool]]:
    if isinstance(value, str):
        if templating.is_template(value):
            yield path, value, False
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, index))
