"""`headwater workflows`: check, add and manage workflow files; run them and read their run logs."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import typer

from headwater.cli import workflows_render as render
from headwater.cli.context import Context
from headwater.cli.failures import exits_cleanly
from headwater.cli.output import JsonOption, console, print_json
from headwater.connections import os_user
from headwater.errors import BadInput
from headwater.workflows import schema
from headwater.workflows.inputs import parse_pairs
from headwater.workflows.service import Workflows, read_file
from headwater.workflows.validate import InvalidWorkflow

P = ParamSpec("P")
R = TypeVar("R")
app = typer.Typer(help="Scheduled and on-demand workflows over your connections.", no_args_is_help=True)

FileArgument = Annotated[Path, typer.Argument(help="A workflow YAML file.", show_default=False)]
NameArgument = Annotated[str, typer.Argument(help="The workflow's name.", show_default=False)]


def _service() -> Workflows:
    ctx = Context.load()
    return Workflows(ctx.db, ctx.settings)


def _plain_problems(command: Callable[P, R]) -> Callable[P, R]:
    """Problems as `file:line: where: message` lines, unwrapped, so editors and grep can follow them."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except InvalidWorkflow as exc:
            typer.echo(f"Error: {exc.message}", err=True)
            typer.echo(exc.hint or "", err=True)
            raise typer.Exit(exc.exit_code) from None

    return wrapper


@app.command("validate")
@exits_cleanly
@_plain_problems
def validate(path: FileArgument, as_json: JsonOption = False) -> None:
    """Check a file against the schema, the action catalogue, your connections and cron (exit 2 if not)."""
    checked = _service().check(read_file(path))
    if as_json:
        name = checked.workflow.name if checked.workflow else None
        problems = [problem.as_dict() for problem in checked.problems]
        print_json({"file": str(path), "valid": checked.valid, "name": name, "problems": problems})
        if not checked.valid:
            raise typer.Exit(2)
        return
    if not checked.valid or checked.workflow is None:
        raise InvalidWorkflow(str(path), checked.problems)
    workflow = checked.workflow
    when = (
        f"on schedule {workflow.on.schedule.cron} ({workflow.on.schedule.timezone})"
        if workflow.on.schedule
        else ""
    )
    manual = "on demand" if workflow.on.manual else ""
    runs = " and ".join(part for part in (when, manual) if part)
    console.print(
        f"{path}: valid workflow [bold]{workflow.name}[/], {len(workflow.steps)} steps, runs {runs}."
    )


@app.command("add")
@exits_cleanly
@_plain_problems
def add(path: FileArgument, as_json: JsonOption = False) -> None:
    """Check a file and store it (a workflow of the same name is replaced; its state is kept)."""
    added = _service().add(path, actor=os_user())
    if as_json:
        print_json(added)
        return
    verb = "Added" if added["created"] else f"Updated (version {added['version']})"
    schedule = added["schedule"]
    nxt = f"; next run {render.next_run(schedule)}" if schedule else ""
    console.print(f"{verb} workflow [bold]{added['name']}[/]{nxt}.")


@app.command("init")
@exits_cleanly
@_plain_problems
def init(
    recipe: Annotated[str, typer.Argument(help="The recipe: session-digest.", show_default=False)],
    connection: Annotated[str, typer.Option("--connection", help="The FullStory connection to read.")],
    slack: Annotated[str, typer.Option("--slack", help="The Slack connection to post to.")],
    email: Annotated[
        list[str], typer.Option("--email", help="A person whose sessions are counted (repeat for more).")
    ],
    cron: Annotated[str, typer.Option(help="When it runs, as cron.")] = "0 9 * * *",
    timezone: Annotated[str, typer.Option(help="The time zone the cron is read in.")] = "UTC",
    name: Annotated[str | None, typer.Option(help="The workflow's name (default: the recipe's).")] = None,
    output: Annotated[Path | None, typer.Option(help="Where to write it (default: ./NAME.yaml).")] = None,
    force: Annotated[bool, typer.Option(help="Overwrite the file if it exists.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Write a workflow from a built-in recipe, add it, and say where the file is."""
    name = name or recipe
    path = output or Path(f"{name}.yaml")
    options = {"fullstory": connection, "slack": slack, "emails": email, "cron": cron, "timezone": timezone}
    added = _service().init(recipe, path, force=force, actor=os_user(), name=name, **options)
    if as_json:
        print_json(added)
        return
    console.print(f"Wrote {added['path']} and added workflow [bold]{added['name']}[/].", soft_wrap=True)
    console.print(
        f"Next run {render.next_run(added['schedule'])}; "
        f"run it now with `headwater workflows run {added['name']}`.",
        markup=False,
    )


@app.command("list")
@exits_cleanly
def list_workflows(as_json: JsonOption = False) -> None:
    """Every workflow with its schedule, next run and last run."""
    rows = _service().list_all()
    if as_json:
        print_json(rows)
        return
    render.workflows_table(rows)


@app.command("show")
@exits_cleanly
def show(name: NameArgument, as_json: JsonOption = False) -> None:
    """One workflow: schedule, state, last run, and its file as added."""
    data = _service().show(name)
    if as_json:
        print_json(data)
        return
    render.workflow_details(data)
    console.rule("file")
    console.print(data["source"], markup=False, highlight=False)


@app.command("enable")
@exits_cleanly
def enable(name: NameArgument) -> None:
    """Let the workflow run again; its schedule restarts from now (missed times are not run)."""
    data = _service().enable(name, actor=os_user())
    console.print(f"Workflow {data['name']} enabled.", markup=False)


@app.command("disable")
@exits_cleanly
def disable(name: NameArgument) -> None:
    """Stop scheduled and manual runs until enabled again; runs already queued still run."""
    data = _service().disable(name, actor=os_user())
    console.print(f"Workflow {data['name']} disabled.", markup=False)


@app.command("remove")
@exits_cleanly
def remove(
    name: NameArgument,
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: the state and run history go too.")] = False,
) -> None:
    """Delete a workflow with its schedule, state, runs and run log."""
    service = _service()
    service.show(name)  # not found: exit 3 before asking anything
    if not yes:
        raise BadInput(f"Removing {name!r} deletes its state and run history.", hint="Pass --yes to confirm.")
    service.remove(name, actor=os_user())
    console.print(f"Workflow {name} removed, with its state and run history.", markup=False)


@app.command("run")
@exits_cleanly
def run(
    name: NameArgument,
    inputs: Annotated[
        list[str] | None, typer.Option("--input", "-i", help="NAME=VALUE for an input (repeatable).")
    ] = None,
    wait: Annotated[
        float, typer.Option(help="Celery mode: seconds to wait for a worker to finish it.")
    ] = 300,
    as_json: JsonOption = False,
) -> None:
    """Run a workflow now (its manual trigger); exit 1 if the run fails."""
    result = _service().run_now(name, parse_pairs(inputs or []), wait=wait)
    if as_json:
        print_json(result)
    else:
        render.run_summary(result)
    if result["status"] != "succeeded":
        raise typer.Exit(1)


@app.command("runs")
@exits_cleanly
def runs(
    name: NameArgument,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """A workflow's runs, newest first, with the status of each run's job."""
    rows = _service().runs(name, limit=limit)
    if as_json:
        print_json(rows)
        return
    render.runs_table(rows)


@app.command("run-log")
@exits_cleanly
def run_log(
    run_id: Annotated[int, typer.Argument(help="The run's id (see `workflows runs NAME`).")],
    as_json: JsonOption = False,
) -> None:
    """Each step of a run: inputs (secrets masked), output size, duration and error."""
    data = _service().run_log(run_id)
    if as_json:
        print_json(data)
        return
    render.run_log(data)


@app.command("schema")
@exits_cleanly
def print_schema(
    path: Annotated[bool, typer.Option("--path", help="Print where the schema file is instead.")] = False,
) -> None:
    """The JSON Schema of workflow files, for editors (e.g. the YAML language server)."""
    typer.echo(str(schema.SCHEMA_FILE) if path else schema.published(), nl=path)
