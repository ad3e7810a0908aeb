"""Every FullStory action, in catalogue order."""

from __future__ import annotations

from headwater.actions.model import Action
from headwater.connectors.fullstory.actions import events, exports, imports, sessions, users


def all_actions() -> list[Action]:
    return [*users.ACTIONS, *sessions.ACTIONS, *events.ACTIONS, *imports.ACTIONS, *exports.ACTIONS]
