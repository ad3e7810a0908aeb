"""The catalogue as its callers see it is pinned: `actions list --json`, `actions show` and the REST API
all print `Action.describe()`, so a change to any action's key, order, flags or schemas fails here and
must be made on purpose.

After an intended change, rewrite the snapshot with `python -m tests.actions.test_catalogue_snapshot`
and review its diff like code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from headwater.actions.catalogue import all_actions, find_action

SNAPSHOT = Path(__file__).with_name("catalogue_snapshot.json")


def described(entry: dict[str, Any]) -> Any:
    """What a caller receives: the entry after a trip through JSON."""
    return json.loads(json.dumps(entry))


def live() -> list[dict[str, Any]]:
    return [described(action.describe()) for action in all_actions()]


def pinned() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    return entries


def test_the_catalogue_lists_the_pinned_actions_in_the_pinned_order() -> None:
    def keys(entries: list[dict[str, Any]]) -> list[str]:
        return [f"{entry['provider']}.{entry['key']}" for entry in entries]

    assert keys(live()) == keys(pinned())


@pytest.mark.parametrize("entry", pinned(), ids=lambda entry: f"{entry['provider']}.{entry['key']}")
def test_each_action_is_described_as_pinned(entry: dict[str, Any]) -> None:
    assert described(find_action(entry["provider"], entry["key"]).describe()) == entry


if __name__ == "__main__":
    SNAPSHOT.write_text(json.dumps(live(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {SNAPSHOT}")
