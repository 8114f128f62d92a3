"""What the home page shows, in the order a teacher's day asks for it: today (my lessons and
the observations I take part in, with one tap to take notes), what waits for my answer
(observation invitations, feedback to give, mentoring requests), my open action steps, my
mentor or mentees, the recent activity of my teams' rooms and my latest notifications.

A fixed handful of queries whatever the school's size: the answers, steps and my running
mentoring pairs come in one union, today's lessons and observations in another, the teams with
their rooms' unread counts in one, the latest notifications in one
(tests/integration/test_home.py counts them). Each statement is built once per process with
bound parameters: building these unions anew cost several times more than running them.
Getting started and the principal's figures are in service_start.py."""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache

from sqlalchemy import (
    Date,
    Integer,
    String,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

from collab.assessments.models import Assessment
from collab.core import notify
from collab.core.models import utcnow
from collab.core.notify import Notification
from collab.extensions import db
from collab.mentoring.models import CheckIn, MentorPair
from collab.observations.models import ActionStep, Observation, ObservationObserver
from collab.people.models import Team, TeamMember, User
from collab.rooms.models import Room, RoomMember, RoomMessage
from collab.timetables.models import Holiday, Lesson, Period, Term

# The states in which an observation of today still belongs on today's list.
TODAY_STATES = ("requested", "scheduled", "completed")


@dataclass(frozen=True)
class AgendaItem:
    """Something waiting for me: an observation to answer or whose notes I have to send (its
    id, the observed teacher, the date and period), one of my lessons to reflect on (its id,
    class, date, period and subject), feedback to give (the assessment's id, whom, its kind,
    due date), a mentoring request to answer (the pair's id, the other teacher) or an action
    step (id, text, due date)."""

    kind: str
    id: int
    label: str | None
    on: date | None = None
    period: int | None = None
    detail: str | None = None


@dataclass(frozen=True)
class TodayItem:
    """One entry of today: a lesson I teach (`lesson`), an observation of my lesson
    (`observed`) or one I observe (`observe`; `submitted` once my notes are sent). Times are
    the school's local clock times of the period."""

    kind: str
    period: int
    starts: time | None
    ends: time | None
    class_name: str
    subject: str
    room: str = ""
    observation_id: int | None = None
    teacher: str | None = None
    state: str | None = None
    submitted: bool = False


@dataclass(frozen=True)
class TeamActivity:
    """One of my teams, its room (None until someone opens it), when the room last moved and
    how many messages of others I have not read there."""

    team_id: int
    name: str
    room_id: int | None
    last_activity_at: datetime | None
    unread: int


@dataclass(frozen=True)
class PairLink:
    """One of my running mentoring pairs: its id, the other teacher's name and the next step
    of its last check-in ("" if it named none, None before the first check-in)."""

    pair_id: int
    name: str
    next_step: str | None = None


@dataclass
class HomeSummary:
    today: list = field(default_factory=list)
    waiting: list = field(default_factory=list)
    actions: list = field(default_factory=list)
    teams: list = field(default_factory=list)
    mentors: list = field(default_factory=list)
    mentees: list = field(default_factory=list)
    notifications: list = field(default_factory=list)
    unread: int = 0  # my unread notifications (the header's count, read with the latest)


def summary(user, today: date) -> HomeSummary:
    """The home page's data for one member of a school, `today` in the school's calendar."""
    params = _params(user, today)
    result = HomeSummary()
    for row in db.session.execute(_agenda_statement(), params):
        item = AgendaItem(*row)
        if item.kind == "action":
            result.actions.append(item)
        elif item.kind == "mentor":
            result.mentors.append(PairLink(item.id, item.label, item.detail))
        elif item.kind == "mentee":
            result.mentees.append(PairLink(item.id, item.label, item.detail))
        else:
            result.waiting.append(item)
    result.today = today_items(params)
    result.teams = [TeamActivity(*row)
                    for row in db.session.execute(_team_activity_statement(), params)]
    latest = db.session.execute(_notifications_statement(), params).all()
    result.notifications = [(note, notify.text(note)) for note, _ in latest]
    # With no notification at all there is no row, and nothing is unread.
    result.unread = latest[0][1] if latest else 0
    return result


def _params(user, today: date) -> dict:
    """The values of the bound parameters of this module's statements."""
    return {"user_id": user.id, "school_id": user.school_id, "today": today,
            "weekday": today.weekday(), "now": utcnow()}


@cache
def _notifications_statement():
    """My latest five notifications, each row with how many of mine are unread."""
    unread = (select(func.count(Notification.id))
              .where(Notification.recipient_id == bindparam("user_id"),
                     Notification.read_at.is_(None))
              .scalar_subquery())
    return (select(Notification, unread)
            .where(Notification.recipient_id == bindparam("user_id"))
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(5))


def today_items(params: dict) -> list[TodayItem]:
    """My lessons of today (none on a holiday or outside the terms) and the observations of
    today I take part in, by period (`params`: _params of me and today); a lesson that is
    observed appears once, as observed. One query."""
    rows = db.session.execute(_today_statement(), params).all()
    items = [TodayItem(*row) for row in rows]
    observed = {item.period for item in items if item.kind == "observed"}
    items = [item for item in items if item.kind != "lesson" or item.period not in observed]
    return sorted(items, key=lambda item: (item.period, item.kind,
                                           item.observation_id or 0))


@cache
def _today_statement():
    return union_all(_observations_today(), _lessons_today())


def _lessons_today():
    """My timetable's lessons on today's weekday with their period's times, if today is in
    a term and not a holiday (the columns of _observations_today)."""
    school_id, today = bindparam("school_id"), bindparam("today")
    in_term = exists().where(Term.school_id == school_id, Term.starts_on <= today,
                             Term.ends_on >= today)
    holiday = exists().where(Holiday.school_id == school_id, Holiday.starts_on <= today,
                             Holiday.ends_on >= today)
    return (select(literal("lesson"), Lesson.period, Period.starts_at, Period.ends_at,
                   Lesson.class_name, Lesson.subject, Lesson.room, cast(null(), Integer),
                   cast(null(), String), cast(null(), String), literal(False))
            .join(Period, and_(Period.school_id == Lesson.school_id,
                               Period.weekday == Lesson.weekday,
                               Period.number == Lesson.period))
            .where(Lesson.teacher_id == bindparam("user_id"),
                   Lesson.weekday == bindparam("weekday"), in_term, ~holiday))


def _observations_today():
    """Today's observations of my lessons and those I accepted to observe."""
    user_id = bindparam("user_id")
    mine = aliased(ObservationObserver)
    teacher = aliased(User)
    role = case((Observation.teacher_id == user_id, literal("observed")),
                else_=literal("observe"))
    return (select(role, Observation.period, Period.starts_at, Period.ends_at,
                   Observation.class_name, Observation.subject, Observation.room,
                   Observation.id, teacher.name, Observation.state,
                   mine.submitted_at.is_not(None))
            .join(teacher, teacher.id == Observation.teacher_id)
            .outerjoin(mine, and_(mine.observation_id == Observation.id,
                                  mine.user_id == user_id, mine.status == "accepted"))
            .outerjoin(Period, and_(Period.school_id == Observation.school_id,
                                    Period.weekday == bindparam("weekday"),
                                    Period.number == Observation.period))
            .where(Observation.school_id == bindparam("school_id"),
                   Observation.lesson_date == bindparam("today"),
                   Observation.state.in_(TODAY_STATES),
                   or_(Observation.teacher_id == user_id,
                       and_(mine.id.is_not(None), Observation.state != "requested"))))


@cache
def _team_activity_statement():
    """My teams, the most recently active room first, each with my unread count there."""
    user_id = bindparam("user_id")
    # Correlated with the outer rooms explicitly, as in rooms.service.my_rooms: nested in
    # `unread`, it would otherwise select from its own `rooms` (PostgreSQL refuses the
    # second row, SQLite took the first room's read marker for every room).
    last_read = (select(RoomMember.last_read_id)
                 .where(RoomMember.room_id == Room.id, RoomMember.user_id == user_id)
                 .correlate(Room).scalar_subquery())
    unread = (select(func.count(RoomMessage.id))
              .where(RoomMessage.room_id == Room.id,
                     RoomMessage.id > func.coalesce(last_read, 0),
                     RoomMessage.author_id != user_id,
                     RoomMessage.deleted_at.is_(None))
              .correlate(Room).scalar_subquery())
    return (select(Team.id, Team.name, Room.id, Room.last_activity_at, func.coalesce(unread, 0))
            .join(TeamMember, TeamMember.team_id == Team.id)
            .outerjoin(Room, and_(Room.kind == "team", Room.team_id == Team.id))
            .where(TeamMember.user_id == user_id)
            .order_by(Room.id.is_(None), Room.last_activity_at.desc(), Team.name, Team.id))


@cache
def _agenda_statement():
    """One query: the observations I have not answered, those whose notes I have still to
    send and those of my lessons waiting for my reflection (by time), the feedback I have
    been asked for and not yet given (soonest due first), the mentoring requests waiting for
    my answer, my open action steps (soonest due first), then my running mentoring pairs
    (kind "mentor" when I am the novice, "mentee" when I mentor; newest first; the detail is
    the next step of the pair's last check-in)."""
    user_id, now = bindparam("user_id"), bindparam("now")
    answers = (select(literal("answer").label("kind"), Observation.id,
                      User.name.label("label"), Observation.lesson_date.label("on"),
                      Observation.period.label("period"),
                      cast(null(), String).label("detail"), literal(1).label("a"),
                      cast(Observation.starts_at, String).label("b"))
               .join(ObservationObserver, ObservationObserver.observation_id == Observation.id)
               .join(User, User.id == Observation.teacher_id)
               .where(ObservationObserver.user_id == user_id,
                      ObservationObserver.status == "invited",
                      Observation.state.in_(("requested", "scheduled")),
                      Observation.starts_at > now))
    notes = (select(literal("notes"), Observation.id, User.name, Observation.lesson_date,
                    Observation.period, cast(null(), String), literal(1),
                    cast(Observation.starts_at, String))
             .join(ObservationObserver, ObservationObserver.observation_id == Observation.id)
             .join(User, User.id == Observation.teacher_id)
             .where(ObservationObserver.user_id == user_id,
                    ObservationObserver.status == "accepted",
                    ObservationObserver.submitted_at.is_(None),
                    Observation.state.in_(("scheduled", "completed")),
                    Observation.ends_at < now))
    debriefs = (select(literal("debrief"), Observation.id, Observation.class_name,
                       Observation.lesson_date, Observation.period, Observation.subject,
                       literal(1), cast(Observation.starts_at, String))
                .where(Observation.teacher_id == user_id, Observation.state == "completed"))
    assessed = aliased(User)
    feedback = (select(literal("feedback"), Assessment.id, assessed.name, Assessment.due_on,
                       cast(null(), Integer), Assessment.kind, literal(2),
                       func.coalesce(cast(Assessment.due_on, String), "9999"))
                .outerjoin(assessed, assessed.id == Assessment.assessed_id)
                .where(Assessment.assessor_id == user_id, Assessment.status == "draft",
                       Assessment.kind != "anchor"))
    other = aliased(User)
    to_answer = or_(
        and_(MentorPair.mentor_id == user_id, MentorPair.mentor_ok.is_(False)),
        and_(MentorPair.novice_id == user_id, MentorPair.status == "proposed",
             MentorPair.novice_ok.is_(False)))
    pairs = (select(literal("mentoring"), MentorPair.id, other.name,
                    cast(null(), Date), cast(null(), Integer), MentorPair.status, literal(3),
                    cast(MentorPair.created_at, String))
             .join(other, other.id == case((MentorPair.mentor_id == user_id,
                                            MentorPair.novice_id), else_=MentorPair.mentor_id))
             .where(MentorPair.status.in_(("requested", "proposed")), to_answer))
    actions = (select(literal("action"), ActionStep.id, ActionStep.text, ActionStep.due_on,
                      cast(null(), Integer), cast(null(), String), literal(4),
                      cast(ActionStep.due_on, String))
               .where(ActionStep.owner_id == user_id, ActionStep.done_at.is_(None)))
    partner = aliased(User)
    next_step = (select(CheckIn.next_step).where(CheckIn.pair_id == MentorPair.id)
                 .order_by(CheckIn.held_on.desc(), CheckIn.id.desc()).limit(1)
                 .correlate(MentorPair).scalar_subquery())
    running = (select(case((MentorPair.novice_id == user_id, literal("mentor")),
                           else_=literal("mentee")),
                      MentorPair.id, partner.name, cast(null(), Date), cast(null(), Integer),
                      cast(next_step, String), literal(5), cast(null(), String))
               .join(partner, partner.id == case((MentorPair.mentor_id == user_id,
                                                  MentorPair.novice_id),
                                                 else_=MentorPair.mentor_id))
               .where(MentorPair.status == "active",
                      or_(MentorPair.novice_id == user_id, MentorPair.mentor_id == user_id)))
    everything = union_all(answers, notes, debriefs, feedback, pairs, actions,
                           running).subquery()
    # The pairs (a = 5) newest first: -id sorts them so, and every other arm by its id.
    return select(everything.c.kind, everything.c.id, everything.c.label, everything.c.on,
                  everything.c.period, everything.c.detail).order_by(
        everything.c.a, everything.c.b,
        case((everything.c.a == 5, -everything.c.id), else_=everything.c.id))
