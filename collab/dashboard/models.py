"""The dashboard's rollup of the activity log: per school, day (in the school's time zone)
and teacher, how many acts of each kind, and the same per week (Monday first) and per
calendar month, so that a term is read from a few months, weeks and days; the whole school's
sums the same way (subject 0), for the previous period and the trend; rooms with activity
the same way; per pair of teachers and kind of working together, per day, week and month;
and each teacher's last day of an act with a colleague.

Every row is derived from the log (`service_rollup.recount` rebuilds them all), never typed
by anyone; they hold counts and dates only, nothing of what was written. Ids of people and
rooms carry no foreign key: the log keeps the acts of someone who has left, and so does the
rollup (the pages show the school's members only)."""

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from collab.extensions import db


class Count(db.Model):
    """How many acts of a kind a teacher did (or, for kind "room", a room saw; subject 0:
    the whole school's teachers) in a day (`span` "d", `start` the day), a week (`span` "w",
    `start` its Monday) or a month (`span` "m", `start` its first day). One table for all,
    so that an event's counts are one statement."""

    __tablename__ = "dashboard_counts"

    school_id: Mapped[int] = mapped_column(
        ForeignKey("schools.id", ondelete="CASCADE"), primary_key=True)
    span: Mapped[str] = mapped_column(String(1), primary_key=True)
    start: Mapped[date] = mapped_column(Date, primary_key=True)
    subject_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # a user or a room
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class PairCount(db.Model):
    """Two teachers (`first_id` < `second_id`) who worked together, by kind, in a day
    (`span` "d", `day` the day), a week ("w", its Monday) or a month ("m", its first day)."""

    __tablename__ = "dashboard_pair_counts"

    school_id: Mapped[int] = mapped_column(
        ForeignKey("schools.id", ondelete="CASCADE"), primary_key=True)
    span: Mapped[str] = mapped_column(String(1), primary_key=True, default="d")
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    first_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    second_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class LastCollaboration(db.Model):
    """A teacher's last day of an act with a colleague (for the flag and the column)."""

    __tablename__ = "dashboard_last_collaboration"

    school_id: Mapped[int] = mapped_column(
        ForeignKey("schools.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
