"""What a pair does together, one tap from its page: a lesson plan with both as authors, the
pair's own co-thinking room, and the novice's wish to watch one of the mentor's lessons
(the mentor gets a prefilled observation request with the novice ticked). Asking the mentor
to observe the novice, or for feedback, are links to the existing forms with the mentor
prefilled (the pair page builds them); the mentor then assesses as kind "mentor"
(assessments.service).

Only the two teachers of an active pair do these; the room stays theirs after the pair ends.
While the novice shares their debriefs, the mentor's page lists them (`shared_debriefs`).
The wish to watch tells the mentor once: another tap waits until the mentor has asked for an
observation with the novice ticked, or WATCH_ASK_DAYS have passed.
"""

from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select

from collab.core import notify
from collab.core.links import Target, path_for
from collab.core.models import utcnow
from collab.extensions import db
from collab.mentoring.models import MentorPair
from collab.mentoring.service_space import WATCH_ASK_DAYS, SpaceError
from collab.observations.models import Observation, ObservationObserver
from collab.plans import service as plans
from collab.plans import service_templates as plan_templates
from collab.plans.models import Plan, PlanCoauthor
from collab.rooms import service as rooms
from collab.rooms.models import Room

PLAN_TEMPLATE = "modul_ajar"


def _active_member(pair: MentorPair, user) -> None:
    if user.id not in pair.member_ids():
        raise SpaceError("not_in_pair")
    if pair.status != "active":
        raise SpaceError("not_active")


def other_of(pair: MentorPair, user):
    return pair.mentor if user.id == pair.novice_id else pair.novice


def plan_together(pair: MentorPair, user, title: str) -> Plan:
    """A new private plan (the Modul Ajar template) owned by `user` with the other teacher
    of the pair as co-author; the other is told."""
    _active_member(pair, user)
    other = other_of(pair, user)
    body = plan_templates.body_for(pair.school_id, PLAN_TEMPLATE) or ""
    plan = plans.create(user, plans.PlanFields(title=title[:200], body=body),
                        PLAN_TEMPLATE)
    plans.set_coauthors(plan, {other.id}, user)
    notify.notify(other, "plan.coauthor_added", Target("plans.view", {"plan_id": plan.id}),
                  title=plan.title)
    return plan


def plans_together(pair: MentorPair) -> list[Plan]:
    """The plans one of the two owns and the other co-authors, newest first (one query)."""
    a, b = pair.member_ids()
    return list(db.session.scalars(
        select(Plan).join(PlanCoauthor, PlanCoauthor.plan_id == Plan.id)
        .where(((Plan.owner_id == a) & (PlanCoauthor.user_id == b))
               | ((Plan.owner_id == b) & (PlanCoauthor.user_id == a)))
        .order_by(Plan.updated_at.desc(), Plan.id.desc()).limit(20)))


def open_room(pair: MentorPair, user) -> Room:
    """The pair's room, made on first use by either teacher of an active pair (an ended
    pair's room stays readable, but no new one is made)."""
    if user.id not in pair.member_ids():
        raise SpaceError("not_in_pair")
    found = db.session.scalar(select(Room).where(Room.mentor_pair_id == pair.id))
    if found is not None:
        return found
    _active_member(pair, user)
    return rooms.room_for_pair(pair, user)


def room_of(pair: MentorPair) -> Room | None:
    return db.session.scalar(select(Room).where(Room.mentor_pair_id == pair.id))


def observations_between(pair: MentorPair) -> list[date]:
    """The dates of the lessons one of the two observed of the other (accepted, not
    cancelled), newest first: what the principal may know of them, never the notes."""
    a, b = pair.member_ids()
    return list(db.session.scalars(
        select(Observation.lesson_date)
        .join(ObservationObserver, ObservationObserver.observation_id == Observation.id)
        .where(ObservationObserver.status == "accepted",
               Observation.state.in_(("scheduled", "completed", "debriefed")),
               or_(and_(Observation.teacher_id == a, ObservationObserver.user_id == b),
                   and_(Observation.teacher_id == b, ObservationObserver.user_id == a)))
        .order_by(Observation.lesson_date.desc())))


def shared_debriefs(pair: MentorPair, limit: int = 10) -> list[Observation]:
    """The novice's observed lessons with a debrief to read (completed or debriefed), newest
    first, while the pair is active and the novice shares their debriefs with the mentor;
    else []. The debrief pages ask collab.mentoring.access.shares_debriefs again."""
    if pair.status != "active" or not pair.share_debriefs:
        return []
    return list(db.session.scalars(
        select(Observation).where(Observation.teacher_id == pair.novice_id,
                                  Observation.school_id == pair.school_id,
                                  Observation.state.in_(("completed", "debriefed")))
        .order_by(Observation.lesson_date.desc(), Observation.id.desc()).limit(limit)))


def ask_to_watch(pair: MentorPair, novice) -> None:
    """The novice would like to observe one of the mentor's lessons: the mentor is told, with
    a link to the observation request with the novice ticked (they choose the lesson). Once
    per wish: while the last ask waits for the mentor (below), another is refused."""
    _active_member(pair, novice)
    if novice.id != pair.novice_id:
        raise SpaceError("novice_only")
    target = Target("observations.new", {"observer": novice.id})
    if _ask_waiting(pair, path_for(target)):
        raise SpaceError("watch_waiting")
    notify.notify(pair.mentor, "mentoring.watch_asked", target, email=True, name=novice.name)


def _ask_waiting(pair: MentorPair, link: str) -> bool:
    """Whether the mentor was asked within WATCH_ASK_DAYS and has not since asked for an
    observation of one of their lessons with the novice as observer."""
    asked = db.session.scalar(
        select(func.max(notify.Notification.created_at))
        .where(notify.Notification.recipient_id == pair.mentor_id,
               notify.Notification.kind == "mentoring.watch_asked",
               notify.Notification.link == link,
               notify.Notification.created_at >= utcnow() - timedelta(days=WATCH_ASK_DAYS)))
    if asked is None:
        return False
    chosen = db.session.scalar(
        select(Observation.id)
        .join(ObservationObserver, ObservationObserver.observation_id == Observation.id)
        .where(Observation.teacher_id == pair.mentor_id,
               ObservationObserver.user_id == pair.novice_id, Observation.created_at >= asked)
        .limit(1))
    return chosen is None
