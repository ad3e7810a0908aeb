"""Workflows: YAML files of steps over the action catalogue, run on a schedule or on demand.

`model` is the file's shape (and the published JSON Schema), `loader` reads YAML with line numbers,
`validate` checks a file against the schema, the catalogue and the connections, `engine` runs the steps
with `templating`, `state` keeps each workflow's small JSON document, `schedules` fires cron runs once,
`runs` makes each run a job, and `service` is what the CLI calls.
"""
