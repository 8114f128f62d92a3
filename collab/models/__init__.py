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
from collab.models.rooms import (
    BOARD_COLUMNS,
    ROOM_KINDS,
    BoardNote,
    HandRaise,
    Room,
    RoomMember,
    RoomMessage,
)
from collab.models.schools import ROLES, Invitation, Membership, School, Team, TeamMember
from collab.models.timetables import WEEKDAYS, Holiday, Lesson, Period, SchoolClass, Term
from collab.models.users import Profile, User

__all__ = [
    "BOARD_COLUMNS",
    "CLASS_MODES",
    "NOTE_TAGS",
    "OBSERVATION_STATES",
    "ROLES",
    "ROOM_KINDS",
    "VISIBILITIES",
    "WEEKDAYS",
    "ActionStep",
    "ActivityEvent",
    "BoardNote",
    "CalendarFeed",
    "HandRaise",
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
    "Room",
    "RoomMember",
    "RoomMessage",
    "School",
    "SchoolClass",
    "Team",
    "TeamMember",
    "Term",
    "User",
]
