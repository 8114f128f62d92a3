"""The append-only activity log that the principal's view aggregates."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from collab.extensions import db
from collab.models.base import UTCDateTime, utcnow


class ActivityEvent(db.Model):
    __tablename__ = "activity_events"
    __table_args__ = (Index("ix_activity_events_school_time", "school_id", "created_at"),)

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


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_events(session, flush_context, instances):
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, ActivityEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyError("activity events are append-only")
