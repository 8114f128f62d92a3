"""The checks of an observation request, all made before a refusal so that the form marks
every problem at once (issue 15): the focus, the observers, and the lessons an open
observation already takes (which the lesson picker marks)."""

from sqlalchemy import select

from collab.extensions import db
from collab.observations.models import ObservationBooking
from collab.observations.service_suggestions import free_ids, is_novice, novices_among
from collab.people.models import Membership, User
from collab.timetables.service import LessonOccurrence

MAX_OBSERVERS = 5
MAX_FOCUS = 500


def focus_problems(focus: str) -> list[tuple[str, str]]:
    """The focus question's problems, as (code, field)."""
    if not focus:
        return [("focus_missing", "focus")]
    return [("focus_long", "focus")] if len(focus) > MAX_FOCUS else []


def observer_problems(teacher: User, occurrence: LessonOccurrence,
                      wanted: list[int]) -> list[tuple[str, str]]:
    """The chosen observers' problem, if any: how many, who, free then, not only novices
    for a novice (code, field)."""
    if not 1 <= len(wanted) <= MAX_OBSERVERS:
        return [("observer_count", "observers")]
    colleagues = set(db.session.scalars(select(Membership.user_id).where(
        Membership.school_id == teacher.school_id, Membership.user_id.in_(wanted))))
    if teacher.id in wanted or colleagues != set(wanted):
        return [("observer_unknown", "observers")]
    if free_ids(teacher.school_id, occurrence.on, occurrence.period, set(wanted)) != set(wanted):
        return [("observer_busy", "observers")]
    if is_novice(teacher.id) and novices_among(wanted) == set(wanted):
        return [("observers_novices", "observers")]
    return []


def taken_lessons(teacher: User, lessons: list[LessonOccurrence]) -> dict[str, int]:
    """Which of the teacher's `lessons` an open observation already takes: lesson_key → the
    observation's id (one query)."""
    if not lessons:
        return {}
    days = [o.on for o in lessons]
    rows = db.session.execute(select(
        ObservationBooking.lesson_date, ObservationBooking.period,
        ObservationBooking.observation_id).where(
        ObservationBooking.user_id == teacher.id, ObservationBooking.role == "observed",
        ObservationBooking.lesson_date.between(min(days), max(days))))
    wanted = {(o.on, o.period) for o in lessons}
    return {f"{on.isoformat()}:{period}": observation_id
            for on, period, observation_id in rows if (on, period) in wanted}
