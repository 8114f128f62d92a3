"""What the home page shows: my teams, the observations waiting for my answer, my open
action steps, my latest notifications, and for a principal the staff figures. A fixed
handful of queries whatever the school's size (teams, answers and steps come in one)."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Date, Integer, String, cast, func, literal, null, select, union_all

from collab.core import notify
from collab.core.models import utcnow
from collab.core.notify import Notification
from collab.extensions import db
from collab.observations.models import ActionStep, Observation, ObservationObserver
from collab.people.models import Invitation, Membership, Team, TeamMember, User


@dataclass(frozen=True)
class AgendaItem:
    """A team (id, name), an observation waiting for my answer (its id, the observed
    teacher, the date and period) or an action step (id, text, due date)."""

    kind: str
    id: int
    label: str
    on: date | None = None
    period: int | None = None


@dataclass
class HomeSummary:
    teams: list = field(default_factory=list)
    waiting: list = field(default_factory=list)
    actions: list = field(default_factory=list)
    notifications: list = field(default_factory=list)
    staff_count: int = 0
    open_invitations: int = 0


def summary(user, principal: bool) -> HomeSummary:
    """The home page's data for one user."""
    result = HomeSummary()
    for row in db.session.execute(_agenda(user)).all():
        item = AgendaItem(*row)
        {"team": result.teams, "answer": result.waiting, "action": result.actions}[
            item.kind].append(item)
    latest = db.session.scalars(
        select(Notification)
        .where(Notification.recipient_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(5)
    )
    result.notifications = [(note, notify.text(note)) for note in latest]
    if principal:
        staff_count = (
            select(func.count(Membership.id))
            .where(Membership.school_id == user.school_id)
            .scalar_subquery()
        )
        open_invites = (
            select(func.count(Invitation.id))
            .where(
                Invitation.school_id == user.school_id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
            .scalar_subquery()
        )
        result.staff_count, result.open_invitations = db.session.execute(
            select(staff_count, open_invites)
        ).one()
    return result


def _agenda(user):
    """One query: my teams by name, the observations I have not answered (soonest first),
    my open action steps (soonest due first)."""
    teams = (select(literal("team").label("kind"), Team.id, Team.name.label("label"),
                    cast(null(), Date).label("on"), cast(null(), Integer).label("period"),
                    literal(0).label("a"), Team.name.label("b"))
             .join(TeamMember, TeamMember.team_id == Team.id)
             .where(TeamMember.user_id == user.id))
    answers = (select(literal("answer"), Observation.id, User.name, Observation.lesson_date,
                      Observation.period, literal(1), cast(Observation.starts_at, String))
               .join(ObservationObserver, ObservationObserver.observation_id == Observation.id)
               .join(User, User.id == Observation.teacher_id)
               .where(ObservationObserver.user_id == user.id,
                      ObservationObserver.status == "invited",
                      Observation.state.in_(("requested", "scheduled")),
                      Observation.starts_at > utcnow()))
    actions = (select(literal("action"), ActionStep.id, ActionStep.text, ActionStep.due_on,
                      cast(null(), Integer), literal(2), cast(ActionStep.due_on, String))
               .where(ActionStep.owner_id == user.id, ActionStep.done_at.is_(None)))
    everything = union_all(teams, answers, actions).subquery()
    return select(everything.c.kind, everything.c.id, everything.c.label, everything.c.on,
                  everything.c.period).order_by(everything.c.a, everything.c.b,
                                                everything.c.id)
