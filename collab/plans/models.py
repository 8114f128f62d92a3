"""Lesson plans: the plan, its revisions, co-authors, tags, comments, attachments and school
templates."""

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from collab.core.models import UTCDateTime, utcnow
from collab.extensions import db

VISIBILITIES = ("private", "team", "school")


class Plan(db.Model):
    """A lesson plan. Its text is the latest revision's, kept here for listing and search."""

    __tablename__ = "plans"
    __table_args__ = (
        # Covering indexes: listing newest first, counting and faceting the plans a user may
        # see read these narrow entries, never the wide rows (whose body comes before the
        # visibility). The listing index is in the list's order and holds the row version
        # for the facets' cache key; the facets index gives the subjects, grades and authors
        # of one visibility in GROUP BY order (see plans/service_search.py).
        Index("ix_plans_listing", "school_id", "updated_at", "id", "visibility", "owner_id",
              "team_id", "subject", "grade", "version"),
        Index("ix_plans_facets", "school_id", "visibility", "subject", "grade", "owner_id",
              "team_id"),
        Index("ix_plans_owner", "owner_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    subject: Mapped[str] = mapped_column(String(80), default="")
    grade: Mapped[str] = mapped_column(String(20), default="")
    topic: Mapped[str] = mapped_column(String(200), default="")
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    visibility: Mapped[str] = mapped_column(String(10), default="private")
    is_research_lesson: Mapped[bool] = mapped_column(Boolean, default=False)
    template_key: Mapped[str] = mapped_column(String(60), default="blank")
    forked_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("plans.id", ondelete="SET NULL"), index=True
    )
    revision_number: Mapped[int] = mapped_column(Integer, default=0)
    # Optimistic locking: a concurrent flush of a stale row raises instead of overwriting.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __mapper_args__ = {"version_id_col": version}

    owner = relationship("User", foreign_keys=[owner_id])
    team = relationship("Team")
    forked_from = relationship("Plan", remote_side=[id], foreign_keys=[forked_from_id])
    coauthors = relationship("User", secondary="plan_coauthors", order_by="User.name")
    tags = relationship(
        "PlanTag", cascade="all, delete-orphan", order_by="PlanTag.tag", lazy="selectin"
    )

    @property
    def tag_names(self) -> list[str]:
        return [t.tag for t in self.tags]


class PlanRevision(db.Model):
    """One saved state of a plan; never changed once written."""

    __tablename__ = "plan_revisions"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # The body rendered when the revision was written (core.rendering); None for older rows.
    html: Mapped[str | None] = mapped_column(Text)
    message: Mapped[str] = mapped_column(String(300), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User")


class PlanCoauthor(db.Model):
    __tablename__ = "plan_coauthors"

    plan_id: Mapped[int] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class PlanTag(db.Model):
    __tablename__ = "plan_tags"

    plan_id: Mapped[int] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class PlanComment(db.Model):
    """A comment on a plan, optionally on one section and optionally a reply."""

    __tablename__ = "plan_comments"
    __table_args__ = (Index("ix_plan_comments_plan_created", "plan_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_comments.id", ondelete="CASCADE")
    )
    section: Mapped[str] = mapped_column(String(120), default="")
    body: Mapped[str] = mapped_column(Text)
    # The body rendered when the comment was written (core.rendering); None for older rows.
    html: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Hidden by the plan's owner: kept, its text shown to nobody until shown again.
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    author = relationship("User", foreign_keys=[author_id])


class PlanAttachment(db.Model):
    """A worksheet or image attached to a plan, stored under instance/ with a random name."""

    __tablename__ = "plan_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    uploader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PlanTemplate(db.Model):
    """A school's own plan template (the built-in ones are Markdown files in plans/builtin/)."""

    __tablename__ = "plan_templates"
    __table_args__ = (UniqueConstraint("school_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
