"""How `headwater dsr` shows tickets to a person: a summary table, one ticket in full, its audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.markup import escape

from headwater.cli.output import console, key_values, table
from headwater.privacy import states

#: marks a ticket whose status hides that a person must act (see `states.ATTENTION`)
ATTENTION_MARK = "!"


def when(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return "" if value is None else str(value)


def due(ticket: dict[str, Any]) -> str:
    text = when(ticket["due_at"])[:10]
    days = ticket.get("days_left")
    if days is None:
        return text
    return f"{text} (overdue by {-days}d)" if ticket.get("overdue") else f"{text} ({days}d left)"


def attention(data: dict[str, Any]) -> str:
    """What a person must act on, e.g. "fs failed, amp needs input"; "" when nothing."""
    return ", ".join(
        f"{t['connection']} {t['status'].replace('_', ' ')}"
        for t in data["tasks"]
        if t["status"] in states.ATTENTION
    )


def status(ticket: dict[str, Any]) -> str:
    hidden = ticket.get("needs_attention") and ticket["status"] not in states.ATTENTION
    return f"{ticket['status']} {ATTENTION_MARK}" if hidden else ticket["status"]


def tickets(rows: list[dict[str, Any]]) -> None:
    if not rows:
        console.print("No privacy requests match.")
        return
    body = [(t["id"], t["kind"], status(t), t["email"], t["regulation"], due(t), t["records"]) for t in rows]
    console.print(table(None, ["id", "kind", "status", "email", "law", "due", "records"], body))
    marked = [t["id"] for t in rows if status(t) != t["status"]]
    if marked:
        console.print(
            f"{ATTENTION_MARK} needs attention (a task failed or needs input): {', '.join(marked)}; "
            "`headwater dsr show` says which.",
            markup=False,
        )


def ticket(data: dict[str, Any]) -> None:
    head = {
        "kind": data["kind"],
        "status": data["status"],
        "needs attention": attention(data) or "no",
        "email": data["email"],
        **{k.replace("_", " "): v for k, v in data["identifiers"].items()},
        "regulation": data["regulation"].upper(),
        "received": when(data["received_at"]),
        "due": due(data),
        "records": data["records"],
        "created by": data["created_by"],
    }
    console.print(key_values(head, f"Privacy request {data['id']}"))
    rows = [
        (
            t["connection"],
            f"replica {t['replica']}" if t.get("replica") else t["provider"],
            t["status"],
            t["attempts"],
            t["records"],
            "; ".join(t["identities"]),
            t["last_error"] or "",
        )
        for t in data["tasks"]
    ]
    columns = ["connection", "provider", "status", "attempts", "records", "identity", "error"]
    console.print(table("Tasks", columns, rows))


def trail(entries: list[dict[str, Any]]) -> None:
    body = [
        (e["at"][:19].replace("T", " "), e["actor"], e["action"].removeprefix("dsr."), e["message"])
        for e in entries
    ]
    console.print(table(None, ["at (UTC)", "actor", "action", "what"], body))


def progress_line(data: dict[str, Any]) -> str:
    parts = ", ".join(f"{t['connection']} {t['status']}" for t in data["tasks"])
    return escape(f"{data['id']}: {data['status']} ({parts})")
