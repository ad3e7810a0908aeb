"""Reading a workflow's YAML while remembering where each value came from.

PyYAML's composer keeps a mark (line, column) on every node; building the data from the nodes ourselves
lets each later error — from the schema, the catalogue or a template — name the line to fix. Keys are
always read as strings, so `on:` stays `on` rather than YAML 1.1's boolean `true`, and a key given twice
is an error instead of a silent overwrite.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import yaml

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, where it is, and what to do about it."""

    line: int | None
    where: str
    message: str

    def render(self, source: str) -> str:
        place = f"{source}:{self.line}" if self.line else source
        return f"{place}: {self.where}: {self.message}" if self.where else f"{place}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "where": self.where, "message": self.message}


@dataclass
class Document:
    data: Any
    lines: dict[Path, int] = field(default_factory=dict)

    def line_of(self, path: Path) -> int | None:
        """The line of `path`, or of the closest enclosing value that has one."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return None


class YamlProblems(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def where(path: Path) -> str:
    """`steps[1].with.email` for ("steps", 1, "with", "email")."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def parse(text: str) -> Document:
    """The file's data and line map; `YamlProblems` for a file that is not valid YAML."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = " ".join(part for part in (exc.context, exc.problem) if part) or "not valid YAML"
        raise YamlProblems([Problem(line, "", f"Invalid YAML: {problem}.")]) from None
    except yaml.YAMLError as exc:
        raise YamlProblems([Problem(None, "", f"Invalid YAML: {exc}.")]) from None
    if node is None:
        raise YamlProblems([Problem(1, "", "The file is empty; a workflow needs name, on and steps.")])
    document = Document(None)
    problems: list[Problem] = []
    document.data = _build(node, (), document, problems, yaml.SafeLoader(""))
    if problems:
        raise YamlProblems(problems)
    return document


def _build(
    node: yaml.Node, path: Path, document: Document, problems: list[Problem], loader: yaml.SafeLoader
) -> Any:
    document.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(
                    Problem(key_node.start_mark.line + 1, where(path), "A key must be plain text.")
                )
                continue
            key = str(key_node.value)
            if key in mapping:
                problems.append(
                    Problem(key_node.start_mark.line + 1, where((*path, key)), "This key is given twice.")
                )
                continue
            document.lines[(*path, key)] = key_node.start_mark.line + 1
            mapping[key] = _build(value_node, (*path, key), document, problems, loader)
        return mapping
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(item, (*path, index), document, problems, loader) for index, item in enumerate(node.value)
        ]
    value = loader.construct_object(node, deep=True)
    if isinstance(value, datetime | date):
        return value.isoformat()  # plain JSON: a date in a file is text to templates and the store
    if isinstance(value, bytes):
        problems.append(Problem(node.start_mark.line + 1, where(path), "Binary values are not supported."))
        return None
    return value
