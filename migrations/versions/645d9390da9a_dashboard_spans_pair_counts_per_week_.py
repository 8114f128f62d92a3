"""dashboard spans: pair counts per day, week and month (a `span` column in their primary
key), count rows per month and the whole school's sums (subject 0), so that a term is read
from a few months, weeks and days (docs/dashboard.md, "Budgets")

The rows this revision adds are sums of the day rows already there (each act is written to
its day, week and month alike), so they are filled here in SQL and the rollup still equals a
recount; `flask dashboard-recount` rebuilds them the same way.

Revision ID: 645d9390da9a
Revises: 45550a519e3b
Create Date: 2026-12-03 09:47:37.507842

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '645d9390da9a'
down_revision = '45550a519e3b'
branch_labels = None
depends_on = None

PAIR_KEY = ['school_id', 'day', 'first_id', 'second_id', 'kind']


def _starts():
    """SQL for the Monday and the first of the month of a date column, per dialect."""
    if op.get_bind().dialect.name == 'postgresql':
        return {'w': "date_trunc('week', {})::date", 'm': "date_trunc('month', {})::date"}
    return {'w': "date({}, 'weekday 0', '-6 days')", 'm': "date({}, 'start of month')"}


def upgrade():
    with op.batch_alter_table('dashboard_pair_counts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('span', sa.String(length=1), nullable=False,
                                      server_default='d'))
        batch_op.drop_constraint('pk_dashboard_pair_counts', type_='primary')
        batch_op.create_primary_key('pk_dashboard_pair_counts',
                                    ['school_id', 'span', 'day', 'first_id', 'second_id',
                                     'kind'])
    starts = _starts()
    for span in ('w', 'm'):
        start = starts[span].format('day')
        op.execute(
            "INSERT INTO dashboard_pair_counts "
            "(school_id, span, day, first_id, second_id, kind, count) "
            f"SELECT school_id, '{span}', {start}, first_id, second_id, kind, SUM(count) "
            "FROM dashboard_pair_counts WHERE span = 'd' "
            f"GROUP BY school_id, {start}, first_id, second_id, kind")
    start = starts['m'].format('start')
    op.execute(
        "INSERT INTO dashboard_counts (school_id, span, start, subject_id, kind, count) "
        f"SELECT school_id, 'm', {start}, subject_id, kind, SUM(count) "
        "FROM dashboard_counts WHERE span = 'd' "
        f"GROUP BY school_id, {start}, subject_id, kind")
    op.execute(
        "INSERT INTO dashboard_counts (school_id, span, start, subject_id, kind, count) "
        "SELECT school_id, span, start, 0, kind, SUM(count) FROM dashboard_counts "
        "WHERE kind <> 'room' AND subject_id <> 0 GROUP BY school_id, span, start, kind")


def downgrade():
    op.execute("DELETE FROM dashboard_counts WHERE span = 'm' OR subject_id = 0")
    op.execute("DELETE FROM dashboard_pair_counts WHERE span <> 'd'")
    with op.batch_alter_table('dashboard_pair_counts', schema=None) as batch_op:
        batch_op.drop_constraint('pk_dashboard_pair_counts', type_='primary')
        batch_op.drop_column('span')
        batch_op.create_primary_key('pk_dashboard_pair_counts', PAIR_KEY)
