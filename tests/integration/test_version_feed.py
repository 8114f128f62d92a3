"""The page versions' copy fed by PostgreSQL (collab/core/version_feed.py): a hit on
PostgreSQL reads no database while the feed listens; another process's commit reaches the
copy, this process's own at commit; a rolled-back write never; a lost connection loads the
table again. PostgreSQL only (the PostgreSQL pass runs these: `dialect`)."""

import time

import pytest
from sqlalchemy import event, text

from collab import create_app
from collab.core import page_cache, version_feed
from collab.extensions import db
from tests.conftest import base_config, post_form, sign_in
from tests.integration.test_page_cache import fetch, plan_path, warm

pytestmark = pytest.mark.dialect


def wait_for(condition, what: str, seconds: float = 10.0):
    """Poll `condition` until it holds (a notification travels between processes)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds} s")
        time.sleep(0.01)


@pytest.fixture
def feed(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the feed is PostgreSQL's LISTEN/NOTIFY")
    app.config.update(PAGE_CACHE=True, PAGE_VERSIONS_FEED=True)
    page_cache.store(app).clear()
    app.extensions.pop("rembuk_version_feed", None)
    feed = version_feed.for_app(app, db.engine)
    wait_for(lambda: feed.live, "the feed listens")
    yield feed
    feed.stop()
    app.extensions.pop("rembuk_version_feed", None)
    app.config.update(PAGE_CACHE=False, PAGE_VERSIONS_FEED=False)
    page_cache.store(app).clear()


def in_database(school: int) -> tuple[int, int]:
    return page_cache.committed_versions(school, db.engine)


@pytest.fixture
def other_process(app, database_url, tmp_path):
    """A second server on the same database, with a store and a copy of its own."""
    other = create_app(base_config(tmp_path / "other", database_url))
    other.config["PAGE_CACHE"] = True
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_hit_with_the_feed_listening_takes_no_connection(app, world, client_for, feed):
    c = client_for(world["a"]["teacher"])
    path = plan_path(world)
    warm(app, c, path)
    checkouts = []
    listener = lambda *args: checkouts.append(1)  # noqa: E731
    event.listen(db.engine, "checkout", listener)
    try:
        _, hit = fetch(app, c, path)
    finally:
        event.remove(db.engine, "checkout", listener)
    assert hit and checkouts == []


def test_another_process_commit_reaches_the_copy_and_the_page_is_fresh(
        app, world, client_for, feed, other_process):
    school = world["a"]["school"].id
    path = plan_path(world)
    c = client_for(world["a"]["teacher"])
    warm(app, c, path)
    before = feed.versions(school)
    colleague = other_process.test_client()
    sign_in(colleague, world["a"]["teacher2"])
    sent = post_form(colleague, f"{path}/comments", {"body": "Dari server lain"}, page=path)
    assert sent.status_code == 302, sent.text
    wait_for(lambda: feed.versions(school) == in_database(school) != before,
             "the other process's commit reaches the copy")
    response, hit = fetch(app, c, path)
    assert not hit and "Dari server lain" in response.text


def test_this_process_own_write_is_in_the_copy_when_the_request_answers(
        app, world, client_for, feed):
    school = world["a"]["school"].id
    path = plan_path(world)
    c = client_for(world["a"]["teacher"])
    warm(app, c, path)
    before = feed.versions(school)
    sent = post_form(c, f"{path}/comments", {"body": "Komentar saya"}, page=path)
    assert sent.status_code == 302
    # No waiting: applied at commit, before the answer left.
    assert feed.versions(school) == in_database(school) != before
    response, hit = fetch(app, c, path)
    assert not hit and "Komentar saya" in response.text


def test_a_rolled_back_write_never_reaches_the_copy(app, world, feed, other_process):
    school_a, school_b = world["a"]["school"].id, world["b"]["school"].id
    before_a, before_b = feed.versions(school_a), feed.versions(school_b)
    with other_process.app_context():
        db.session.execute(text("UPDATE schools SET name = name || ' x' WHERE id = :id"),
                           {"id": school_a})
        page_cache.bump(db.session, {school_a})
        db.session.rollback()
        # A later committed write of another school: once it is in the copy, an earlier
        # notification would have been too (they arrive in commit order).
        page_cache.bump(db.session, {school_b})
        db.session.commit()
    wait_for(lambda: feed.versions(school_b) != before_b, "the committed write arrives")
    assert feed.versions(school_a) == before_a == in_database(school_a)


def test_a_lost_connection_loads_the_table_again(app, world, feed, other_process):
    school = world["a"]["school"].id
    reloads = feed.reloads
    before = feed.versions(school)
    db.session.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE application_name = :name"),
                       {"name": version_feed.APPLICATION_NAME})
    db.session.commit()
    wait_for(lambda: not feed.live, "the feed notices it lost its connection")
    assert feed.versions(school) is None  # hits read the database meanwhile
    with other_process.app_context():  # a write while nobody listens
        page_cache.bump(db.session, {school})
        db.session.commit()
    wait_for(lambda: feed.live and feed.reloads > reloads, "the feed listens again")
    assert feed.versions(school) == in_database(school) != before
