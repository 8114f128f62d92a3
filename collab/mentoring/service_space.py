"""The pair's own space: goals (one to three, what success looks like, a due date, done or
not yet) and the check-in log. Only the two teachers of an active pair write here; the
principal learns that check-ins happen (their count and dates, `checkin_dates`), never what
was written. `at_home` is what the home page shows each teacher of their pairs."""

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from collab.core import activity
from collab.core.models import utcnow
from collab.core.refusals import RuleError
from collab.extensions import db
from collab.mentoring.models import CheckIn, MentoringGoal, MentorPair
from collab.people.models import User

MAX_GOALS = 3
MAX_GOAL = 500
MAX_TALKED = 2000
MAX_NEXT = 500
WATCH_ASK_DAYS = 7  # a novice's wish to watch a lesson tells the mentor once in this time
OLDEST_CHECKIN = timedelta(days=366)


class SpaceError(RuleError):
    """A refused goal or check-in; `field` is the form field at fault."""

    MESSAGES = {
        "goal_missing": _l("Write the goal."),
        "goal_long": _l("At most %(max)d characters.", max=MAX_GOAL),
        "goal_count": _l("A pair works on at most %(max)d goals.", max=MAX_GOALS),
        "goal_due": _l("Choose a due date from today to one year ahead."),
        "checkin_missing": _l("Write what you talked about."),
        "checkin_long": _l("At most %(max)d characters.", max=MAX_TALKED),
        "next_long": _l("At most %(max)d characters.", max=MAX_NEXT),
        "checkin_future": _l("A check-in cannot be dated in the future."),
        "checkin_old": _l("Choose a date within the last year."),
        "not_active": _l("This pair is not active: nothing can be added."),
        "not_in_pair": _l("Only the two teachers of the pair write here."),
        "novice_only": _l("Only the novice of the pair does this."),
        "watch_waiting": _l("Your mentor is already asked and has not chosen a lesson yet. "
                            "You can ask again once they have, or after %(days)d days.",
                            days=WATCH_ASK_DAYS),
    }


def _writer(pair: MentorPair, user: User) -> None:
    if user.id not in pair.member_ids():
        raise SpaceError("not_in_pair")
    if pair.status != "active":
        raise SpaceError("not_active")


def add_goal(pair: MentorPair, user: User, text: str, success: str, due_on: date | None,
             today: date) -> MentoringGoal:
    """A new goal of the pair (at most three)."""
    _writer(pair, user)
    text, success = (text or "").strip(), (success or "").strip()
    if not text:
        raise SpaceError("goal_missing", "text")
    if len(text) > MAX_GOAL:
        raise SpaceError("goal_long", "text")
    if len(success) > MAX_GOAL:
        raise SpaceError("goal_long", "success")
    if due_on is not None and not today <= due_on <= today + timedelta(days=366):
        raise SpaceError("goal_due", "due_on")
    count = db.session.scalar(select(func.count()).select_from(MentoringGoal).where(
        MentoringGoal.pair_id == pair.id))
    if count >= MAX_GOALS:
        raise SpaceError("goal_count", "text")
    goal = MentoringGoal(pair_id=pair.id, text=text, success=success, due_on=due_on,
                         author_id=user.id)
    db.session.add(goal)
    db.session.flush()
    return goal


def set_goal_done(pair: MentorPair, goal: MentoringGoal, user: User, done: bool) -> None:
    """Mark a goal done (recorded for the principal's count) or not yet."""
    _writer(pair, user)
    if done and goal.done_at is None:
        goal.done_at = utcnow()
        activity.record(pair.school_id, user, "mentoring.goal_done", "mentor_pair", pair.id)
    elif not done:
        goal.done_at = None
    db.session.flush()


def add_checkin(pair: MentorPair, user: User, held_on: date | None, talked: str,
                next_step: str, today: date) -> CheckIn:
    """One line of the log, by either teacher of the pair."""
    _writer(pair, user)
    talked, next_step = (talked or "").strip(), (next_step or "").strip()
    if held_on is None:
        held_on = today
    if held_on > today:
        raise SpaceError("checkin_future", "held_on")
    if held_on < today - OLDEST_CHECKIN:
        raise SpaceError("checkin_old", "held_on")
    if not talked:
        raise SpaceError("checkin_missing", "talked")
    if len(talked) > MAX_TALKED:
        raise SpaceError("checkin_long", "talked")
    if len(next_step) > MAX_NEXT:
        raise SpaceError("next_long", "next_step")
    checkin = CheckIn(pair_id=pair.id, author_id=user.id, held_on=held_on, talked=talked,
                      next_step=next_step)
    db.session.add(checkin)
    db.session.flush()
    activity.record(pair.school_id, user, "mentoring.checkin_logged", "mentor_pair", pair.id)
    return checkin


@dataclass
class PairAtHome:
    """A pair as the home page shows it to one of its teachers: who the other is, since
    when, the last check-in and its next step, the goals still open."""

    pair: MentorPair
    other: User
    as_novice: bool
    last_checkin: CheckIn | None
    open_goals: int


def at_home(user: User) -> list[PairAtHome]:
    """The user's active pairs (as novice: their mentor; as mentor: their mentees), for a
    "your mentor / your mentees" card. Three queries, however many pairs."""
    pairs = list(db.session.scalars(select(MentorPair).where(
        MentorPair.status == "active",
        (MentorPair.novice_id == user.id) | (MentorPair.mentor_id == user.id))
        .order_by(MentorPair.started_at, MentorPair.id)))
    ids = [p.id for p in pairs]
    last: dict[int, CheckIn] = {}
    goals: dict[int, int] = {}
    if ids:
        for checkin in db.session.scalars(select(CheckIn).where(CheckIn.pair_id.in_(ids))
                                          .order_by(CheckIn.held_on, CheckIn.id)):
            last[checkin.pair_id] = checkin
        goals = dict(db.session.execute(
            select(MentoringGoal.pair_id, func.count()).where(
                MentoringGoal.pair_id.in_(ids), MentoringGoal.done_at.is_(None))
            .group_by(MentoringGoal.pair_id)).all())
    return [PairAtHome(p, p.mentor if p.novice_id == user.id else p.novice,
                       p.novice_id == user.id, last.get(p.id), goals.get(p.id, 0))
            for p in pairs]


def checkin_dates(pair_ids: list[int]) -> dict[int, list[date]]:
    """For the principal: the dates of each pair's check-ins, newest first (no content)."""
    found: dict[int, list[date]] = {pid: [] for pid in pair_ids}
    if not pair_ids:
        return found
    for pair_id, held_on in db.session.execute(
            select(CheckIn.pair_id, CheckIn.held_on).where(CheckIn.pair_id.in_(pair_ids))
            .order_by(CheckIn.held_on.desc(), CheckIn.id.desc())):
        found[pair_id].append(held_on)
    return found
