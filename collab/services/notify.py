"""In-app notifications: create one, count the unread, list and mark them read.

Each kind has one translated sentence here; the stored row keeps only the kind and its
values, so a notification reads in the recipient's current language.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from collab.extensions import db
from collab.models import Notification
from collab.models.base import utcnow

MESSAGES = {
    "member.joined": _l("%(name)s joined your school."),
    "role.principal": _l("You are now a principal of the school."),
    "role.teacher": _l("You are now a teacher of the school (no longer a principal)."),
    "team.added": _l("You were added to the team %(team)s."),
    "plan.coauthor_added": _l("You can now edit the plan “%(title)s” as a co-author."),
    "plan.commented": _l("%(name)s commented on the plan “%(title)s”."),
    "plan.comment_replied": _l("%(name)s replied to your comment on the plan “%(title)s”."),
    "plan.mentioned": _l("%(name)s mentioned you in a comment on the plan “%(title)s”."),
}


def notify(recipient, kind: str, link: str = "/", **params) -> Notification:
    """Tell one user that something happened; `link` must be a path inside the site."""
    if kind not in MESSAGES:
        raise KeyError(f"unknown notification kind {kind!r}")
    # The same rule as next= redirects: browsers read "/\host" or "/<newline>//host" as
    # another site.
    from collab.web import safe_next  # here, not at the top: collab.web imports this module

    if not link or safe_next(link, fallback="") != link:
        raise ValueError("notification links stay inside the site")
    note = Notification(
        recipient_id=recipient.id,
        school_id=recipient.school_id,
        kind=kind,
        params=params,
        link=link,
    )
    db.session.add(note)
    db.session.flush()
    return note


def text(note: Notification) -> str:
    """The notification's sentence in the current language."""
    return str(MESSAGES[note.kind]) % note.params


def unread_count(user_id: int) -> int:
    """How many notifications the user has not read."""
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.recipient_id == user_id, Notification.read_at.is_(None)
        )
    )


def recent(user_id: int, limit: int = 50) -> list[Notification]:
    """The user's latest notifications, newest first."""
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.recipient_id == user_id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def mark_all_read(user_id: int) -> None:
    """Mark every unread notification of the user as read."""
    db.session.execute(
        update(Notification)
        .where(Notification.recipient_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
