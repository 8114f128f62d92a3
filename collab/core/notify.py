"""In-app notifications (the row: what happened, for whom, where to look, whether it was
read): create one, count the unread, list and mark them read; some also go
out by e-mail.

Each kind has one translated sentence here; the stored row keeps only the kind and its
values, so a notification reads in the recipient's current language. Where it leads is kept
the same way: a `links.Target` (endpoint, values, anchor) in the row's params under "_target",
built with url_for when shown; the `link` column keeps the path as it was built then (rows from
before targets, and the fallback when an endpoint is gone). An e-mail is written in
the recipient's language and queued in the outbox in the same transaction as the change that
caused it (core/mail.py: a rolled-back change sends nothing, a failing mail server is retried
and logged, never the user's error); its link is built from BASE_URL.
"""

import logging
from datetime import datetime

from flask import has_request_context, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, func, select, update
from sqlalchemy.orm import Mapped, mapped_column

from collab.core import mail
from collab.core.i18n import show_date
from collab.core.links import Target, absolute_url, path_for, safe_next
from collab.core.models import UTCDateTime, utcnow
from collab.extensions import db


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_recipient_read", "recipient_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(60))
    # Values for the kind's translated sentence (see core.notify.MESSAGES).
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    link: Mapped[str] = mapped_column(String(500), default="/")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def href(self) -> str:
        """Where the notification leads, built now from its stored target."""
        return href(self)


log = logging.getLogger(__name__)
# The key in Notification.params that holds the target; never a value of a sentence.
TARGET_KEY = "_target"

MESSAGES = {
    "member.joined": _l("%(name)s joined your school."),
    "role.principal": _l("You are now a principal of the school."),
    "role.teacher": _l("You are now a teacher of the school (no longer a principal)."),
    "team.added": _l("You were added to the team %(team)s."),
    "plan.coauthor_added": _l("You can now edit the plan “%(title)s” as a co-author."),
    "plan.commented": _l("%(name)s commented on the plan “%(title)s”."),
    "plan.comment_replied": _l("%(name)s replied to your comment on the plan “%(title)s”."),
    "plan.mentioned": _l("%(name)s mentioned you in a comment on the plan “%(title)s”."),
    "observation.requested": _l("%(name)s asks you to observe their lesson (class "
                                "%(class_name)s, %(date)s, period %(period)s)."),
    "observation.accepted": _l("%(name)s will observe your lesson (class %(class_name)s, "
                               "%(date)s, period %(period)s)."),
    "observation.declined": _l("%(name)s cannot observe your lesson (class %(class_name)s, "
                               "%(date)s, period %(period)s)."),
    "observation.proposed": _l("%(name)s proposes another lesson to observe instead of "
                               "class %(class_name)s, %(date)s, period %(period)s."),
    "observation.moved": _l("%(name)s moved the observation to class %(class_name)s, "
                            "%(date)s, period %(period)s. Please answer again."),
    "observation.cancelled": _l("%(name)s cancelled the observation (class %(class_name)s, "
                                "%(date)s, period %(period)s)."),
    "observation.completed": _l("%(name)s submitted their observation notes (class "
                                "%(class_name)s, %(date)s)."),
    "observation.debriefed": _l("%(name)s wrote their reflection on the observed lesson "
                                "(class %(class_name)s, %(date)s)."),
    "room.mentioned": _l("%(name)s mentioned you in the room “%(room)s”."),
    "assessment.requested": _l("%(name)s asks for your feedback with the rubric "
                               "“%(title)s” by %(date)s."),
    "assessment.submitted": _l("%(name)s gave you feedback with the rubric “%(title)s”."),
    # Anonymous peer feedback (assessments/service_anonymity.py): no name, no per-answer time.
    "assessment.submitted_anonymously": _l("An observer gave you feedback with the rubric "
                                           "“%(title)s”."),
    "assessment.answers_readable": _l("Your colleagues' feedback with the rubric “%(title)s” "
                                      "can now be read."),
    "assessment.all_answered": _l("Every colleague you asked has given feedback with the "
                                  "rubric “%(title)s”."),
    "assessment.reminder": _l("Reminder: your feedback for %(name)s is due on %(date)s."),
    "calibration.invited": _l("%(name)s invites you to a calibration round: “%(title)s”."),
    "observation.reminder": _l("Tomorrow: the observation of class %(class_name)s, "
                               "%(date)s, period %(period)s."),
    "mentoring.requested": _l("%(name)s asks you to be their mentor."),
    "mentoring.proposed": _l("The principal proposes that you work together with %(name)s "
                             "as a mentoring pair. Please answer."),
    "mentoring.accepted": _l("%(name)s accepted: your mentoring pair has started."),
    "mentoring.declined": _l("%(name)s declined the mentoring pair (note: %(note)s)."),
    "mentoring.withdrawn": _l("%(name)s took back their request for a mentor."),
    "mentoring.ended": _l("%(name)s ended your mentoring pair. Please write your closing "
                          "reflection."),
    "mentoring.ended_on_date": _l("Your mentoring pair with %(name)s has reached its end "
                                  "date. Please write your closing reflection."),
    "mentoring.thanked": _l("%(name)s sent you a thank-you note."),
    "mentoring.quiet": _l("No check-in with %(name)s for %(days)s days. A short talk and a "
                          "line in your log keep the pair going."),
    "mentoring.watch_asked": _l("%(name)s would like to observe one of your lessons. Choose "
                                "a lesson: they are ticked as observer."),
}


def notify(recipient, kind: str, target: Target, *, email: bool = False,
           **params) -> Notification:
    """Tell one user that something happened; `target` is the page to look at (its path must
    stay inside the site). With `email`, the same sentence and the link also go to their
    address after the commit."""
    if kind not in MESSAGES:
        raise KeyError(f"unknown notification kind {kind!r}")
    if not isinstance(target, Target):
        raise TypeError("a notification leads to a links.Target, not a hand-built path")
    if TARGET_KEY in params:
        raise ValueError(f"{TARGET_KEY!r} is reserved for the notification's target")
    link = path_for(target)  # an unknown endpoint or a missing value raises BuildError here
    # The same rule as next= redirects: browsers read "/\host" or "/<newline>//host" as
    # another site.
    if safe_next(link, fallback="") != link:
        raise ValueError("notification links stay inside the site")
    note = Notification(
        recipient_id=recipient.id,
        school_id=recipient.school_id,
        kind=kind,
        params={**params, TARGET_KEY: target.as_dict()},
        link=link,
    )
    db.session.add(note)
    db.session.flush()
    if email:
        _queue_mail(recipient.email, recipient.language, kind, params, link)
    return note


def values(note: Notification) -> dict:
    """The values of the notification's sentence (its stored target left out)."""
    return {k: v for k, v in (note.params or {}).items() if k != TARGET_KEY}


def _readable(params: dict) -> dict:
    """The sentence's values as the reader sees them: a stored ISO date in their language."""
    return {k: show_date(v) if k == "date" and isinstance(v, str) else v
            for k, v in params.items()}


def href(note: Notification) -> str:
    """The notification's link: built from its stored target (url_for in a request, the URL
    map alone outside one), else the stored `link`, as for rows older than targets or a
    target whose endpoint no longer exists."""
    stored = (note.params or {}).get(TARGET_KEY)
    if stored is None:
        return note.link
    return _build(stored, note.link)


def _build(target: Target | dict, fallback: str) -> str:
    try:
        if not isinstance(target, Target):
            target = Target.from_dict(target)
        if has_request_context():
            built = url_for(target.endpoint, _anchor=target.anchor or None, **target.values)
        else:
            built = path_for(target)
    except (LookupError, TypeError, ValueError):  # BuildError is a LookupError
        log.warning("Notification target %r no longer builds; using the stored link", target)
        return fallback
    return built if safe_next(built, fallback="") == built else fallback


def forget_pending_mail() -> None:
    """Send none of the e-mails queued so far in this transaction (the demo data tells its
    made-up people in the app only)."""
    mail.forget_queued()


def _queue_mail(address: str, language: str | None, kind: str, params: dict, link: str) -> None:
    with force_locale(language or "id"):
        sentence = str(MESSAGES[kind]) % _readable(params)
        footer = str(_l("Open Rembuk to answer:"))
    mail.send_mail(address, f"Rembuk: {sentence}"[:200],
                          f"{sentence}\n\n{footer} {absolute_url(link)}\n")


def text(note: Notification) -> str:
    """The notification's sentence in the current language."""
    return str(MESSAGES[note.kind]) % _readable(values(note))


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
