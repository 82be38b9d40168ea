"""org_subtree(): everyone below a manager, for the visibility scopes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 02:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A function instead of an inline recursive CTE: one query can scope several resources
# (feedback and self-assessments in search) without CTE name clashes, and the planner
# treats it as a cheap set-returning call.
ORG_SUBTREE = """
CREATE FUNCTION org_subtree(root uuid) RETURNS TABLE (id uuid)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH RECURSIVE below(id) AS (
        SELECT p.id FROM people p WHERE p.manager_id = root
        UNION
        SELECT p.id FROM people p JOIN below b ON p.manager_id = b.id
    )
    SELECT below.id FROM below
$$;
"""


def upgrade() -> None:
    op.execute(ORG_SUBTREE)


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS org_subtree(uuid)")
