"""Mentoring's tables: a teacher's mentoring profile (an offer to mentor, or the focus areas a
novice wants help with), the pairs of a novice and a mentor, and the pair's goals and
check-ins.

A mentor never takes more novices than their capacity, even when two requests race: every
open pair (asked, proposed or running) holds one of its mentor's numbered places, and the
database keeps a place to one open pair (`uq_mentor_pairs_place`); the service takes the
lowest free place at or under the capacity (and none when as many pairs as the capacity are
open: a lowered capacity may leave a pair on a place above it), so two racing requests pick
the same place and one fails. A novice has at most one open pair (`uq_mentor_pairs_open_novice`).
"""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from collab.core.models import UTCDateTime, utcnow
from collab.extensions import db

MAX_CAPACITY = 3
OPEN_STATES = ("requested", "proposed", "active")
_OPEN = text("status IN ('requested', 'proposed', 'active')")


class MentoringProfile(db.Model):
    """A teacher's mentoring side: an experienced teacher's offer (willing, capacity,
    subjects, grades, strengths, note) or a novice's wished focus areas (`focus`)."""

    __tablename__ = "mentoring_profiles"
    __table_args__ = (
        CheckConstraint("capacity BETWEEN 1 AND 3", name="capacity"),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    school_id: Mapped[int] = mapped_column(
        ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    willing: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    capacity: Mapped[int] = mapped_column(SmallInteger, default=1)
    subjects: Mapped[list] = mapped_column(JSON, default=list)
    grades: Mapped[list] = mapped_column(JSON, default=list)
    # Strengths of a mentor, or what a novice wants help with: keys of service.FOCUS_AREAS.
    focus: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(String(300), default="")
    # The mentor lets colleagues read the thank-you notes of their mentees on their profile.
    show_thanks: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user = relationship("User", lazy="joined")


class MentorPair(db.Model):
    """A novice and a mentor: asked by the novice (`requested`, which they may take back:
    `withdrawn`), proposed by the principal (`proposed`, both must accept), `active` once
    accepted, else `declined` or `ended` (by either teacher, or at `ends_on`)."""

    __tablename__ = "mentor_pairs"
    __table_args__ = (
        CheckConstraint("novice_id <> mentor_id", name="not_self"),
        CheckConstraint("place BETWEEN 1 AND 3", name="place"),
        Index("uq_mentor_pairs_open_novice", "novice_id", unique=True,
              sqlite_where=_OPEN, postgresql_where=_OPEN),
        Index("uq_mentor_pairs_place", "mentor_id", "place", unique=True,
              sqlite_where=_OPEN, postgresql_where=_OPEN),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(
        ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    novice_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                           index=True)
    place: Mapped[int] = mapped_column(SmallInteger)
    status: Mapped[str] = mapped_column(String(20), default="requested")
    asked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(String(500), default="")
    answer_note: Mapped[str] = mapped_column(String(500), default="")
    novice_ok: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    mentor_ok: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The day the pairing ends by itself (the principal sets it; a year from the start).
    ends_on: Mapped[date | None] = mapped_column(Date)
    # The novice lets the mentor into the debrief rooms of their observed lessons.
    share_debriefs: Mapped[bool] = mapped_column(Boolean, default=False,
                                                 server_default=false())
    # When both were last reminded that no check-in was logged for a while (once per quiet
    # spell: a check-in after it starts a new one).
    nudged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    novice_reflection: Mapped[str] = mapped_column(Text, default="", server_default="")
    mentor_reflection: Mapped[str] = mapped_column(Text, default="", server_default="")

    novice = relationship("User", foreign_keys=[novice_id], lazy="joined")
    mentor = relationship("User", foreign_keys=[mentor_id], lazy="joined")
    goals = relationship("MentoringGoal", order_by="MentoringGoal.id",
                         cascade="all, delete-orphan", passive_deletes=True)
    checkins = relationship("CheckIn", order_by="(CheckIn.held_on.desc(), CheckIn.id.desc())",
                            cascade="all, delete-orphan", passive_deletes=True)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES

    def member_ids(self) -> tuple[int, int]:
        return (self.novice_id, self.mentor_id)

    def reflection_of(self, user_id: int) -> str:
        return self.novice_reflection if user_id == self.novice_id else self.mentor_reflection


class MentoringGoal(db.Model):
    """One of a pair's 1–3 goals: what success looks like, by when, done or not yet."""

    __tablename__ = "mentoring_goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("mentor_pairs.id", ondelete="CASCADE"),
                                         index=True)
    text: Mapped[str] = mapped_column(String(500))
    success: Mapped[str] = mapped_column(String(500), default="")
    due_on: Mapped[date | None] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CheckIn(db.Model):
    """A line of the pair's log: when they met, what they talked about, the next step."""

    __tablename__ = "mentoring_checkins"

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("mentor_pairs.id", ondelete="CASCADE"),
                                         index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    held_on: Mapped[date] = mapped_column(Date)
    talked: Mapped[str] = mapped_column(Text)
    next_step: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User", lazy="joined")


class ThankYou(db.Model):
    """A thank-you note from the novice to their mentor (recognition). The mentor's profile
    shows it to colleagues only when the mentor allows it (`MentoringProfile.show_thanks`)."""

    __tablename__ = "mentoring_thanks"

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("mentor_pairs.id", ondelete="CASCADE"),
                                         index=True)
    text: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    pair = relationship("MentorPair", lazy="joined")
