"""plan search: full-text index on plans (SQLite FTS5 / PostgreSQL tsvector)

Revision ID: 074d41d78df3
Revises: 965edd4a2d1b
Create Date: 2026-11-23 18:40:00.000000

SQLite: `plans_fts`, an FTS5 table with external content on `plans` (title, topic, subject,
body), kept in step by three triggers and filled from the existing rows by 'rebuild'. The
unicode61 tokenizer folds case and diacritics; prefix indexes of 2 and 3 characters keep
prefix queries ("pecah" finds "pecahan") quick.

PostgreSQL: `plans.search_vector`, a stored generated tsvector (title A, topic B, subject C,
body D) with the 'simple' configuration (no Indonesian stemmer exists; 'simple' suits both
languages), and a GIN index on it.

Both dialects: `ix_plans_listing` and `ix_plans_facets`, covering indexes for listing,
counting and faceting the plans a user may see without reading the wide plan rows.

None of these objects is in the models: migrations/env.py and
tests/integration/test_schema.py leave them out of the comparison through
collab.services.plan_search.is_search_index_object.

Beware, SQLite: a later batch migration that recreates `plans` (move and copy) drops the
triggers and both indexes with the old table. Such a migration must create them again
(copy the statements below); the tests in tests/integration/test_plan_search.py that follow
an edit and a delete fail if it does not.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = '074d41d78df3'
down_revision = '965edd4a2d1b'
branch_labels = None
depends_on = None

COLUMNS = ("title", "topic", "subject", "body")


def _values(prefix):
    return ", ".join(f"{prefix}.{c}" for c in COLUMNS)


def create_sqlite_index():
    columns = ", ".join(COLUMNS)
    op.execute(
        f"CREATE VIRTUAL TABLE plans_fts USING fts5({columns}, content='plans', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='2 3')"
    )
    create_sqlite_triggers()
    op.execute("INSERT INTO plans_fts(plans_fts) VALUES ('rebuild')")


def create_sqlite_triggers():
    columns = ", ".join(COLUMNS)
    # Built from the constant column names above, nothing else.
    add = f"INSERT INTO plans_fts(rowid, {columns}) VALUES (new.id, {_values('new')});"  # noqa: S608
    remove = (f"INSERT INTO plans_fts(plans_fts, rowid, {columns}) "  # noqa: S608
              f"VALUES ('delete', old.id, {_values('old')});")
    op.execute(f"CREATE TRIGGER plans_fts_insert AFTER INSERT ON plans BEGIN {add} END")
    op.execute(f"CREATE TRIGGER plans_fts_delete AFTER DELETE ON plans BEGIN {remove} END")
    op.execute(f"CREATE TRIGGER plans_fts_update AFTER UPDATE OF {columns} ON plans "
               f"BEGIN {remove} {add} END")


def create_postgresql_index():
    weighted = " || ".join(
        f"setweight(to_tsvector('simple'::regconfig, {column}), '{weight}')"
        for column, weight in zip(COLUMNS, "ABCD", strict=True)
    )
    op.execute(f"ALTER TABLE plans ADD COLUMN search_vector tsvector "
               f"GENERATED ALWAYS AS ({weighted}) STORED")
    op.execute("CREATE INDEX ix_plans_search ON plans USING gin (search_vector)")


def upgrade():
    # Covering indexes: listing newest first, counting and faceting the plans a user may see
    # read these narrow entries, never the wide plan rows (whose body comes before the
    # visibility). The listing index is in the list's order (newest first, then id) and
    # holds the row version for the facets' cache key; the facets index gives the
    # subjects, grades and authors of one visibility in GROUP BY order.
    op.create_index("ix_plans_listing", "plans", ["school_id", "updated_at", "id", "visibility",
                                                  "owner_id", "team_id", "subject", "grade",
                                                  "version"])
    op.create_index("ix_plans_facets", "plans", ["school_id", "visibility", "subject", "grade",
                                                 "owner_id", "team_id"])
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        create_sqlite_index()
    elif dialect == "postgresql":
        create_postgresql_index()


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in ("plans_fts_insert", "plans_fts_delete", "plans_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS plans_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_plans_search")
        op.execute("ALTER TABLE plans DROP COLUMN IF EXISTS search_vector")
    op.drop_index("ix_plans_facets", table_name="plans")
    op.drop_index("ix_plans_listing", table_name="plans")
