"""All models, imported here so that Alembic and the app see the whole schema."""

from collab.models.activity import ActivityEvent
from collab.models.notifications import Notification
from collab.models.observations import (
    CLASS_MODES,
    NOTE_TAGS,
    OBSERVATION_STATES,
    ActionStep,
    CalendarFeed,
    Observation,
    ObservationBooking,
    ObservationNote,
    ObservationObserver,
)
from collab.models.plans import (
    VISIBILITIES,
    Plan,
    PlanAttachment,
    PlanCoauthor,
    PlanComment,
    PlanRevision,
    PlanTag,
    PlanTemplate,
)
from collab.models.schools import ROLES, Invitation, Membership, School, Team, TeamMember
from collab.models.timetables import WEEKDAYS, Holiday, Lesson, Period, SchoolClass, Term
from collab.models.users import Profile, User

__all__ = [
    "CLASS_MODES",
    "NOTE_TAGS",
    "OBSERVATION_STATES",
    "ROLES",
    "VISIBILITIES",
    "WEEKDAYS",
    "ActionStep",
    "ActivityEvent",
    "CalendarFeed",
    "Holiday",
    "Invitation",
    "Lesson",
    "Membership",
    "Notification",
    "Observation",
    "ObservationBooking",
    "ObservationNote",
    "ObservationObserver",
    "Period",
    "Plan",
    "PlanAttachment",
    "PlanCoauthor",
    "PlanComment",
    "PlanRevision",
    "PlanTag",
    "PlanTemplate",
    "Profile",
    "School",
    "SchoolClass",
    "Team",
    "TeamMember",
    "Term",
    "User",
]
