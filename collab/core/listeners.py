"""Every process-wide listener of `core`, registered in one place (docs/architecture.md lists
the listeners of every package): what happens at a connection, a transaction's begin, a write,
a flush, a commit or a rollback, whatever feature caused it."""

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from collab.core import activity, database, mail, page_cache, version_feed

LISTENERS = (
    (Engine, "connect", database.on_connect),
    (Engine, "begin", database.on_begin),
    (Engine, "before_cursor_execute", database.before_write),
    (Session, "before_flush", activity.refuse_changes_to_events),
    (Session, "after_commit", mail.wake_after_commit),
    (Session, "after_rollback", mail.forget_after_rollback),
    # The rendered-page cache's data versions, bumped in every writing transaction.
    (Session, "before_flush", page_cache.bump_for_flush),
    (Session, "do_orm_execute", page_cache.bump_for_statement),
    (Session, "after_commit", version_feed.applied_at_commit),
    (Session, "after_transaction_end", page_cache.transaction_ended),
    (Session, "after_soft_rollback", page_cache.forget_bumps),
)


def register() -> None:
    """Install the listeners once per process (create_app may run many times in tests)."""
    for target, name, listener in LISTENERS:
        if not event.contains(target, name, listener):
            event.listen(target, name, listener)
