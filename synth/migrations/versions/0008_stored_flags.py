"""feedback flags stored at write, with the version of the guards that made them

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 17:13:37.810757
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('peer_feedback', sa.Column('flags', postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.add_column('peer_feedback', sa.Column('flags_version', sa.String(length=32), nullable=True))
    op.add_column('self_assessments', sa.Column('flags', postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.add_column('self_assessments', sa.Column('flags_version', sa.String(length=32), nullable=True))
    # Existing rows have none: the worker computes them in the background (and reads do
    # until then), so the upgrade stays fast on a large table.
    op.create_index(op.f('ix_peer_feedback_flags_version'), 'peer_feedback', ['flags_version'], unique=False)
    op.create_index(op.f('ix_self_assessments_flags_version'), 'self_assessments', ['flags_version'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_self_assessments_flags_version'), table_name='self_assessments')
    op.drop_index(op.f('ix_peer_feedback_flags_version'), table_name='peer_feedback')
    op.drop_column('self_assessments', 'flags_version')
    op.drop_column('self_assessments', 'flags')
    op.drop_column('peer_feedback', 'flags_version')
    op.drop_column('peer_feedback', 'flags')
