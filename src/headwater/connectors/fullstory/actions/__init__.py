"""Every FullStory action, in catalogue order: the modules in this order, each action as it is written."""

from __future__ import annotations

from headwater.actions.decorator import collect
from headwater.actions.model import Action
from headwater.connectors.fullstory.actions import events, exports, imports, sessions, users


def all_actions() -> list[Action]:
    return collect(users, sessions, events, imports, exports)
