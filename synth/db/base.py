"""ORM base class and the column conventions every table shares."""

import uuid
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Timezone-aware now, the only clock the services use."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base with constraint naming that alembic can diff reliably."""

    metadata = MetaData(naming_convention=NAMING)


class IdMixin:
    """A UUID primary key and a creation time."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), default=utcnow
    )


def load_all_models() -> None:
    """Import every capability's models so Base.metadata knows all tables."""
    from synth.audit import models as _audit  # noqa: F401
    from synth.auth import models as _auth  # noqa: F401
    from synth.cycles import models as _cycles  # noqa: F401
    from synth.drafting import models as _drafting  # noqa: F401
    from synth.evaluation import models as _evaluation  # noqa: F401
    from synth.events import models as _events  # noqa: F401
    from synth.idempotency import models as _idempotency  # noqa: F401
    from synth.people import models as _people  # noqa: F401
    from synth.talent import models as _talent  # noqa: F401
    from synth.themes import models as _themes  # noqa: F401
