"""The migrations produce exactly the models' schema: nothing is left for autogenerate."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from collab.extensions import db
from collab.plans.service_search import is_search_index_object

pytestmark = pytest.mark.dialect  # migrations against the models


def include_name(name, type_, parent_names):
    """As migrations/env.py does: the plan search index is made by hand, not by the models."""
    return not is_search_index_object(name)


def test_migrations_match_the_models(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": include_name})
        diff = compare_metadata(context, db.metadata)
    assert diff == []
