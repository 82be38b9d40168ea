"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28 01:37:44.549082
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


APPEND_ONLY = """
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
"""


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.create_table('audit_events',
    sa.Column('seq', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('actor_key_id', sa.Uuid(), nullable=True),
    sa.Column('actor_person_id', sa.Uuid(), nullable=True),
    sa.Column('actor_role', sa.String(length=32), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('entity_type', sa.String(length=64), nullable=False),
    sa.Column('entity_id', sa.String(length=64), nullable=False),
    sa.Column('before', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('after', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events')),
    sa.UniqueConstraint('seq', name=op.f('uq_audit_events_seq'))
    )
    op.create_index(op.f('ix_audit_events_action'), 'audit_events', ['action'], unique=False)
    op.create_index(op.f('ix_audit_events_entity_id'), 'audit_events', ['entity_id'], unique=False)
    op.create_table('competencies',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_competencies'))
    )
    op.create_table('levels',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('track', sa.Enum('ic', 'management', name='track', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('expectation_style', sa.String(length=32), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('expectations', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('example_expectations', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('framework', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_levels')),
    sa.UniqueConstraint('track', 'rank', name=op.f('uq_levels_track_rank'))
    )
    op.create_table('people',
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('manager_id', sa.Uuid(), nullable=True),
    sa.Column('level', sa.String(length=64), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('function', sa.Enum('engineering', 'product', 'design', 'data', 'hr', 'other', name='function', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('track', sa.Enum('ic', 'management', name='track', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('manager_id IS NULL OR manager_id <> id', name=op.f('ck_people_no_self')),
    sa.ForeignKeyConstraint(['manager_id'], ['people.id'], name=op.f('fk_people_manager_id_people'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_people')),
    sa.UniqueConstraint('email', name=op.f('uq_people_email'))
    )
    op.create_index(op.f('ix_people_manager_id'), 'people', ['manager_id'], unique=False)
    op.create_table('review_periods',
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.Enum('quarter', 'half_year', name='period_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('planning', 'active', 'in_review', 'closed', name='period_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('ends_on > starts_on', name=op.f('ck_review_periods_ordered_dates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_periods')),
    sa.UniqueConstraint('name', name=op.f('uq_review_periods_name'))
    )
    op.create_table('api_keys',
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('role', sa.Enum('admin', 'hr', 'manager', 'engineer', 'thought_partner', 'service', name='role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('person_id', sa.Uuid(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_api_keys_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('prefix', name=op.f('uq_api_keys_prefix'))
    )
    op.create_index(op.f('ix_api_keys_person_id'), 'api_keys', ['person_id'], unique=False)
    op.create_table('expectations',
    sa.Column('period_id', sa.Uuid(), nullable=False),
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('kind', sa.Enum('growth', 'stability', 'onboarding', 'remedial', 'next_level', 'team_objective', name='expectation_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('proposed', 'agreed', 'locked', name='expectation_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('position BETWEEN 1 AND 5', name=op.f('ck_expectations_position_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['people.id'], name=op.f('fk_expectations_created_by_id_people')),
    sa.ForeignKeyConstraint(['period_id'], ['review_periods.id'], name=op.f('fk_expectations_period_id_review_periods')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_expectations_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expectations')),
    sa.UniqueConstraint('period_id', 'person_id', 'position', name=op.f('uq_expectations_period_id_person_id_position'))
    )
    op.create_index(op.f('ix_expectations_period_id'), 'expectations', ['period_id'], unique=False)
    op.create_index(op.f('ix_expectations_person_id'), 'expectations', ['person_id'], unique=False)
    op.create_table('feedback_requests',
    sa.Column('period_id', sa.Uuid(), nullable=False),
    sa.Column('subject_id', sa.Uuid(), nullable=False),
    sa.Column('reviewer_id', sa.Uuid(), nullable=False),
    sa.Column('requested_by_id', sa.Uuid(), nullable=True),
    sa.Column('relationship', sa.Enum('peer', 'cross_functional', 'report', 'manager', 'skip_level', name='relationship', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('open', 'submitted', 'declined', name='request_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['period_id'], ['review_periods.id'], name=op.f('fk_feedback_requests_period_id_review_periods')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['people.id'], name=op.f('fk_feedback_requests_requested_by_id_people')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['people.id'], name=op.f('fk_feedback_requests_reviewer_id_people')),
    sa.ForeignKeyConstraint(['subject_id'], ['people.id'], name=op.f('fk_feedback_requests_subject_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_requests')),
    sa.UniqueConstraint('period_id', 'subject_id', 'reviewer_id', name=op.f('uq_feedback_requests_period_id_subject_id_reviewer_id'))
    )
    op.create_index(op.f('ix_feedback_requests_period_id'), 'feedback_requests', ['period_id'], unique=False)
    op.create_index(op.f('ix_feedback_requests_reviewer_id'), 'feedback_requests', ['reviewer_id'], unique=False)
    op.create_index(op.f('ix_feedback_requests_subject_id'), 'feedback_requests', ['subject_id'], unique=False)
    op.create_table('talent_assessments',
    sa.Column('period_id', sa.Uuid(), nullable=False),
    sa.Column('subject_id', sa.Uuid(), nullable=False),
    sa.Column('assessor_id', sa.Uuid(), nullable=False),
    sa.Column('thought_partner_id', sa.Uuid(), nullable=True),
    sa.Column('level_alignment', sa.Enum('below', 'meeting', 'exceeding', name='level_alignment', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('confidence', sa.Enum('low', 'medium', 'high', name='confidence', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('strengths', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('development_needs', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('recommended_level', sa.String(length=64), nullable=True),
    sa.Column('coaching_plan', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['assessor_id'], ['people.id'], name=op.f('fk_talent_assessments_assessor_id_people')),
    sa.ForeignKeyConstraint(['period_id'], ['review_periods.id'], name=op.f('fk_talent_assessments_period_id_review_periods')),
    sa.ForeignKeyConstraint(['subject_id'], ['people.id'], name=op.f('fk_talent_assessments_subject_id_people')),
    sa.ForeignKeyConstraint(['thought_partner_id'], ['people.id'], name=op.f('fk_talent_assessments_thought_partner_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_talent_assessments')),
    sa.UniqueConstraint('period_id', 'subject_id', name=op.f('uq_talent_assessments_period_id_subject_id'))
    )
    op.create_index(op.f('ix_talent_assessments_period_id'), 'talent_assessments', ['period_id'], unique=False)
    op.create_index(op.f('ix_talent_assessments_subject_id'), 'talent_assessments', ['subject_id'], unique=False)
    op.create_index(op.f('ix_talent_assessments_thought_partner_id'), 'talent_assessments', ['thought_partner_id'], unique=False)
    op.create_table('idempotency_records',
    sa.Column('api_key_id', sa.Uuid(), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('body', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['api_key_id'], ['api_keys.id'], name=op.f('fk_idempotency_records_api_key_id_api_keys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_records')),
    sa.UniqueConstraint('api_key_id', 'key', name=op.f('uq_idempotency_records_api_key_id_key'))
    )
    op.create_table('key_steps',
    sa.Column('expectation_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['expectation_id'], ['expectations.id'], name=op.f('fk_key_steps_expectation_id_expectations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_key_steps')),
    sa.UniqueConstraint('expectation_id', 'position', name=op.f('uq_key_steps_expectation_id_position'))
    )
    op.create_index(op.f('ix_key_steps_expectation_id'), 'key_steps', ['expectation_id'], unique=False)
    op.create_table('peer_feedback',
    sa.Column('period_id', sa.Uuid(), nullable=False),
    sa.Column('subject_id', sa.Uuid(), nullable=False),
    sa.Column('author_id', sa.Uuid(), nullable=False),
    sa.Column('request_id', sa.Uuid(), nullable=True),
    sa.Column('relationship', sa.Enum('peer', 'cross_functional', 'report', 'manager', 'skip_level', name='relationship', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('author_level', sa.String(length=64), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('role_fit', sa.Text(), nullable=True),
    sa.Column('growth_potential', sa.Text(), nullable=True),
    sa.Column('expectation_answers', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('author_id <> subject_id', name=op.f('ck_peer_feedback_not_self')),
    sa.ForeignKeyConstraint(['author_id'], ['people.id'], name=op.f('fk_peer_feedback_author_id_people')),
    sa.ForeignKeyConstraint(['period_id'], ['review_periods.id'], name=op.f('fk_peer_feedback_period_id_review_periods')),
    sa.ForeignKeyConstraint(['request_id'], ['feedback_requests.id'], name=op.f('fk_peer_feedback_request_id_feedback_requests')),
    sa.ForeignKeyConstraint(['subject_id'], ['people.id'], name=op.f('fk_peer_feedback_subject_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_peer_feedback')),
    sa.UniqueConstraint('period_id', 'subject_id', 'author_id', 'content_hash', name=op.f('uq_peer_feedback_period_id_subject_id_author_id_content_hash'))
    )
    op.create_index(op.f('ix_peer_feedback_author_id'), 'peer_feedback', ['author_id'], unique=False)
    op.create_index(op.f('ix_peer_feedback_period_id'), 'peer_feedback', ['period_id'], unique=False)
    op.create_index(op.f('ix_peer_feedback_subject_id'), 'peer_feedback', ['subject_id'], unique=False)
    op.create_table('self_assessments',
    sa.Column('period_id', sa.Uuid(), nullable=False),
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('expectation_id', sa.Uuid(), nullable=True),
    sa.Column('outcome', sa.Enum('met', 'partially_met', 'missed', name='outcome', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['expectation_id'], ['expectations.id'], name=op.f('fk_self_assessments_expectation_id_expectations')),
    sa.ForeignKeyConstraint(['period_id'], ['review_periods.id'], name=op.f('fk_self_assessments_period_id_review_periods')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_self_assessments_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_self_assessments')),
    sa.UniqueConstraint('period_id', 'person_id', 'expectation_id', name=op.f('uq_self_assessments_period_id_person_id_expectation_id'))
    )
    op.create_index(op.f('ix_self_assessments_period_id'), 'self_assessments', ['period_id'], unique=False)
    op.create_index(op.f('ix_self_assessments_person_id'), 'self_assessments', ['person_id'], unique=False)
    op.create_index('uq_self_assessments_overall', 'self_assessments', ['period_id', 'person_id'], unique=True, postgresql_where=sa.text('expectation_id IS NULL'))
    op.execute(APPEND_ONLY)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS audit_events_no_change ON audit_events")
    op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")
    op.drop_index('uq_self_assessments_overall', table_name='self_assessments', postgresql_where=sa.text('expectation_id IS NULL'))
    op.drop_index(op.f('ix_self_assessments_person_id'), table_name='self_assessments')
    op.drop_index(op.f('ix_self_assessments_period_id'), table_name='self_assessments')
    op.drop_table('self_assessments')
    op.drop_index(op.f('ix_peer_feedback_subject_id'), table_name='peer_feedback')
    op.drop_index(op.f('ix_peer_feedback_period_id'), table_name='peer_feedback')
    op.drop_index(op.f('ix_peer_feedback_author_id'), table_name='peer_feedback')
    op.drop_table('peer_feedback')
    op.drop_index(op.f('ix_key_steps_expectation_id'), table_name='key_steps')
    op.drop_table('key_steps')
    op.drop_table('idempotency_records')
    op.drop_index(op.f('ix_talent_assessments_thought_partner_id'), table_name='talent_assessments')
    op.drop_index(op.f('ix_talent_assessments_subject_id'), table_name='talent_assessments')
    op.drop_index(op.f('ix_talent_assessments_period_id'), table_name='talent_assessments')
    op.drop_table('talent_assessments')
    op.drop_index(op.f('ix_feedback_requests_subject_id'), table_name='feedback_requests')
    op.drop_index(op.f('ix_feedback_requests_reviewer_id'), table_name='feedback_requests')
    op.drop_index(op.f('ix_feedback_requests_period_id'), table_name='feedback_requests')
    op.drop_table('feedback_requests')
    op.drop_index(op.f('ix_expectations_person_id'), table_name='expectations')
    op.drop_index(op.f('ix_expectations_period_id'), table_name='expectations')
    op.drop_table('expectations')
    op.drop_index(op.f('ix_api_keys_person_id'), table_name='api_keys')
    op.drop_table('api_keys')
    op.drop_table('review_periods')
    op.drop_index(op.f('ix_people_manager_id'), table_name='people')
    op.drop_table('people')
    op.drop_table('levels')
    op.drop_table('competencies')
    op.drop_index(op.f('ix_audit_events_entity_id'), table_name='audit_events')
    op.drop_index(op.f('ix_audit_events_action'), table_name='audit_events')
    op.drop_table('audit_events')
