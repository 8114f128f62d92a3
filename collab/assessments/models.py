"""Rubrics and assessments.

A rubric is a family of versions. A version has levels (score, label), criteria (title,
description, group, weight) and a descriptor for every criterion × level. A draft version is
edited in the builder; once published it never changes, and editing it starts the next
version as a draft. Every assessment records the version it used.

An assessment is one person's ratings of one target (a lesson plan or an observed lesson) on
one rubric version: per criterion a level, a *glow* (what worked) and a *grow* (one
suggestion). It is a draft until submitted, then final. Assessments asked for together (a
feedback request, with its deadline) share a request; a calibration round has an anchor
assessment by its facilitator and one blind assessment per rater of the same sample.
"""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Float,
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

RUBRIC_TARGETS = ("plan", "observation", "reflection")
ASSESSMENT_KINDS = ("peer", "mentor", "self", "anchor", "calibration")


class Rubric(db.Model):
    """A rubric of a school, with its versions. `library_key` names the built-in rubric it
    was made from, if any."""

    __tablename__ = "rubrics"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(
        ForeignKey("schools.id", ondelete="CASCADE"), index=True
    )
    library_key: Mapped[str | None] = mapped_column(String(40))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    versions = relationship("RubricVersion", back_populates="rubric",
                            order_by="RubricVersion.number", cascade="all, delete-orphan",
                            passive_deletes=True)


class RubricVersion(db.Model):
    __tablename__ = "rubric_versions"
    __table_args__ = (UniqueConstraint("rubric_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubrics.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    target: Mapped[str] = mapped_column(String(20), default="observation")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    rubric = relationship("Rubric", back_populates="versions")
    levels = relationship("RubricLevel", order_by="RubricLevel.position",
                          cascade="all, delete-orphan", passive_deletes=True)
    criteria = relationship("RubricCriterion", order_by="RubricCriterion.position",
                            cascade="all, delete-orphan", passive_deletes=True)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class RubricLevel(db.Model):
    __tablename__ = "rubric_levels"
    __table_args__ = (Index("ix_rubric_levels_version", "version_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("rubric_versions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    score: Mapped[float] = mapped_column(Float)
    label: Mapped[str] = mapped_column(String(80))


class RubricCriterion(db.Model):
    __tablename__ = "rubric_criteria"
    __table_args__ = (Index("ix_rubric_criteria_version", "version_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("rubric_versions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    group: Mapped[str] = mapped_column(String(80), default="")
    weight: Mapped[float] = mapped_column(Float, default=1.0)

    descriptors = relationship("RubricDescriptor", cascade="all, delete-orphan",
                               passive_deletes=True)


class RubricDescriptor(db.Model):
    """What one level of one criterion looks like."""

    __tablename__ = "rubric_descriptors"

    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("rubric_criteria.id", ondelete="CASCADE"), primary_key=True
    )
    level_id: Mapped[int] = mapped_column(
        ForeignKey("rubric_levels.id", ondelete="CASCADE"), primary_key=True
    )
    text: Mapped[str] = mapped_column(Text, default="")


class AssessmentRequest(db.Model):
    """A teacher asks colleagues (or their mentor) for feedback on one of their plans or
    observed lessons, on one rubric version, by a deadline."""

    __tablename__ = "assessment_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(
        ForeignKey("schools.id", ondelete="CASCADE"), index=True
    )
    teacher_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    rubric_version_id: Mapped[int] = mapped_column(ForeignKey("rubric_versions.id"))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    observation_id: Mapped[int | None] = mapped_column(
        ForeignKey("observations.id", ondelete="CASCADE")
    )
    message: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[date] = mapped_column(Date)
    shared_with_principal: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    teacher = relationship("User")
    rubric_version = relationship("RubricVersion")
    plan = relationship("Plan")
    observation = relationship("Observation")
    assessments = relationship("Assessment", back_populates="request",
                               order_by="Assessment.id")


class CalibrationRound(db.Model):
    """A facilitator's calibration: an anchor assessment of a sample plan or lesson, then
    every rater assesses the same sample without seeing the anchor or each other."""

    __tablename__ = "calibration_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(
        ForeignKey("schools.id", ondelete="CASCADE"), index=True
    )
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    rubric_version_id: Mapped[int] = mapped_column(ForeignKey("rubric_versions.id"))
    title: Mapped[str] = mapped_column(String(200))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    observation_id: Mapped[int | None] = mapped_column(
        ForeignKey("observations.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    facilitator = relationship("User")
    rubric_version = relationship("RubricVersion")
    plan = relationship("Plan")
    observation = relationship("Observation")


class Assessment(db.Model):
    """One assessor's ratings of one target on one rubric version."""

    __tablename__ = "assessments"
    __table_args__ = (
        UniqueConstraint("request_id", "assessor_id"),
        UniqueConstraint("round_id", "assessor_id"),
        Index("ix_assessments_assessed", "assessed_id", "rubric_version_id"),
        Index("ix_assessments_assessor", "assessor_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    rubric_version_id: Mapped[int] = mapped_column(ForeignKey("rubric_versions.id"))
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessment_requests.id", ondelete="CASCADE")
    )
    round_id: Mapped[int | None] = mapped_column(
        ForeignKey("calibration_rounds.id", ondelete="CASCADE")
    )
    assessed_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    assessor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20), default="peer")
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    observation_id: Mapped[int | None] = mapped_column(
        ForeignKey("observations.id", ondelete="CASCADE")
    )
    status: Mapped[str] = mapped_column(String(20), default="draft")
    due_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Two tabs saving the same draft cannot both win silently.
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    request = relationship("AssessmentRequest", back_populates="assessments")
    calibration_round = relationship("CalibrationRound")
    rubric_version = relationship("RubricVersion")
    assessor = relationship("User", foreign_keys=[assessor_id])
    assessed = relationship("User", foreign_keys=[assessed_id])
    plan = relationship("Plan")
    observation = relationship("Observation")
    ratings = relationship("AssessmentRating", cascade="all, delete-orphan",
                           passive_deletes=True)

    @property
    def is_submitted(self) -> bool:
        return self.status == "submitted"

    @property
    def is_late(self) -> bool:
        if self.due_on is None:
            return False
        if self.submitted_at is not None:
            return self.submitted_at.date() > self.due_on
        return utcnow().date() > self.due_on


class AssessmentRating(db.Model):
    """One criterion of one assessment: the level chosen, the glow and the grow."""

    __tablename__ = "assessment_ratings"

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True
    )
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("rubric_criteria.id", ondelete="CASCADE"), primary_key=True
    )
    level_id: Mapped[int | None] = mapped_column(
        ForeignKey("rubric_levels.id", ondelete="SET NULL")
    )
    glow: Mapped[str] = mapped_column(Text, default="")
    grow: Mapped[str] = mapped_column(Text, default="")
