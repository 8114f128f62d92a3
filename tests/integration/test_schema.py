"""The migrations produce exactly the models' schema: nothing is left for autogenerate."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from collab.extensions import db


def test_migrations_match_the_models(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []
