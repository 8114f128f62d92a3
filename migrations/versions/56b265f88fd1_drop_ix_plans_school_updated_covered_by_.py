"""drop ix_plans_school_updated, covered by ix_plans_listing

ix_plans_listing (school_id, updated_at, id, ...) serves every query the old index did.
Plain op.drop_index, not a batch operation: a batch rebuild of `plans` on SQLite would drop
the full-text triggers of 074d41d78df3.

Revision ID: 56b265f88fd1
Revises: 074d41d78df3
Create Date: 2026-11-30 18:38:56.260557

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '56b265f88fd1'
down_revision = '074d41d78df3'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_plans_school_updated", table_name="plans")


def downgrade():
    op.create_index("ix_plans_school_updated", "plans", ["school_id", "updated_at"])
