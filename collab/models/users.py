"""Users and their teaching profile."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from collab.extensions import db
from collab.models.base import UTCDateTime, utcnow

NOVICE_YEARS = 3


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored normalised (see services.accounts.normalise_email), so look-alikes collide.
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
