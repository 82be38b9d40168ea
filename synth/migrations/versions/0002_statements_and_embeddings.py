"""statements and embeddings

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 01:58:24.685757
"""

from collections.abc import Sequence

import pgvector.sqlalchemy
import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('ingest_failures',
    sa.Column('model', sa.String(length=200), nullable=False),
    sa.Column('statements', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ingest_failures'))
    )
    op.create_index(op.f('ix_ingest_failures_model'), 'ingest_failures', ['model'], unique=False)
    op.create_table('statements',
    sa.Column('source_type', sa.Enum('peer_feedback', 'self_assessment', name='source_type', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('feedback_id', sa.Uuid(), nullable=True),
    sa.Column('self_assessment_id', sa.Uuid(), nullable=True),
    sa.Column('period_id', sa.Uuid(), nullable=False),
    sa.Column('subject_id', sa.Uuid(), nullable=False),
    sa.Column('author_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('start_offset', sa.Integer(), nullable=False),
    sa.Column('end_offset', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('(feedback_id IS NULL) <> (self_assessment_id IS NULL)', name=op.f('ck_statements_one_source')),
    sa.CheckConstraint('start_offset >= 0 AND end_offset > start_offset', name=op.f('ck_statements_span')),
    sa.ForeignKeyConstraint(['author_id'], ['people.id'], name=op.f('fk_statements_author_id_people')),
    sa.ForeignKeyConstraint(['feedback_id'], ['peer_feedback.id'], name=op.f('fk_statements_feedback_id_peer_feedback'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['period_id'], ['review_periods.id'], name=op.f('fk_statements_period_id_review_periods')),
    sa.ForeignKeyConstraint(['self_assessment_id'], ['self_assessments.id'], name=op.f('fk_statements_self_assessment_id_self_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subject_id'], ['people.id'], name=op.f('fk_statements_subject_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statements')),
    sa.UniqueConstraint('feedback_id', 'position', name=op.f('uq_statements_feedback_id_position')),
    sa.UniqueConstraint('self_assessment_id', 'position', name=op.f('uq_statements_self_assessment_id_position'))
    )
    op.create_index(op.f('ix_statements_feedback_id'), 'statements', ['feedback_id'], unique=False)
    op.create_index(op.f('ix_statements_period_id'), 'statements', ['period_id'], unique=False)
    op.create_index(op.f('ix_statements_self_assessment_id'), 'statements', ['self_assessment_id'], unique=False)
    op.create_index(op.f('ix_statements_subject_id'), 'statements', ['subject_id'], unique=False)
    op.create_table('statement_embeddings',
    sa.Column('statement_id', sa.Uuid(), nullable=False),
    sa.Column('model', sa.String(length=200), nullable=False),
    sa.Column('dim', sa.Integer(), nullable=False),
    sa.Column('embedding', pgvector.sqlalchemy.vector.VECTOR(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_statement_embeddings_statement_id_statements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('statement_id', 'model', name=op.f('pk_statement_embeddings'))
    )
    # The default model's index; other models get theirs when first used (themes.store).
    op.execute(
        "CREATE INDEX IF NOT EXISTS hnsw_all_minilm_l6_v2 ON statement_embeddings "
        "USING hnsw ((embedding::vector(384)) vector_cosine_ops) "
        "WHERE model = 'all-MiniLM-L6-v2'"
    )


def downgrade() -> None:
    op.drop_table('statement_embeddings')
    op.drop_index(op.f('ix_statements_subject_id'), table_name='statements')
    op.drop_index(op.f('ix_statements_self_assessment_id'), table_name='statements')
    op.drop_index(op.f('ix_statements_period_id'), table_name='statements')
    op.drop_index(op.f('ix_statements_feedback_id'), table_name='statements')
    op.drop_table('statements')
    op.drop_index(op.f('ix_ingest_failures_model'), table_name='ingest_failures')
    op.drop_table('ingest_failures')
