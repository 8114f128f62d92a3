"""A school's teaching calendar: periods per weekday, terms, holidays, classes, and each
teacher's weekly timetable (lessons)."""

from datetime import date, time

from sqlalchemy import Date, ForeignKey, Index, SmallInteger, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from collab.extensions import db

# Weekdays as Python counts them (date.weekday()): 0 = Monday … 6 = Sunday.
WEEKDAYS = range(7)


class Period(db.Model):
    """A teaching period (*jam pelajaran*) of one weekday: number, start and end, in the
    school's local time. Friday's periods often differ from the other days'."""

    __tablename__ = "periods"
    __table_args__ = (UniqueConstraint("school_id", "weekday", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    weekday: Mapped[int] = mapped_column(SmallInteger)
    number: Mapped[int] = mapped_column(SmallInteger)
    starts_at: Mapped[time] = mapped_column(Time)
    ends_at: Mapped[time] = mapped_column(Time)


class _SchoolDates:
    """A named range of a school's dates, first to last day inclusive."""

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(
        ForeignKey("schools.id", ondelete="CASCADE"), index=True
    )
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)


class Term(_SchoolDates, db.Model):
    """A term (*semester*): lessons take place only between its first and last day."""

    __tablename__ = "terms"

    name: Mapped[str] = mapped_column(String(80))


class Holiday(_SchoolDates, db.Model):
    """Days without lessons (first and last day equal for a one-day holiday)."""

    __tablename__ = "holidays"

    name: Mapped[str] = mapped_column(String(120))


class SchoolClass(db.Model):
    """A class of students ("7A"), made when a timetable first names it; its seating grid
    (rows × columns) is for observation notes."""

    __tablename__ = "school_classes"
    __table_args__ = (UniqueConstraint("school_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(20))
    grade: Mapped[int | None] = mapped_column(SmallInteger)
    seat_rows: Mapped[int] = mapped_column(SmallInteger, default=5)
    seat_cols: Mapped[int] = mapped_column(SmallInteger, default=6)


class Lesson(db.Model):
    """One slot of a teacher's weekly timetable: on this weekday, in this period, this class
    has this subject in this room. The period is its number on that weekday, so the times
    follow the school's periods."""

    __tablename__ = "lessons"
    __table_args__ = (
        UniqueConstraint("teacher_id", "weekday", "period"),
        # "Who teaches at this weekday and period?" for a whole school at once.
        Index("ix_lessons_school_id_weekday_period", "school_id", "weekday", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    teacher_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    weekday: Mapped[int] = mapped_column(SmallInteger)
    period: Mapped[int] = mapped_column(SmallInteger)
    class_name: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(60))
    room: Mapped[str] = mapped_column(String(30), default="")

    teacher = relationship("User")
