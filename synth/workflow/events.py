"""Wake-up calls for workers, sent with PostgreSQL NOTIFY (delivered when the write commits)."""

from sqlalchemy import text
from sqlalchemy.orm import Session

FEEDBACK_CHANNEL = "synth_feedback"
DRAFTS_CHANNEL = "synth_drafts"


def notify_feedback_stored(db_session: Session) -> None:
    """Feedback or a self-assessment changed: there is text to embed."""
    db_session.execute(text(f"NOTIFY {FEEDBACK_CHANNEL}"))


def notify_draft_requested(db_session: Session) -> None:
    """A draft was queued: there is something to generate."""
    db_session.execute(text(f"NOTIFY {DRAFTS_CHANNEL}"))
