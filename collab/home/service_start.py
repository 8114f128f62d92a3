"""Two parts of the home page that depend on who I am: "Getting started" for a teacher (the
first steps, each ticked when done, shown until all are done) and, for a principal, what
needs them (invitations not yet accepted, novices without a mentor, requests nobody has
answered). One query each, whatever the school's size."""

from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache

from sqlalchemy import and_, bindparam, exists, func, select

from collab.core.models import utcnow
from collab.extensions import db
from collab.mentoring.models import MentorPair
from collab.observations.models import Observation, ObservationObserver
from collab.people.models import NOVICE_YEARS, Invitation, Membership, Profile, User
from collab.rooms.models import Room, RoomMember, RoomMessage
from collab.timetables.models import Lesson

# An observation request nobody has accepted after this long, a mentoring request nobody
# has answered after this long: the principal may want to nudge someone.
OBSERVATION_STUCK_AFTER = timedelta(days=2)
MENTORING_STUCK_AFTER = timedelta(days=7)
STUCK_LISTED = 5


@dataclass(frozen=True)
class StartStep:
    """One step of getting started: its key (the template words it), done or not."""

    key: str
    done: bool


def getting_started(user) -> list[StartStep]:
    """A teacher's first steps: complete the profile, enter the timetable, meet a mentor
    (novices only), ask for a first observation, join a team room. One query."""
    row = db.session.execute(_steps_statement(), {"user_id": user.id}).one()
    steps = [StartStep("profile", bool(row[0])), StartStep("timetable", bool(row[2]))]
    if row[1]:
        steps.append(StartStep("mentor", bool(row[3])))
    steps += [StartStep("observation", bool(row[4])), StartStep("team_room", bool(row[5]))]
    return steps


@cache
def _steps_statement():
    # Built once with a bound parameter: building it anew cost more than running it.
    me = bindparam("user_id")
    profile = select(Profile).where(Profile.user_id == me).subquery()
    complete = (select(func.count()).select_from(profile)
                .where(profile.c.years_teaching.is_not(None),
                       func.coalesce(func.json_array_length(profile.c.subjects), 0) > 0,
                       func.coalesce(func.json_array_length(profile.c.grades), 0) > 0)
                .scalar_subquery())
    novice = (select(func.count()).select_from(profile)
              .where(profile.c.years_teaching < NOVICE_YEARS).scalar_subquery())
    timetable = exists().where(Lesson.teacher_id == me)
    mentor = exists().where(MentorPair.novice_id == me, MentorPair.status == "active")
    observation = exists().where(Observation.teacher_id == me)
    return select(complete, novice, timetable, mentor, observation, _joined_team_room(me))


def _joined_team_room(user_id):
    """EXISTS: the user has opened (read) or written in one of their teams' rooms."""
    opened = exists().where(RoomMember.user_id == user_id, RoomMember.room_id == Room.id,
                            Room.kind == "team")
    wrote = exists().where(RoomMessage.author_id == user_id, RoomMessage.room_id == Room.id,
                           Room.kind == "team")
    return opened | wrote


@dataclass
class PrincipalNeeds:
    """The principal's figures and what waits for them."""

    staff_count: int = 0
    open_invitations: int = 0
    novices_without_mentor: int = 0
    stuck_mentoring: int = 0
    stuck_observations: list = field(default_factory=list)  # (name, lesson date, period)


def principal_needs(school_id: int) -> PrincipalNeeds:
    """Counts for the principal's home: two queries whatever the school's size."""
    now = utcnow()
    staff = (select(func.count(Membership.id)).where(Membership.school_id == school_id)
             .scalar_subquery())
    invitations = (select(func.count(Invitation.id))
                   .where(Invitation.school_id == school_id, Invitation.accepted_at.is_(None),
                          Invitation.revoked_at.is_(None))
                   .scalar_subquery())
    has_mentor = exists().where(MentorPair.novice_id == User.id,
                                MentorPair.status == "active")
    novices = (select(func.count(User.id))
               .join(Membership, Membership.user_id == User.id)
               .join(Profile, Profile.user_id == User.id)
               .where(Membership.school_id == school_id, Membership.role == "teacher",
                      Profile.years_teaching < NOVICE_YEARS, ~has_mentor)
               .scalar_subquery())
    mentoring = (select(func.count(MentorPair.id))
                 .where(MentorPair.school_id == school_id,
                        MentorPair.status.in_(("requested", "proposed")),
                        MentorPair.created_at < now - MENTORING_STUCK_AFTER)
                 .scalar_subquery())
    needs = PrincipalNeeds(*db.session.execute(
        select(staff, invitations, novices, mentoring)).one())
    accepted = exists().where(ObservationObserver.observation_id == Observation.id,
                              ObservationObserver.status == "accepted")
    needs.stuck_observations = db.session.execute(
        select(User.name, Observation.lesson_date, Observation.period)
        .join(User, User.id == Observation.teacher_id)
        .where(and_(Observation.school_id == school_id, Observation.state == "requested",
                    Observation.created_at < now - OBSERVATION_STUCK_AFTER,
                    Observation.starts_at > now, ~accepted))
        .order_by(Observation.starts_at, Observation.id).limit(STUCK_LISTED)).all()
    return needs
