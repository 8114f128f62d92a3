"""The append-only activity log that the principal's view aggregates: every feature records
what a user did through `record`; a row is never changed or deleted.

Whoever keeps figures up to date as events are written (the dashboard's rollup) subscribes
with `subscribe(fn)` (in create_app: core imports no feature); `record` calls each
subscriber with the event's values, in the same transaction, before the row is inserted."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, insert
from sqlalchemy.orm import Mapped, mapped_column

from collab.core.models import UTCDateTime, utcnow
from collab.extensions import db


class ActivityEvent(db.Model):
    __tablename__ = "activity_events"
    __table_args__ = (
        Index("ix_activity_events_school_time", "school_id", "created_at"),
        # The dashboard's rollup asks who wrote a plan before (service_rollup.LogFacts).
        Index("ix_activity_events_object", "object_type", "object_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    verb: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AppendOnlyError(RuntimeError):
    """An activity event was about to be changed or deleted."""


def refuse_changes_to_events(session, flush_context, instances):
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, ActivityEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyError("activity events are append-only")


_subscribers: list = []


def subscribe(subscriber) -> None:
    """Call `subscriber(values)` for every event recorded from now on (once per function)."""
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)


def record(school_id: int, actor, verb: str, object_type: str, object_id: int | None = None):
    """Append one activity event (e.g. verb "plan.saved", object_type "plan"), in one INSERT
    at once: a chat message records one, and the ORM's unit of work costs several times
    more. Nothing reads the row back in the same transaction. Subscribers see the event
    before it is inserted, so what they read of the log is what came before it."""
    values = {
        "school_id": school_id,
        "actor_id": getattr(actor, "id", actor),
        "verb": verb,
        "object_type": object_type,
        "object_id": object_id,
        "created_at": utcnow(),
    }
    for subscriber in _subscribers:
        subscriber(values)
    db.session.execute(insert(ActivityEvent.__table__).values(**values))
