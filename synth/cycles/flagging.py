"""Keep the stored feedback flags current: rows flagged by older guards are recomputed.

The worker calls `refresh_stale` every round; a deployment that changes the guards (a new
release, an edited lexicon) has its flags brought up to date in batches, without a
migration, while reads compute the flags of rows not yet refreshed.
"""

from typing import cast

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from synth.cycles.models import Flagged, PeerFeedback, SelfAssessment
from synth.guards.flags import FLAGS_VERSION


def refresh_stale(db_session: Session, *, limit: int = 500) -> int:
    """Recompute up to `limit` rows' flags made by other guards (or none); rows refreshed."""
    refreshed = 0
    for model in (PeerFeedback, SelfAssessment):
        rows = db_session.scalars(
            select(model)
            .where(
                or_(  # ranges, not "!=": the version index finds the few stale rows
                    model.flags_version.is_(None),
                    model.flags_version < FLAGS_VERSION,
                    model.flags_version > FLAGS_VERSION,
                )
            )
            .limit(limit - refreshed)
            .with_for_update(skip_locked=True)
        ).all()
        for row in rows:
            cast(Flagged, row).refresh_flags()
        refreshed += len(rows)
        if refreshed >= limit:
            break
    return refreshed
