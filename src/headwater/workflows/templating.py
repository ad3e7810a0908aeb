"""Templates in step inputs: Jinja2's immutable sandbox, strict about undefined names, plus `jmespath`.

Only plain data goes in — inputs, earlier steps' outputs as JSON, the stored state, facts about the run —
and the sandbox refuses attribute tricks and mutation, so a workflow file can compute but cannot run
code, nor build a value larger than `bounded.MAX_SIZE`. A value that is exactly one `{{ expression }}`
keeps its type (a list stays a list, a number a number); anything else renders to a string.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jinja2
from jinja2 import nodes
from jmespath.exceptions import JMESPathError

from headwater.errors import BadInput
from headwater.workflows.bounded import BoundedSandbox, jmespath_search

_WHOLE = re.compile(r"^\s*\{\{(?P<expr>.*)\}\}\s*$", re.DOTALL)
ROOTS = ("inputs", "steps", "state", "run", "item", "index")
FALSE_WORDS = frozenset({"", "false", "0", "no", "off", "none", "null"})


class TemplateError(BadInput):
    code = "template_error"


class _DataEnvironment(BoundedSandbox):
    """`a.b` reads the key `b` of a mapping first: step outputs are data, so `output.items` must be the
    field named items, not the dict method."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, Mapping) and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


@lru_cache(maxsize=1)
def environment() -> BoundedSandbox:
    env = _DataEnvironment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True)
    env.filters["jmespath"] = jmespath_filter
    env.filters["shift_time"] = shift_time
    env.filters["slack_escape"] = slack_escape
    env.filters["format_time"] = format_time
    return env


def is_template(value: Any) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def whole_expression(text: str) -> str | None:
    """The expression of a value that is exactly one `{{ ... }}`, else None."""
    match = _WHOLE.match(text)
    if match is None:
        return None
    expression = match.group("expr")
    return None if "{{" in expression or "}}" in expression else expression


def render(value: Any, context: Mapping[str, Any]) -> Any:
    """`value` with every template in it (inside lists and mappings too) filled from `context`."""
    if isinstance(value, str):
        return render_text(value, context)
    if isinstance(value, dict):
        return {key: render(item, context) for key, item in value.items()}
    if isinstance(value, list):
        return [render(item, context) for item in value]
    return value


def render_text(text: str, context: Mapping[str, Any]) -> Any:
    if not is_template(text):
        return text
    expression = whole_expression(text)
    try:
        if expression is not None:
            return evaluate(expression, context)
        return environment().from_string(text).render(**context)
    except TemplateError:
        raise
    except jinja2.TemplateError as exc:
        raise TemplateError(_sentence(exc.message or str(exc)), hint=_HINT) from None
    except (TypeError, ValueError, ArithmeticError, LookupError) as exc:
        raise TemplateError(_sentence(str(exc)), hint=_HINT) from None
    except RecursionError:
        raise TemplateError(
            _sentence("it calls itself too deeply (a macro that never stops?)"), hint=_HINT
        ) from None


def _sentence(reason: str) -> str:
    return f"Template error: {reason.rstrip('.')}."


def evaluate(expression: str, context: Mapping[str, Any]) -> Any:
    compiled = environment().compile_expression(expression, undefined_to_none=False)
    result = compiled(**context)
    if isinstance(result, jinja2.Undefined):
        result._fail_with_undefined_error()
    return result


def condition(value: str | bool | None, context: Mapping[str, Any]) -> bool:
    """An `if:`: `{{ ... }}` or a bare expression; the words false/no/0/none/empty count as false."""
    if value is None or isinstance(value, bool):
        return value is not False
    result = render_text(value if is_template(value) else "{{ " + value + " }}", context)
    if isinstance(result, str):
        return result.strip().lower() not in FALSE_WORDS
    return bool(result)


def syntax_error(text: str, *, bare: bool = False) -> str | None:
    """What is wrong with a template's syntax, or None."""
    source = "{{ " + text + " }}" if bare else text
    try:
        environment().parse(source)
    except jinja2.TemplateSyntaxError as exc:
        return f"template syntax error: {exc.message}"
    return None


def references(text: str, *, bare: bool = False) -> Iterator[tuple[str, str]]:
    """(root, name) pairs such as ("steps", "sessions") or ("inputs", "emails") a template reads."""
    source = "{{ " + text + " }}" if bare else text
    tree = environment().parse(source)
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        inner = getattr(node, "node", None)
        if not (isinstance(inner, nodes.Name) and inner.name in ("steps", "inputs")):
            continue
        if isinstance(node, nodes.Getattr):
            yield inner.name, node.attr
        elif isinstance(node, nodes.Getitem):
            key = node.arg.value if isinstance(node.arg, nodes.Const) else None
            if isinstance(key, str):
                yield inner.name, key


def jmespath_filter(data: Any, expression: str) -> Any:
    """`{{ steps.sessions.output | jmespath('sum([].count)') }}`: list work in one readable query."""
    try:
        return jmespath_search(expression, data)
    except JMESPathError as exc:
        raise TemplateError(f"JMESPath error in {expression!r}: {exc}.", hint=_HINT) from None


def shift_time(value: str | datetime, *, days: float = 0, hours: float = 0, minutes: float = 0) -> str:
    """`{{ run.scheduled_for | shift_time(hours=-24) }}`: an ISO time moved by the given amount."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return (moment + timedelta(days=days, hours=hours, minutes=minutes)).isoformat()


def format_time(value: str | datetime, zone: str = "UTC", pattern: str = "%Y-%m-%d %H:%M %Z") -> str:
    """`{{ run.scheduled_for | format_time('Europe/Paris') }}`: an ISO time as people read it, in a zone."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    try:
        where = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise TemplateError(f"Unknown time zone {zone!r} in format_time.", hint=_HINT) from None
    return moment.astimezone(where).strftime(pattern)


def slack_escape(value: Any) -> str:
    """Text safe inside a Slack message: `&`, `<` and `>` would otherwise start links and mentions."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_HINT = (
    "Templates read inputs.<name>, steps.<id>.output, state.<key>, run.<field> and, in for-each, item "
    "and index; see the Workflows section of the README."
)
