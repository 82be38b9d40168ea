"""drafts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 02:39:41.472036
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('drafts',
    sa.Column('kind', sa.Enum('synthesis', 'expectations', 'checklist', name='draft_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('queued', 'generating', 'ready_for_review', 'approved', 'rejected', 'released', 'failed', name='draft_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('subject_id', sa.Uuid(), nullable=False),
    sa.Column('period_id', sa.Uuid(), nullable=False),
    sa.Column('assessment_id', sa.Uuid(), nullable=True),
    sa.Column('requested_by_id', sa.Uuid(), nullable=True),
    sa.Column('drafter', sa.String(length=200), nullable=False),
    sa.Column('options', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('model', sa.String(length=200), nullable=True),
    sa.Column('prompt_version', sa.String(length=100), nullable=True),
    sa.Column('inputs_hash', sa.String(length=64), nullable=True),
    sa.Column('inputs', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('output', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('edited', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('released', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('usage', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('error_code', sa.String(length=64), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('reject_reason', sa.Text(), nullable=True),
    sa.Column('reused_from_id', sa.Uuid(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('leased_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['talent_assessments.id'], name=op.f('fk_drafts_assessment_id_talent_assessments')),
    sa.ForeignKeyConstraint(['period_id'], ['review_periods.id'], name=op.f('fk_drafts_period_id_review_periods')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['people.id'], name=op.f('fk_drafts_requested_by_id_people')),
    sa.ForeignKeyConstraint(['reused_from_id'], ['drafts.id'], name=op.f('fk_drafts_reused_from_id_drafts')),
    sa.ForeignKeyConstraint(['subject_id'], ['people.id'], name=op.f('fk_drafts_subject_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drafts'))
    )
    op.create_index(op.f('ix_drafts_inputs_hash'), 'drafts', ['inputs_hash'], unique=False)
    op.create_index(op.f('ix_drafts_period_id'), 'drafts', ['period_id'], unique=False)
    op.create_index('ix_drafts_queue', 'drafts', ['status', 'created_at'], unique=False)
    op.create_index(op.f('ix_drafts_subject_id'), 'drafts', ['subject_id'], unique=False)
    op.create_index('uq_drafts_in_flight', 'drafts', ['kind', 'subject_id', 'period_id'], unique=True, postgresql_where=sa.text("status IN ('queued', 'generating')"))


def downgrade() -> None:
    op.drop_index('uq_drafts_in_flight', table_name='drafts', postgresql_where=sa.text("status IN ('queued', 'generating')"))
    op.drop_index(op.f('ix_drafts_subject_id'), table_name='drafts')
    op.drop_index('ix_drafts_queue', table_name='drafts')
    op.drop_index(op.f('ix_drafts_period_id'), table_name='drafts')
    op.drop_index(op.f('ix_drafts_inputs_hash'), table_name='drafts')
    op.drop_table('drafts')
