"""Every action every provider offers, and finding one by key with a helpful miss."""

from __future__ import annotations

import difflib

from headwater.actions.model import Action
from headwater.connectors.registry import get_provider, kinds
from headwater.errors import NotFound


def actions_of(provider: str) -> list[Action]:
    """One provider's actions, in the order the provider lists them; duplicate keys are a bug."""
    actions = get_provider(provider).actions()
    seen: set[str] = set()
    for action in actions:
        if action.key in seen:
            raise ValueError(f"{provider} defines the action {action.key!r} twice")
        seen.add(action.key)
    return actions


def all_actions(provider: str | None = None) -> list[Action]:
    if provider is not None:
        return actions_of(provider)
    return [action for kind in kinds() for action in actions_of(kind)]


def find_action(provider: str, key: str) -> Action:
    """The action `key` of `provider`; NotFound suggesting the closest keys otherwise."""
    actions = actions_of(provider)
    for action in actions:
        if action.key == key:
            return action
    close = difflib.get_close_matches(key, [a.key for a in actions], n=3, cutoff=0.5)
    hint = f"Did you mean {', '.join(close)}? " if close else ""
    raise NotFound(
        f"{provider} has no action {key!r}.",
        hint=f"{hint}See `headwater actions list --provider {provider}`.",
    )
