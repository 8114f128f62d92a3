"""Co-thinking rooms: a room per lesson plan, per observation debrief, per team, per
mentoring pair, or ad hoc with invited members; its chat messages, its board of sticky
notes, and the facilitated protocol it may be running.

Who is in a room is decided by collab.rooms.access from what the room is about (the plan's
readers, the observation's participants, the team's members, the pair's two teachers, the
invited people); a RoomMember row keeps a person's read marker and, for an ad-hoc room,
their invitation.
"""

from datetime import datetime

from sqlalchemy import (
    Boolean,
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

ROOM_KINDS = ("plan", "observation", "team", "adhoc", "mentoring")
BOARD_COLUMNS = ("evidence", "wonderings", "suggestions", "next_steps")


class Room(db.Model):
    """A place to think together. At most one room per plan, observation and team."""

    __tablename__ = "rooms"
    __table_args__ = (Index("ix_rooms_school_activity", "school_id", "last_activity_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), unique=True
    )
    observation_id: Mapped[int | None] = mapped_column(
        ForeignKey("observations.id", ondelete="CASCADE"), unique=True
    )
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), unique=True
    )
    # A mentoring pair's own room: its novice and mentor.
    mentor_pair_id: Mapped[int | None] = mapped_column(
        ForeignKey("mentor_pairs.id", ondelete="CASCADE"), unique=True
    )
    title: Mapped[str] = mapped_column(String(120), default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    facilitator_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_message_id: Mapped[int] = mapped_column(Integer, default=0)
    # The protocol being run: its key (rooms/service_protocols.py), the current phase (0-based),
    # when that phase ends (the server's clock; clients count down to it), who has the floor
    # when the facilitator gives it to someone, and when the protocol finished.
    protocol: Mapped[str | None] = mapped_column(String(30))
    phase_index: Mapped[int | None] = mapped_column(SmallInteger)
    phase_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    floor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    protocol_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    protocol_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    plan = relationship("Plan")
    observation = relationship("Observation")
    team = relationship("Team")
    mentor_pair = relationship("MentorPair")
    created_by = relationship("User", foreign_keys=[created_by_id])
    facilitator = relationship("User", foreign_keys=[facilitator_id])
    floor_user = relationship("User", foreign_keys=[floor_user_id])


class RoomMember(db.Model):
    """A person's place in a room: invited (ad-hoc rooms) and how far they have read."""

    __tablename__ = "room_members"

    room_id: Mapped[int] = mapped_column(
        ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    invited: Mapped[bool] = mapped_column(Boolean, default=False)
    last_read_id: Mapped[int] = mapped_column(Integer, default=0)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User")


class RoomMessage(db.Model):
    """One chat message. `client_id` is made by the sender's browser, which may send the same
    message again after a lost acknowledgement: it is stored once."""

    __tablename__ = "room_messages"
    __table_args__ = (
        UniqueConstraint("room_id", "author_id", "client_id"),
        Index("ix_room_messages_room_id", "room_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    # The body rendered when it was written or edited (core.rendering); None for older rows.
    html: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    author = relationship("User")


class BoardNote(db.Model):
    """A sticky note on a room's board. Every change bumps `version`; an update based on an
    older version is refused. An evidence card keeps the observation note it came from, with
    its time, seat and plan step."""

    __tablename__ = "board_notes"
    __table_args__ = (
        UniqueConstraint("room_id", "author_id", "client_id"),
        Index("ix_board_notes_room_column", "room_id", "column", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(64))
    column: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text, default="")
    # Evidence cards: observation -> interpretation -> question, and where the note was.
    interpretation: Mapped[str] = mapped_column(Text, default="")
    question: Mapped[str] = mapped_column(Text, default="")
    source_note_id: Mapped[int | None] = mapped_column(
        ForeignKey("observation_notes.id", ondelete="SET NULL")
    )
    at_seconds: Mapped[int | None] = mapped_column(Integer)
    seat: Mapped[str] = mapped_column(String(10), default="")
    step: Mapped[str] = mapped_column(String(200), default="")
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    author = relationship("User")

    @property
    def is_evidence(self) -> bool:
        return self.source_note_id is not None or bool(self.interpretation or self.question)


class HandRaise(db.Model):
    """A raised hand in a room's queue, first come first served."""

    __tablename__ = "hand_raises"

    room_id: Mapped[int] = mapped_column(
        ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User")
