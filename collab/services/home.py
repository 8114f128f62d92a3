"""What the home page shows: my teams, my latest notifications, and for a principal the staff
figures. A fixed handful of queries whatever the school's size."""

from dataclasses import dataclass, field

from sqlalchemy import func, select

from collab.extensions import db
from collab.models import Invitation, Membership, Notification, Team, TeamMember
from collab.services import notify


@dataclass
class HomeSummary:
    teams: list = field(default_factory=list)
    notifications: list = field(default_factory=list)
    staff_count: int = 0
    open_invitations: int = 0


def summary(user, principal: bool) -> HomeSummary:
    """The home page's data for one user."""
    result = HomeSummary()
    result.teams = list(
        db.session.scalars(
            select(Team)
            .join(TeamMember, TeamMember.team_id == Team.id)
            .where(TeamMember.user_id == user.id)
            .order_by(Team.name)
        )
    )
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
