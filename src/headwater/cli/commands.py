"""Every top-level command: where it lives and its one-line help, so none is imported before it runs."""

from __future__ import annotations

from headwater.cli.lazy import CommandRef

COMMANDS: list[CommandRef] = [
    CommandRef("demo", "headwater.cli.demo_cmd", "demo", "Run every feature against the local sandbox — no account, no network."),
    CommandRef("sandbox", "headwater.cli.sandbox", "sandbox", "Run local FullStory and Amplitude API emulators with demo data; Ctrl-C stops them."),
    CommandRef("connect", "headwater.cli.connect_cmd", "app", "Connect a provider account (the credentials are tested first)."),
    CommandRef("connections", "headwater.cli.connections_cmd", "app", "Manage stored connections (credentials are always masked)."),
    CommandRef("actions", "headwater.cli.actions_cmd", "app", "Typed provider calls: list, inspect and run them."),
    CommandRef("request", "headwater.cli.request_cmd", "request", "Send a raw HTTP request; prints the status and body (exit 1 when the status is 400 or more)."),
    CommandRef("dsr", "headwater.cli.dsr_cmd", "app", "Privacy requests: delete or copy a person's data everywhere."),
    CommandRef("sync", "headwater.cli.sync_cmd", "app", "Replicate a connection's events into DuckDB (default) or PostgreSQL, incrementally."),
    CommandRef("destinations", "headwater.cli.destinations_cmd", "app", "Named sync destinations (the web syncs only into these): add, list, remove."),
    CommandRef("timeline", "headwater.cli.timeline_cmd", "timeline", "The user session timeline, from the events a sync loaded."),
    CommandRef("discover", "headwater.cli.discover_cmd", "app", "Find the fields of your event data that hold personal data."),
    CommandRef("workflows", "headwater.cli.workflows_cmd", "app", "Scheduled and on-demand workflows over your connections."),
    CommandRef("serve", "headwater.cli.serve_cmd", "serve", "Serve the dashboard and the REST API (/api/v1, docs at /api/docs) until Ctrl-C."),
    CommandRef("users", "headwater.cli.users_cmd", "app", "Dashboard users: add, list, change roles, remove."),
    CommandRef("tokens", "headwater.cli.tokens_cmd", "app", "API tokens for the REST API: create, list, revoke."),
    CommandRef("status", "headwater.cli.status_cmd", "status", "Whether a worker and the scheduler are alive, and how many jobs are due (exit 1 when stalled)."),
    CommandRef("jobs", "headwater.cli.jobs_cmd", "app", "List, inspect and retry background jobs."),
    CommandRef("worker", "headwater.cli.worker_cmd", "worker", "Run jobs until stopped (SIGTERM or Ctrl-C finishes or hands back the running ones)."),
    CommandRef("config", "headwater.cli.config_cmd", "app", "Show the settings in force (secrets masked)."),
    CommandRef("keys", "headwater.cli.keys_cmd", "app", "Manage the master key of the credential vault."),
]  # fmt: skip
