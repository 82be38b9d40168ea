"""feedback requests can be declined; feedback keeps its superseded versions

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-07 08:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RELATIONSHIPS = ("peer", "cross_functional", "report", "manager", "skip_level")


def upgrade() -> None:
    op.add_column("feedback_requests", sa.Column("decline_reason", sa.Text(), nullable=True))
    op.add_column(
        "feedback_requests", sa.Column("declined_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "peer_feedback", sa.Column("version", sa.Integer(), server_default="1", nullable=False)
    )
    op.create_table(
        "feedback_versions",
        sa.Column("feedback_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "change",
            sa.Enum(
                "edited",
                "withdrawn",
                name="feedback_change",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("changed_by_id", sa.Uuid(), nullable=True),
        sa.Column("period_id", sa.Uuid(), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column(
            "relationship",
            sa.Enum(
                *RELATIONSHIPS,
                name="relationship",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("role_fit", sa.Text(), nullable=True),
        sa.Column("growth_potential", sa.Text(), nullable=True),
        sa.Column("expectation_answers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("flags", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("flags_version", sa.String(length=32), nullable=True),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["people.id"], name=op.f("fk_feedback_versions_author_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["people.id"], name=op.f("fk_feedback_versions_changed_by_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["review_periods.id"],
            name=op.f("fk_feedback_versions_period_id_review_periods"),
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["people.id"], name=op.f("fk_feedback_versions_subject_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_versions")),
        sa.UniqueConstraint(
            "feedback_id", "version", name=op.f("uq_feedback_versions_feedback_id_version")
        ),
    )
    op.create_index(
        op.f("ix_feedback_versions_feedback_id"), "feedback_versions", ["feedback_id"], unique=False
    )
    op.create_index(
        op.f("ix_feedback_versions_period_id"), "feedback_versions", ["period_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_feedback_versions_period_id"), table_name="feedback_versions")
    op.drop_index(op.f("ix_feedback_versions_feedback_id"), table_name="feedback_versions")
    op.drop_table("feedback_versions")
    op.drop_column("peer_feedback", "version")
    op.drop_column("feedback_requests", "declined_at")
    op.drop_column("feedback_requests", "decline_reason")
