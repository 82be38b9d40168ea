"""Audit event bodies."""

import uuid
from datetime import datetime
from typing import Any

from synth.schemas import OutputModel


class AuditEventOut(OutputModel):
    seq: int
    created_at: datetime
    actor_key_id: uuid.UUID | None
    actor_person_id: uuid.UUID | None
    actor_role: str
    action: str
    entity_type: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
