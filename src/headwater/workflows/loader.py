"""Reading a workflow's YAML while remembering where each value came from.

PyYAML's composer keeps a mark (line, column) on every node; building the data from the nodes ourselves
lets each later error — from the schema, the catalogue or a template — name the line to fix. Keys are
always read as strings, so `on:` stays `on` rather than YAML 1.1's boolean `true`, and a key given twice
is an error instead of a silent overwrite.

A workflow file may come from someone the server should not trust with its memory, so reading one is
bounded: its size, how deep its values nest, how often aliases (`*name`) are used and how many values the
file expands to once aliases are followed — a 400-byte "billion laughs" file expands to a billion. An
alias inside the value it names (`a: &a [*a]`) would never end; it is reported with its line. The nesting
limit is checked twice: while composing (each node as written) and while building (after aliases are
spliced in, since a chain of 40 aliases, each 45 levels deep, nests 1,800 levels once followed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

import yaml

Path = tuple[str | int, ...]

MAX_FILE_BYTES = 256 * 1024
MAX_DEPTH = 50
MAX_ALIASES = 1_000
MAX_VALUES = 100_000


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


def too_large(size: int) -> Problem | None:
    """The problem with a file of `size` bytes, if it is larger than a workflow file has any need to be."""
    if size <= MAX_FILE_BYTES:
        return None
    return Problem(
        None, "", f"The file is {size} bytes; a workflow file may have {MAX_FILE_BYTES} bytes at most."
    )


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing deep nesting, many aliases and an alias inside its own value."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0
        self.aliases = 0
        self.open_anchors: set[str] = set()

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            self.aliases += 1
            if event.anchor in self.open_anchors:
                self._refuse(
                    f"the alias *{event.anchor} is inside the value it names, so it never ends", event
                )
            if self.aliases > MAX_ALIASES:
                self._refuse(f"more than {MAX_ALIASES} aliases (*name); write the values out", event)
            return super().compose_node(parent, index)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self._refuse(f"values are nested more than {MAX_DEPTH} levels deep", event)
        anchor: str | None = getattr(event, "anchor", None)
        if anchor is not None:
            self.open_anchors.add(anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1
            if anchor is not None:
                self.open_anchors.discard(anchor)

    @staticmethod
    def _refuse(problem: str, event: yaml.Event) -> None:
        raise yaml.composer.ComposerError(None, None, problem, cast(yaml.Mark, event.start_mark))


class _Budget:
    """How many more values the file may expand to; aliases count each time they are followed."""

    def __init__(self) -> None:
        self.left = MAX_VALUES

    def spend(self, node: yaml.Node) -> None:
        self.left -= 1
        if self.left < 0:
            raise YamlProblems(
                [
                    Problem(
                        node.start_mark.line + 1,
                        "",
                        f"The file expands to more than {MAX_VALUES} values once its aliases (*name) are "
                        "followed; write the values out instead of repeating aliases.",
                    )
                ]
            )


def parse(text: str) -> Document:
    """The file's data and line map; `YamlProblems` for a file that is not valid YAML."""
    size = too_large(len(text.encode("utf-8", errors="surrogatepass")))
    if size is not None:
        raise YamlProblems([size])
    try:
        node = yaml.compose(text, Loader=_BoundedLoader)
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
    try:
        document.data = _build(node, (), document, problems, _Builder(yaml.SafeLoader(""), _Budget()))
    except RecursionError:  # a last resort: the depth check in `_build` should come first
        raise YamlProblems(
            [Problem(node.start_mark.line + 1, "", f"Values are nested more than {MAX_DEPTH} levels deep.")]
        ) from None
    if problems:
        raise YamlProblems(problems)
    return document


@dataclass
class _Builder:
    loader: yaml.SafeLoader
    budget: _Budget


def _build(
    node: yaml.Node, path: Path, document: Document, problems: list[Problem], builder: _Builder
) -> Any:
    builder.budget.spend(node)
    if len(path) >= MAX_DEPTH:  # the path's length is the depth once aliases are followed
        raise YamlProblems(
            [
                Problem(
                    node.start_mark.line + 1,
                    "",
                    f"Values are nested more than {MAX_DEPTH} levels deep once the aliases (*name) are "
                    "followed; write the values out with less nesting.",
                )
            ]
        )
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
            mapping[key] = _build(value_node, (*path, key), document, problems, builder)
        return mapping
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(item, (*path, index), document, problems, builder) for index, item in enumerate(node.value)
        ]
    value = builder.loader.construct_object(node, deep=True)
    if isinstance(value, datetime | date):
        return value.isoformat()  # plain JSON: a date in a file is text to templates and the store
    if isinstance(value, bytes):
        problems.append(Problem(node.start_mark.line + 1, where(path), "Binary values are not supported."))
        return None
    return value
