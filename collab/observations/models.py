"""Observations: a teacher asks colleagues to watch one real lesson; the observers take notes
on their phones; afterwards the teacher reads them, reflects and sets action steps."""

from datetime import date, datetime

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from collab.core.models import UTCDateTime, utcnow
from collab.extensions import db

# requested -> scheduled -> completed -> debriefed; requested/scheduled -> cancelled;
# requested -> declined (every observer declined). observations/service.py owns the moves.
OBSERVATION_STATES = ("requested", "scheduled", "completed", "debriefed", "declined",
                      "cancelled")
OPEN_STATES = ("requested", "scheduled")
INVITE_STATES = ("invited", "accepted", "declined", "proposed")
NOTE_TAGS = ("learning", "teacher_move", "question", "evidence")
CLASS_MODES = ("whole_class", "groups", "individual")


class Observation(db.Model):
    """One lesson of one teacher (the date, its period and what the timetable said of it,
    copied so that a later timetable change does not rewrite history)."""

    __tablename__ = "observations"
    __table_args__ = (
        Index("ix_observations_school_date", "school_id", "lesson_date"),
        Index("ix_observations_teacher_date", "teacher_id", "lesson_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    teacher_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("plans.id", ondelete="SET NULL"), index=True
    )
    lesson_date: Mapped[date] = mapped_column(Date)
    period: Mapped[int] = mapped_column(SmallInteger)
    class_name: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(60))
    room: Mapped[str] = mapped_column(String(30), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    focus: Mapped[str] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(20), default="requested")
    reflection: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    debriefed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    teacher_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Every change of the row bumps it: two people moving the same observation at once
    # cannot both succeed (the second gets StaleDataError, shown as a conflict).
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    teacher = relationship("User", foreign_keys=[teacher_id])
    plan = relationship("Plan")
    observers = relationship("ObservationObserver", back_populates="observation",
                             order_by="ObservationObserver.id", cascade="all, delete-orphan",
                             passive_deletes=True)


class ObservationObserver(db.Model):
    """A colleague invited to observe, and their answer: accepted, declined (with a note) or
    another of the teacher's lessons proposed."""

    __tablename__ = "observation_observers"
    __table_args__ = (UniqueConstraint("observation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    observation_id: Mapped[int] = mapped_column(
        ForeignKey("observations.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="invited")
    note: Mapped[str] = mapped_column(String(500), default="")
    proposed_date: Mapped[date | None] = mapped_column(Date)
    proposed_period: Mapped[int | None] = mapped_column(SmallInteger)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    observation = relationship("Observation", back_populates="observers")
    user = relationship("User")


class ObservationBooking(db.Model):
    """A person's time taken by an observation: the observed teacher from the request on, an
    observer once they accept. The unique key is what makes double-booking impossible, even
    for two acceptances racing for the same slot."""

    __tablename__ = "observation_bookings"
    __table_args__ = (
        UniqueConstraint("user_id", "lesson_date", "period"),
        Index("ix_observation_bookings_school_slot", "school_id", "lesson_date", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    observation_id: Mapped[int] = mapped_column(
        ForeignKey("observations.id", ondelete="CASCADE"), index=True
    )
    lesson_date: Mapped[date] = mapped_column(Date)
    period: Mapped[int] = mapped_column(SmallInteger)
    role: Mapped[str] = mapped_column(String(10))  # "observed" or "observer"


class ObservationNote(db.Model):
    """One note of an observer (kind "note"), or a marker of how the class works from that
    moment (kind "mode": whole class, groups, individual). `client_id` is made by the
    observer's browser, which may send the same note again: it is stored once."""

    __tablename__ = "observation_notes"
    __table_args__ = (
        UniqueConstraint("observation_id", "author_id", "client_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    observation_id: Mapped[int] = mapped_column(
        ForeignKey("observations.id", ondelete="CASCADE")
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(10), default="note")
    text: Mapped[str] = mapped_column(Text, default="")
    tag: Mapped[str] = mapped_column(String(20), default="")
    at_seconds: Mapped[int] = mapped_column(Integer, default=0)
    seat: Mapped[str] = mapped_column(String(10), default="")
    step: Mapped[str] = mapped_column(String(200), default="")
    deleted: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User")


class ActionStep(db.Model):
    """A follow-up the observed teacher set themself in the debrief, shown on their home
    page until done."""

    __tablename__ = "action_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    observation_id: Mapped[int] = mapped_column(
        ForeignKey("observations.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(300))
    due_on: Mapped[date] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CalendarFeed(db.Model):
    """A user's secret calendar feed address: only the token's SHA-256 is kept; a new token
    replaces the old one, which stops working."""

    __tablename__ = "calendar_feeds"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
