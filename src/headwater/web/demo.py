"""The last step of `make demo`: a demo login, and the exact command that serves the dashboard over the
demo's data.

The demo process (and its sandbox) ends when the tour does, so the dashboard is not left running in the
background: the command printed starts it in the foreground on the demo's home, where the tickets, audit
trails and runs of the tour are kept. The connections there point at the sandbox that has stopped, so
their Test button fails; everything recorded stays browsable.
"""

from __future__ import annotations

import secrets
import shlex
import sys
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from headwater.accounts.users import Users
from headwater.errors import NotFound

DEMO_EMAIL = "admin@example.com"
DEFAULT_URL = "http://127.0.0.1:8800"


def headwater_command() -> str:
    beside = Path(sys.executable).parent / "headwater"
    return str(beside) if beside.exists() else "headwater"


def step_web(run: Any) -> None:
    users = Users(run.db)
    password = SecretStr(secrets.token_urlsafe(12))
    try:
        users.get(DEMO_EMAIL)
        users.set_password(DEMO_EMAIL, password, actor="demo")
    except NotFound:
        users.add(DEMO_EMAIL, password, "admin", actor="demo")
    command = f"HEADWATER_HOME={shlex.quote(str(run.home))} {shlex.quote(headwater_command())} serve"
    run.facts["dashboard"] = {"url": DEFAULT_URL, "email": DEMO_EMAIL}
    say = run.console.print
    say("The dashboard shows everything above. Start it over this demo's data with:", highlight=False)
    say(f"  {command}", markup=False, highlight=False, soft_wrap=True)
    say(
        f"then open {DEFAULT_URL} and log in as {DEMO_EMAIL} with the password {password.get_secret_value()}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    say("(a demo login: it exists only in this demo's home).", highlight=False)
