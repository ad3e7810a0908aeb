"""Typed provider calls: the model, the catalogue, intent search, the runner and dry runs."""

from headwater.actions.decorator import action
from headwater.actions.model import Action, ActionContext, Effect

__all__ = ["Action", "ActionContext", "Effect", "action"]
