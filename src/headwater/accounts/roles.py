"""Three roles, each allowed everything the one below it is: viewer < operator < admin.

viewer reads; operator also creates and handles privacy tickets and runs read-only actions; admin also
manages connections, users, tokens, workflows and runs destructive actions.
"""

from __future__ import annotations

from enum import StrEnum

from headwater.errors import BadInput


class Role(StrEnum):
    VIEWER = "viewer"
    OPERATOR = "operator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


_RANKS = {Role.VIEWER: 0, Role.OPERATOR: 1, Role.ADMIN: 2}
ROLES = tuple(role.value for role in Role)


def parse_role(text: str) -> Role:
    try:
        return Role((text or "").strip().lower())
    except ValueError:
        raise BadInput(f"Unknown role {text!r}.", hint=f"Use one of: {', '.join(ROLES)}.") from None
