"""page versions: per-school data versions for the rendered-page cache (collab/core/page_cache.py);
school_id 0 is the version every school's pages depend on. No foreign key: row 0 is no school.

Revision ID: 45550a519e3b
Revises: d5c63f20adb5
Create Date: 2026-12-03 09:48:51.600406

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '45550a519e3b'
down_revision = 'd5c63f20adb5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('page_versions',
    sa.Column('school_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('school_id', name=op.f('pk_page_versions'))
    )


def downgrade():
    op.drop_table('page_versions')
