"""The append-only activity log: every feature records what a user did through `record`."""

from collab.extensions import db
from collab.models import ActivityEvent


def record(school_id: int, actor, verb: str, object_type: str, object_id: int | None = None):
    """Append one activity event (e.g. verb "plan.saved", object_type "plan"); it is written
    with the rest of the transaction."""
    event = ActivityEvent(
        school_id=school_id,
        actor_id=getattr(actor, "id", actor),
        verb=verb,
        object_type=object_type,
        object_id=object_id,
    )
    db.session.add(event)
    return event
