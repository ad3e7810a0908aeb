"""Typed provider calls: the model, the catalogue, intent search, the runner and dry runs."""

from headwater.actions.model import Action, ActionContext

__all__ = ["Action", "ActionContext"]
