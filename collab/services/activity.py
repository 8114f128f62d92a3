"""The append-only activity log: every feature records what a user did through `record`."""

from sqlalchemy import insert

from collab.extensions import db
from collab.models import ActivityEvent


def record(school_id: int, actor, verb: str, object_type: str, object_id: int | None = None):
    """Append one activity event (e.g. verb "plan.saved", object_type "plan"), in one INSERT
    at once: a chat message records one, and the ORM's unit of work costs several times
    more. Nothing reads the row back in the same transaction."""
    db.session.execute(insert(ActivityEvent.__table__).values(
        school_id=school_id,
        actor_id=getattr(actor, "id", actor),
        verb=verb,
        object_type=object_type,
        object_id=object_id,
    ))
