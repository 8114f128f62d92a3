"""Users and their teaching profile; schools, their members (with a role), teams inside a
school, and invitations to join."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from collab.core.models import UTCDateTime, utcnow
from collab.extensions import db

NOVICE_YEARS = 3


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored normalised (see people.service_accounts.normalise_email), so look-alikes collide.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    language: Mapped[str | None] = mapped_column(String(5))
    # Bumped on logout, password change, role change or removal: every older session dies.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    membership = relationship(
        "Membership", back_populates="user", uselist=False, lazy="joined"
    )
    profile = relationship("Profile", back_populates="user", uselist=False)
    teams = relationship(
        "Team", secondary="team_members", order_by="Team.name", back_populates="members"
    )

    def get_id(self) -> str:
        # The session version travels with the id, so a replayed cookie of an ended session
        # (remember cookie included) no longer loads the user.
        return f"{self.id}:{self.session_version}"

    @property
    def school_id(self) -> int | None:
        return self.membership.school_id if self.membership else None

    @property
    def is_principal(self) -> bool:
        return bool(self.membership and self.membership.is_principal)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class Profile(db.Model):
    """What a teacher teaches and for how long; used for suggestions in later areas."""

    __tablename__ = "profiles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    subjects: Mapped[list] = mapped_column(JSON, default=list)
    grades: Mapped[list] = mapped_column(JSON, default=list)
    years_teaching: Mapped[int | None] = mapped_column(Integer)

    user = relationship("User", back_populates="profile")

    @property
    def is_novice(self) -> bool:
        return self.years_teaching is not None and self.years_teaching < NOVICE_YEARS


ROLES = ("teacher", "principal")


class School(db.Model):
    __tablename__ = "schools"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Jakarta")
    # Assessment settings: peers' names hidden from the assessed teacher; the PKG rubric's
    # results also shown as the PKG conversion (total / 56 × 100 and its band).
    anonymous_peer_feedback: Mapped[bool] = mapped_column(Boolean, default=False,
                                                          server_default=false())
    pkg_conversion: Mapped[bool] = mapped_column(Boolean, default=False,
                                                 server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<School {self.id} {self.name!r}>"


class Membership(db.Model):
    """A user's place in a school. A user belongs to at most one school."""

    __tablename__ = "memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    school_id: Mapped[int] = mapped_column(
        ForeignKey("schools.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20), default="teacher")
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    school: Mapped[School] = relationship(lazy="joined")
    user = relationship("User", back_populates="membership")

    @property
    def is_principal(self) -> bool:
        return self.role == "principal"


class Team(db.Model):
    """A group of teachers inside a school, e.g. a subject group (MGMP) or a grade group (KKG)."""

    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("school_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(
        ForeignKey("schools.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members = relationship(
        "User", secondary="team_members", order_by="User.name", back_populates="teams"
    )


class TeamMember(db.Model):
    __tablename__ = "team_members"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Invitation(db.Model):
    """An invitation to join a school; its link is signed, lasts 7 days and works once."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(
        ForeignKey("schools.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254), index=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20), default="teacher")
    subjects: Mapped[list] = mapped_column(JSON, default=list)
    grades: Mapped[list] = mapped_column(JSON, default=list)
    years_teaching: Mapped[int | None] = mapped_column(Integer)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    school: Mapped[School] = relationship()

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None
