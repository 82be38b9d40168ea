"""key step suggestions

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-07 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "key_step_suggestions",
        sa.Column("expectation_id", sa.Uuid(), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=True),
        sa.Column("drafter", sa.String(length=200), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("prompt_version", sa.String(length=100), nullable=False),
        sa.Column("inputs_hash", sa.String(length=64), nullable=False),
        sa.Column("steps", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("adopted", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("usage", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["expectation_id"],
            ["expectations.id"],
            name=op.f("fk_key_step_suggestions_expectation_id_expectations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["people.id"],
            name=op.f("fk_key_step_suggestions_requested_by_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["people.id"], name=op.f("fk_key_step_suggestions_subject_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_step_suggestions")),
    )
    for column in ("expectation_id", "subject_id", "requested_by_id", "inputs_hash"):
        op.create_index(
            op.f(f"ix_key_step_suggestions_{column}"),
            "key_step_suggestions",
            [column],
            unique=False,
        )


def downgrade() -> None:
    for column in ("inputs_hash", "requested_by_id", "subject_id", "expectation_id"):
        op.drop_index(op.f(f"ix_key_step_suggestions_{column}"), table_name="key_step_suggestions")
    op.drop_table("key_step_suggestions")
