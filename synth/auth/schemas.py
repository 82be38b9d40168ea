"""API key bodies. The secret appears once, in the create response."""

import uuid
from datetime import datetime

from pydantic import Field

from synth.auth.models import Role
from synth.schemas import InputModel, OutputModel


class KeyCreate(InputModel):
    role: Role
    person_id: uuid.UUID | None = None
    name: str = Field(default="", max_length=200)
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class KeyOut(OutputModel):
    id: uuid.UUID
    prefix: str
    role: Role
    person_id: uuid.UUID | None
    name: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class KeyCreated(KeyOut):
    token: str = Field(description="The API key; shown only in this response")
