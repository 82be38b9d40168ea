"""Who is acting: the principal every service function receives."""

import uuid
from dataclasses import dataclass

from synth.auth.models import Role
from synth.errors import Forbidden


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: a role, and for person-bound roles the person they are."""

    role: Role
    person_id: uuid.UUID | None = None
    key_id: uuid.UUID | None = None

    @classmethod
    def system(cls) -> "Principal":
        """The local operator (CLI, demo): full rights, audited as admin with no key."""
        return cls(role=Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def require(self, *roles: Role) -> None:
        """Raise Forbidden unless the principal has one of `roles` (admin always passes)."""
        if self.role is Role.ADMIN or self.role in roles:
            return
        allowed = ", ".join(r.value for r in roles) or "admin"
        raise Forbidden(
            f"role '{self.role.value}' may not do this (allowed: admin, {allowed})"
            if roles
            else f"role '{self.role.value}' may not do this (allowed: admin)"
        )
