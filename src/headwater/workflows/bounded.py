"""A Jinja sandbox in which a template cannot build a huge value.

Jinja's sandbox stops attribute tricks, not size: `{{ ('x' * 300000000) | length }}` allocates 300 MB,
and a few lines that double a namespace string in a loop do the same. Here every operation that can make
a value much larger than its operands — `*`, `+`, `**`, `%`, `~`, the str methods and filters that pad,
repeat, replace or join — works out the size of its result first and refuses one above `MAX_SIZE`, before
anything is allocated; text a template writes (its output, a `{% set %}` block) is counted as it is
written. Sizes are logical: characters of text plus one per item of a list or mapping, a value counted
each time it is referred to, so a list of many references to one long string is as large as the text it
would become. The `jmespath` filter runs under the same limit, with a budget of steps.
"""

from __future__ import annotations

import functools
import json
import re
import string
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import jmespath
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.filters import (
    do_batch,
    do_center,
    do_format,
    do_indent,
    do_replace,
    do_tojson,
    do_wordwrap,
    pass_environment,
    pass_eval_context,
    sync_do_join,
    sync_do_slice,
)
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jmespath import functions as jmespath_functions
from jmespath import visitor as jmespath_visitor

MAX_SIZE = 1_000_000  # characters or items in one value a template builds, and in its rendered text
MAX_INT_BITS = 100_000  # a number of 30,000 digits is past any count or sum a workflow computes
MAX_JSON_INDENT = 16
_PERCENT = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[a-zA-Z%]")
_DIGITS = re.compile(r"\d+")
_UNNEEDED = ("lipsum", "urlize")  # HTML helpers that amplify their input; no workflow needs them


class TooLarge(SecurityError):
    """A template would build a value larger than `MAX_SIZE`."""


def measure(value: Any, limit: int = MAX_SIZE) -> int:
    """The logical size of `value`, counted only until it passes `limit` (so it costs at most that)."""
    total, pending = 0, [value]
    while pending and total <= limit:
        item = pending.pop()
        if isinstance(item, str | bytes):
            total += len(item)
        elif isinstance(item, Mapping):
            total += len(item)
            if total <= limit:
                pending.extend(item.keys())
                pending.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            total += len(item)
            if total <= limit:
                pending.extend(item)
        else:
            total += 1
    return total


def refuse_above(size: int, what: str) -> None:
    if size > MAX_SIZE:
        raise TooLarge(
            f"{what} would make a value of {size:,} characters or items; "
            f"a template may build {MAX_SIZE:,} at most"
        )


def _ints(args: Iterable[Any]) -> int:
    return sum(abs(arg) for arg in args if isinstance(arg, int))


def percent_size(text: str, args: Any) -> int:
    """At most how long `text % args` is: the text, its widths and precisions, and the values."""
    values = (
        list(args.values())
        if isinstance(args, Mapping)
        else list(args)
        if isinstance(args, tuple)
        else [args]
    )
    size = len(text) + measure(values)
    for width, precision in _PERCENT.findall(text):
        for part in (width, precision):
            size += _ints(values) if part == "*" else int(part or 0)
    return size


def format_size(text: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> int:
    """At most how long `text.format(*args, **kwargs)` is, widths from nested fields included."""
    values = [*args, *kwargs.values()]
    size = len(text) + measure(values)
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return size  # str.format reports the mistake itself
    for _, _, spec, _ in parsed:
        if spec:
            size += sum(int(digits) for digits in _DIGITS.findall(spec))
            size += _ints(values) if "{" in spec else 0
    return size


def replace_size(text: str, old: str, new: str, count: int | None = None) -> int:
    found = text.count(old) if old else len(text) + 1
    if count is not None and count >= 0:
        found = min(found, count)
    return len(text) + found * max(len(new) - len(old), 0)


def _join_size(separator: str, items: list[Any]) -> int:
    return len(separator) * max(len(items) - 1, 0) + sum(measure(item) for item in items)


def _binop_size(operator: str, left: Any, right: Any) -> int:
    sequence = str | list | tuple
    if operator == "*":
        if isinstance(left, sequence) and isinstance(right, int):
            return measure(left) * max(right, 0)
        if isinstance(right, sequence) and isinstance(left, int):
            return measure(right) * max(left, 0)
    if operator == "+" and isinstance(left, sequence) and isinstance(right, sequence):
        return measure(left) + measure(right)
    if operator == "%" and isinstance(left, str):
        return percent_size(left, right)
    return 0


def _int_bits(operator: str, left: Any, right: Any) -> int:
    if not (isinstance(left, int) and isinstance(right, int)):
        return 0
    if operator == "*":
        return left.bit_length() + right.bit_length()
    if operator == "**" and right > 0 and abs(left) > 1:
        return left.bit_length() * right
    return 0


def _str_method_size(text: str, name: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> int:
    """At most how long the result of a str method that can grow its text is; 0 for the others."""
    first = args[0] if args else next(iter(kwargs.values()), 0)
    if name in ("center", "ljust", "rjust", "zfill"):
        return max(len(text), first if isinstance(first, int) else 0)
    if name == "expandtabs":
        tabsize = first if isinstance(first, int) and (args or kwargs) else 8
        return len(text) + text.count("\t") * max(tabsize, 0)
    if name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        count = args[2] if len(args) > 2 else kwargs.get("count")
        return replace_size(text, args[0], args[1], count if isinstance(count, int) else None)
    if name in ("format", "format_map"):
        mapping = args[0] if name == "format_map" and args and isinstance(args[0], Mapping) else kwargs
        return format_size(text, args if name == "format" else (), mapping)
    if name == "translate" and args and isinstance(args[0], Mapping):
        longest = max((measure(value) for value in args[0].values()), default=1)
        return len(text) * max(longest, 1)
    return 0


class _CountedBuffer(list[str]):
    """The buffer of a `{% set %}` block, a macro or a filter block: its text is counted as it is
    written, so a loop that writes more than `MAX_SIZE` stops there."""

    size = 0

    def append(self, piece: str) -> None:
        self.size += max(len(piece), 1)
        refuse_above(self.size, "The rendered text")
        super().append(piece)

    def extend(self, pieces: Iterable[str]) -> None:
        for piece in pieces:
            self.append(piece)


class _BoundedCodeGenerator(CodeGenerator):
    """`a ~ b` compiles to a join that counts its size first, instead of Jinja's own `str_join`, and
    buffers count what is written to them."""

    def buffer(self, frame: Frame) -> None:
        frame.buffer = self.temporary_identifier()
        self.writeline(f"{frame.buffer} = environment.counted_buffer()")

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        if frame.eval_ctx.volatile:
            join = "(markup_join if context.eval_ctx.volatile else str_join)"
        else:
            join = "markup_join" if frame.eval_ctx.autoescape else "str_join"
        self.write(f"environment.joined({join}, (")
        for argument in node.nodes:
            self.visit(argument, frame)
            self.write(", ")
        self.write("))")


def _bounded_concat(pieces: Iterable[str]) -> str:
    """Output written by a template, counted piece by piece (an empty piece counts one, so that a loop
    that writes nothing a billion times stops too)."""
    collected, total = [], 0
    for piece in pieces:
        total += max(len(piece), 1)
        if total > MAX_SIZE:
            refuse_above(total, "The rendered text")
        collected.append(piece)
    return "".join(collected)


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with the size checks described above."""

    code_generator_class = _BoundedCodeGenerator
    intercepted_binops = frozenset({"*", "+", "**", "%"})
    concat = staticmethod(_bounded_concat)

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        for name in _UNNEEDED:
            self.globals.pop(name, None)
            self.filters.pop(name, None)
        self.filters.update(_checked_filters())
        self.filters = {name: _text_capped(name, function) for name, function in self.filters.items()}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return attr != "fromkeys" and super().is_safe_attribute(obj, attr, value)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        refuse_above(_binop_size(operator, left, right), f"The operator {operator}")
        if _int_bits(operator, left, right) > MAX_INT_BITS:
            raise TooLarge(f"The operator {operator} would make a number of more than {MAX_INT_BITS:,} bits")
        return super().call_binop(context, operator, left, right)

    def call(self, context: Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        target = getattr(obj, "__wrapped__", obj)  # the sandbox wraps str.format in a function of its own
        owner = getattr(target, "__self__", None)
        name = getattr(target, "__name__", "")
        if isinstance(owner, str):
            if name == "join" and args:
                items = list(args[0])
                refuse_above(_join_size(owner, items), "str.join")
                args = (items, *args[1:])
            refuse_above(_str_method_size(owner, name, args, kwargs), f"str.{name}")
        return _capped_text(super().call(context, obj, *args, **kwargs), f"{name or 'The call'}()")

    @staticmethod
    def counted_buffer() -> list[str]:
        return _CountedBuffer()

    def joined(self, join: Callable[[Iterable[Any]], str], pieces: tuple[Any, ...]) -> str:
        """`a ~ b ~ c`: the size of each piece as text, added up before they are joined."""
        texts = []
        for piece in pieces:
            refuse_above(measure(piece), "The operator ~")
            texts.append(piece if isinstance(piece, str) else str(piece))
        refuse_above(sum(len(text) for text in texts), "The operator ~")
        return join(texts)


def _capped_text(result: Any, what: str) -> Any:
    if isinstance(result, str):
        refuse_above(len(result), what)
    return result


def _text_capped(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """Text a filter returns is capped too; `wraps` keeps Jinja's pass_context marks."""

    @functools.wraps(function)
    def filtered(*args: Any, **kwargs: Any) -> Any:
        return _capped_text(function(*args, **kwargs), f"The filter {name}")

    return filtered


def _checked_filters() -> dict[str, Callable[..., Any]]:
    """The built-in filters whose result can be far larger than their input, checked first."""

    def center(value: Any, width: int = 80) -> str:
        refuse_above(max(len(str(value)), width), "The filter center")
        return do_center(value, width)

    def indent(text: str, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
        pad = width if isinstance(width, int) else len(str(width))
        refuse_above(len(str(text)) + (str(text).count("\n") + 1) * pad, "The filter indent")
        return do_indent(text, width, first, blank)

    def format_(value: str, *args: Any, **kwargs: Any) -> str:
        refuse_above(percent_size(str(value), kwargs or args), "The filter format")
        return do_format(value, *args, **kwargs)

    @pass_eval_context
    def replace(eval_ctx: Any, text: str, old: str, new: str, count: int | None = None) -> str:
        refuse_above(replace_size(str(text), str(old), str(new), count), "The filter replace")
        return do_replace(eval_ctx, text, old, new, count)

    @pass_eval_context
    def join(eval_ctx: Any, value: Iterable[Any], d: str = "", attribute: str | int | None = None) -> str:
        items = list(value)
        refuse_above(_join_size(str(d), items), "The filter join")
        return sync_do_join(eval_ctx, items, d, attribute)

    def batch(value: Iterable[Any], linecount: int, fill_with: Any = None) -> Any:
        items = list(value)
        refuse_above(measure(items) + (linecount if fill_with is not None else 0), "The filter batch")
        return do_batch(items, linecount, fill_with)

    def slice_(value: Iterable[Any], slices: int, fill_with: Any = None) -> Any:
        items = list(value)
        refuse_above(measure(items) + slices, "The filter slice")
        return sync_do_slice(items, slices, fill_with)

    @pass_environment
    def wordwrap(environment: Any, text: str, width: int = 79, *args: Any, **kwargs: Any) -> str:
        wrapstring = kwargs.get("wrapstring", args[1] if len(args) > 1 else None)
        joint = len(wrapstring) if isinstance(wrapstring, str) else len(environment.newline_sequence)
        size = len(str(text)) + (len(str(text)) // max(width, 1) + 1) * joint
        refuse_above(size, "The filter wordwrap")
        return do_wordwrap(environment, text, width, *args, **kwargs)

    @pass_eval_context
    def tojson(eval_ctx: Any, value: Any, indent: int | None = None) -> Any:
        if indent is not None and indent > MAX_JSON_INDENT:
            raise TooLarge(f"tojson indents by {MAX_JSON_INDENT} at most")
        refuse_above(measure(value), "The filter tojson")
        return do_tojson(eval_ctx, value, indent)

    return {
        "center": center,
        "indent": indent,
        "format": format_,
        "replace": replace,
        "join": join,
        "batch": batch,
        "slice": slice_,
        "wordwrap": wordwrap,
        "tojson": tojson,
    }


class _BoundedFunctions(jmespath_functions.Functions):
    """JMESPath's functions; the two that can turn a small query into a large text count first."""

    @jmespath_functions.signature({"types": ["string"]}, {"types": ["array-string"]})
    def _func_join(self, separator: str, array: list[str]) -> str:
        refuse_above(_join_size(separator, array), "JMESPath's join")
        return separator.join(array)

    @jmespath_functions.signature({"types": []})
    def _func_to_string(self, arg: Any) -> str:
        refuse_above(measure(arg), "JMESPath's to_string")
        return arg if isinstance(arg, str) else json.dumps(arg, separators=(",", ":"), default=str)


class _BoundedInterpreter(jmespath_visitor.TreeInterpreter):
    """Each step of a query, and each item of every list it builds, spends from one budget: `[@, @][]`
    doubles a list at every repetition, in a handful of steps."""

    def __init__(self) -> None:
        super().__init__(jmespath.Options(custom_functions=_BoundedFunctions()))
        self.left = MAX_SIZE

    def visit(self, node: Any, *args: Any, **kwargs: Any) -> Any:
        result = super().visit(node, *args, **kwargs)
        self.left -= 1 + (len(result) if isinstance(result, list | dict) else 0)
        if self.left < 0:
            raise TooLarge(f"The JMESPath query takes more than {MAX_SIZE:,} steps and items")
        return result


def jmespath_search(expression: str, data: Any) -> Any:
    """`jmespath.search` under the size limit."""
    return _BoundedInterpreter().visit(jmespath.compile(expression).parsed, data)
