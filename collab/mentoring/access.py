"""Who may see a mentoring pair and its content; every mentoring route asks here.

A pair exists for its two teachers and the principals of its school; for anyone else (a
colleague, another school) it is a 404. Its goals and check-ins are the pair's only: a
principal sees that the pair exists, since when, and the count and dates of its check-ins.

A novice may let their mentor into their debriefs (`MentorPair.share_debriefs`): while the
pair is active, the mentor reads the debrief of the novice's observed lessons and joins its
room (`shares_debriefs`, asked by the observations and rooms areas).
"""

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from collab.extensions import db
from collab.mentoring.models import MentoringGoal, MentorPair
from collab.people.access import current_school, is_principal, member_of_my_school


def in_pair(user, pair: MentorPair) -> bool:
    return user.id in pair.member_ids()


def can_see_content(user, pair: MentorPair) -> bool:
    """The two teachers of the pair, and nobody else (not the principal)."""
    return pair.school_id == getattr(user, "school_id", None) and in_pair(user, pair)


def visible_pair(pair_id: int) -> MentorPair:
    """The pair if the current user is in it or a principal of its school; else 404."""
    school = current_school()
    pair = db.session.get(MentorPair, pair_id)
    if pair is None or pair.school_id != school.id:
        abort(404)
    if not (in_pair(current_user, pair) or is_principal()):
        abort(404)
    return pair


def pair_of_mine(pair_id: int) -> MentorPair:
    """The pair if the current user is one of its two teachers; 404 if they may not see it,
    403 for the principal (who sees that it exists, not its content)."""
    pair = visible_pair(pair_id)
    if not in_pair(current_user, pair):
        abort(403)
    return pair


def shares_debriefs(user, teacher_id: int) -> bool:
    """Whether `user` mentors the teacher in an active pair of their school and the teacher
    lets them into their debriefs (one query)."""
    school_id = getattr(user, "school_id", None)
    if school_id is None or user.id == teacher_id:
        return False
    return db.session.scalar(select(MentorPair.id).where(
        MentorPair.school_id == school_id, MentorPair.mentor_id == user.id,
        MentorPair.novice_id == teacher_id, MentorPair.status == "active",
        MentorPair.share_debriefs.is_(True)).limit(1)) is not None


def goal_of_pair(pair: MentorPair, goal_id: int) -> MentoringGoal:
    goal = db.session.get(MentoringGoal, goal_id)
    if goal is None or goal.pair_id != pair.id:
        abort(404)
    return goal


def colleague(user_id: int):
    """A colleague of my school by id, else 404."""
    return member_of_my_school(user_id)
