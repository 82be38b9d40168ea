"""expectation lifecycle: sign-offs, adopted suggestions, outcomes, carry-over, comments, locks

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 08:50:00

A locked expectation is fixed for its period through every path, raw SQL included: the
triggers below refuse to change its text, kind, due date, period, person or position, to
unlock or delete it, and to change the text or position of its key steps or delete them.
Adding a key step and ticking steps off stay allowed. They raise SQLSTATE 23L01 (class 23,
so drivers report an integrity error), which the API answers as 409 `expectation_locked`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LOCKS = """
CREATE FUNCTION expectations_locked_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status <> 'locked' THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP = 'DELETE' OR (
        NEW.status IS DISTINCT FROM OLD.status
        OR NEW.title IS DISTINCT FROM OLD.title
        OR NEW.description IS DISTINCT FROM OLD.description
        OR NEW.kind IS DISTINCT FROM OLD.kind
        OR NEW.due_on IS DISTINCT FROM OLD.due_on
        OR NEW.period_id IS DISTINCT FROM OLD.period_id
        OR NEW.person_id IS DISTINCT FROM OLD.person_id
        OR NEW.position IS DISTINCT FROM OLD.position
    ) THEN
        RAISE EXCEPTION 'expectation_locked: expectation % is locked for its period', OLD.id
            USING ERRCODE = '23L01';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER expectations_locked BEFORE UPDATE OR DELETE ON expectations
    FOR EACH ROW EXECUTE FUNCTION expectations_locked_guard();

CREATE FUNCTION key_steps_locked_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM expectations WHERE id = OLD.expectation_id AND status = 'locked'
    ) AND (
        TG_OP = 'DELETE'
        OR NEW.text IS DISTINCT FROM OLD.text
        OR NEW.position IS DISTINCT FROM OLD.position
        OR NEW.expectation_id IS DISTINCT FROM OLD.expectation_id
    ) THEN
        RAISE EXCEPTION 'expectation_locked: key step % belongs to a locked expectation', OLD.id
            USING ERRCODE = '23L01';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER key_steps_locked BEFORE UPDATE OR DELETE ON key_steps
    FOR EACH ROW EXECUTE FUNCTION key_steps_locked_guard();
"""


def _outcome() -> sa.Enum:
    return sa.Enum(
        "met",
        "partially_met",
        "missed",
        name="outcome",
        native_enum=False,
        create_constraint=True,
        length=32,
    )


def upgrade() -> None:
    op.add_column(
        "review_periods",
        sa.Column("start_override", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )
    for column in (
        sa.Column("engineer_agreed_by_id", sa.Uuid(), nullable=True),
        sa.Column("engineer_agreed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("manager_agreed_by_id", sa.Uuid(), nullable=True),
        sa.Column("manager_agreed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source_draft_id", sa.Uuid(), nullable=True),
        sa.Column("source_index", sa.Integer(), nullable=True),
        sa.Column("carried_from_id", sa.Uuid(), nullable=True),
        sa.Column("manager_outcome", _outcome(), nullable=True),
        sa.Column("manager_reflection", sa.Text(), nullable=True),
        sa.Column("outcome_by_id", sa.Uuid(), nullable=True),
        sa.Column("outcome_at", sa.DateTime(timezone=True), nullable=True),
    ):
        op.add_column("expectations", column)
    for name, referred in (
        ("engineer_agreed_by_id", "people"),
        ("manager_agreed_by_id", "people"),
        ("outcome_by_id", "people"),
        ("source_draft_id", "drafts"),
        ("carried_from_id", "expectations"),
    ):
        op.create_foreign_key(
            op.f(f"fk_expectations_{name}_{referred}"),
            "expectations",
            referred,
            [name],
            ["id"],
        )
    op.create_unique_constraint(
        op.f("uq_expectations_source_draft_id_source_index"), "expectations", ["source_draft_id", "source_index"]
    )
    op.create_unique_constraint(
        op.f("uq_expectations_carried_from_id"), "expectations", ["carried_from_id"]
    )
    op.create_table(
        "expectation_comments",
        sa.Column("expectation_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("flags", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("flags_version", sa.String(length=32), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["people.id"], name=op.f("fk_expectation_comments_author_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["expectation_id"],
            ["expectations.id"],
            name=op.f("fk_expectation_comments_expectation_id_expectations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expectation_comments")),
    )
    op.create_index(
        op.f("ix_expectation_comments_expectation_id"),
        "expectation_comments",
        ["expectation_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_expectation_comments_flags_version"),
        "expectation_comments",
        ["flags_version"],
        unique=False,
    )
    op.execute(LOCKS)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS key_steps_locked ON key_steps")
    op.execute("DROP FUNCTION IF EXISTS key_steps_locked_guard()")
    op.execute("DROP TRIGGER IF EXISTS expectations_locked ON expectations")
    op.execute("DROP FUNCTION IF EXISTS expectations_locked_guard()")
    op.drop_index(op.f("ix_expectation_comments_flags_version"), table_name="expectation_comments")
    op.drop_index(op.f("ix_expectation_comments_expectation_id"), table_name="expectation_comments")
    op.drop_table("expectation_comments")
    op.drop_constraint(op.f("uq_expectations_carried_from_id"), "expectations", type_="unique")
    op.drop_constraint(op.f("uq_expectations_source_draft_id_source_index"), "expectations", type_="unique")
    for name, referred in (
        ("carried_from_id", "expectations"),
        ("source_draft_id", "drafts"),
        ("outcome_by_id", "people"),
        ("manager_agreed_by_id", "people"),
        ("engineer_agreed_by_id", "people"),
    ):
        op.drop_constraint(
            op.f(f"fk_expectations_{name}_{referred}"), "expectations", type_="foreignkey"
        )
    for name in (
        "outcome_at",
        "outcome_by_id",
        "manager_reflection",
        "manager_outcome",
        "carried_from_id",
        "source_index",
        "source_draft_id",
        "manager_agreed_at",
        "manager_agreed_by_id",
        "engineer_agreed_at",
        "engineer_agreed_by_id",
    ):
        op.drop_column("expectations", name)
    op.drop_column("review_periods", "start_override")
