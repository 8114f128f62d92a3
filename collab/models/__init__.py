"""All models, imported here so that Alembic and the app see the whole schema."""

from collab.models.activity import ActivityEvent
from collab.models.notifications import Notification
from collab.models.schools import ROLES, Invitation, Membership, School, Team, TeamMember
from collab.models.users import Profile, User

__all__ = [
    "ROLES",
    "ActivityEvent",
    "Invitation",
    "Membership",
    "Notification",
    "Profile",
    "School",
    "Team",
    "TeamMember",
    "User",
]
