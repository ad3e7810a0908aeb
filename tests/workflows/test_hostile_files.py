"""Hostile workflow files: YAML that expands without end and templates that build huge values are
refused with a clear error (exit 2 and the line), quickly and without allocating what they ask for."""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import typer
from click.testing import CliRunner

from headwater.cli.main import app
from headwater.store import Database
from headwater.workflows.templating import TemplateError, render
from headwater.workflows.validate import check_text

COMMAND = typer.main.get_command(app)
HEAD = "name: hostile\non: {manual: true}\n"


def hw(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(COMMAND, list(args))
    return result.exit_code, result.output


@contextmanager
def peak_megabytes() -> Iterator[Callable[[], float]]:
    """The most memory Python allocated inside the block, in MB."""
    tracemalloc.start()
    try:
        yield lambda: tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def test_a_billion_laughs_is_refused_with_its_line(tmp_path: Path, sqlite_db: Database) -> None:
    anchors = "\n".join(
        ["    - &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        + [f"    - &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]" for n in range(1, 7)]
    )
    text = (
        f"{HEAD}inputs:\n  laughs:\n    type: list\n    default:\n{anchors}\n"
        "steps:\n  - id: done\n    uses: fail\n    with: {message: '{{ inputs.laughs | length }}'}\n"
    )
    assert len(text) < 600  # 9**6 values once the aliases are followed
    file = tmp_path / "laughs.yaml"
    file.write_text(text)
    code, output = hw("workflows", "validate", str(file))
    assert code == 2, output
    assert f"{file}:7: The file expands to more than 100000 values once its aliases" in output
    with peak_megabytes() as peak:
        assert not check_text(text).valid
    assert peak() < 50


def test_an_alias_inside_its_own_value_is_an_error_with_its_line(tmp_path: Path, sqlite_db: Database) -> None:
    file = tmp_path / "loop.yaml"
    file.write_text(f"{HEAD}steps:\n  - id: a\n    uses: fail\n    with: &w {{message: [*w]}}\n")
    code, output = hw("workflows", "validate", str(file))
    assert code == 2, output
    assert f"{file}:6: Invalid YAML: the alias *w is inside the value it names, so it never ends." in output
    assert "Traceback" not in output and "RecursionError" not in output


def test_deep_nesting_and_large_files_are_errors(tmp_path: Path, sqlite_db: Database) -> None:
    deep, large = tmp_path / "deep.yaml", tmp_path / "large.yaml"
    deep.write_text(f"{HEAD}x: " + "[" * 5000 + "]" * 5000 + "\n")
    code, output = hw("workflows", "validate", str(deep))
    assert code == 2 and f"{deep}:3: Invalid YAML: values are nested more than 50 levels deep." in output
    large.write_text(f"{HEAD}description: {'x' * 300_000}\n")
    code, output = hw("workflows", "validate", str(large))
    assert code == 2 and "a workflow file may have 262144 bytes at most" in output


def alias_chain(links: int = 40, depth: int = 45) -> str:
    """A small file whose values nest `links` times `depth` levels once its aliases are followed."""
    chain = [f"  x0: &x0 {'[' * depth}1{']' * depth}"] + [
        f"  x{n}: &x{n} {'[' * depth}*x{n - 1}{']' * depth}" for n in range(1, links)
    ]
    return f"{HEAD}steps: [{{id: a, uses: fail, with: {{message: x}}}}]\njunk:\n" + "\n".join(chain) + "\n"


def test_aliases_that_nest_deeper_than_the_limit_once_followed_are_an_error(
    tmp_path: Path, sqlite_db: Database
) -> None:
    file = tmp_path / "chain.yaml"
    file.write_text(alias_chain())
    assert file.stat().st_size < 5000
    code, output = hw("workflows", "validate", str(file))
    assert code == 2, output
    assert f"{file}:5: Values are nested more than 50 levels deep once the aliases (*name) are followed" in (
        output
    )
    assert "Traceback" not in output and "RecursionError" not in output
    file.write_text(alias_chain(links=2, depth=20))  # 42 levels once followed: within the limit
    code, output = hw("workflows", "validate", str(file))
    assert "junk: unknown key" in output and "nested" not in output


def test_a_template_that_asks_for_300_mb_fails_the_run_without_allocating_it(
    tmp_path: Path, sqlite_db: Database
) -> None:
    file = tmp_path / "big.yaml"
    file.write_text(
        f"{HEAD}steps:\n  - id: remember\n    uses: set-state\n"
        "    with: {n: \"{{ ('x' * 300000000) | length }}\"}\n"
    )
    assert hw("workflows", "add", str(file))[0] == 0
    code, output = hw("workflows", "run", "hostile", "--json")
    run = json.loads(output[output.index("{") :])
    assert run["status"] == "failed", output
    assert "would make a value of 300,000,000 characters or items" in run["error"]
    assert "1,000,000 at most" in run["error"]
    assert code != 0
    with peak_megabytes() as peak, pytest.raises(TemplateError, match="300,000,000"):
        render("{{ ('x' * 300000000) | length }}", {})
    assert peak() < 50


DOUBLING = (
    "{% set ns = namespace(s='x' * 1000) %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}{% endfor %}"
)
CONTEXT = {"inputs": {"days": 2}, "steps": {"s": {"output": [{"count": 2}, {"count": 3}]}}}


@pytest.mark.parametrize(
    "template",
    [
        "{{ 300000000 * 'x' }}",
        "{{ ([1] * 300000000) | length }}",
        "{{ (['x' * 900000] * 100) | join }}",
        "{{ 'x'.ljust(300000000) }}",
        "{{ 'x' | center(300000000) }}",
        "{{ '{:>300000000}'.format('x') }}",
        "{{ '%300000000s' | format('x') }}",
        "{{ '%*s' % (300000000, 'x') }}",
        "{{ ('x' * 900000) | replace('x', 'yyyyy') }}",
        "{{ ('x' * 900000).replace('x', 'yyyyy') }}",
        "{{ ('\t' * 1000).expandtabs(100000) }}",
        "{{ 10 ** 100000000 }}",
        DOUBLING.replace("+", "~"),
        DOUBLING,
        "{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}",
        "{% set b %}{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}{% endset %}{{ b | length }}",
        "{{ range(100000) | join('x' * 1000) }}",
        "{{ [1] | batch(300000000, 0) | list | length }}",
        "{{ [1] | slice(300000000) | list | length }}",
        "{{ ('x' * 9000) | wordwrap(1, wrapstring='y' * 1000) }}",
        "{{ [[1]] | tojson(indent=100000) }}",
    ],
)
def test_templates_cannot_build_huge_values(template: str) -> None:
    with peak_megabytes() as peak, pytest.raises(TemplateError, match=r"at most|more than"):
        render(template, CONTEXT)
    assert peak() < 50


def test_a_jmespath_query_that_doubles_a_list_runs_out_of_steps() -> None:
    doubling = "{{ steps.s.output | jmespath('" + "[@, @][]" * 22 + "') | length }}"
    with pytest.raises(TemplateError, match="JMESPath query takes more than 1,000,000 steps"):
        render(doubling, CONTEXT)


def test_ordinary_templates_still_work() -> None:
    assert render("{{ 'ab' * 3 }}-{{ [1, 2] + [3] }}-{{ '%5s|' % 'x' }}{{ 'x' ~ 2 }}", CONTEXT) == (
        "ababab-[1, 2, 3]-    x|x2"
    )
    assert render("{{ steps.s.output | jmespath('sum([].count)') }}", CONTEXT) == 5
    assert render("{{ ['a', 'b'] | join(', ') | center(8) }}", CONTEXT) == "  a, b  "
    assert render("{{ 2 ** 10 }}", CONTEXT) == 1024
