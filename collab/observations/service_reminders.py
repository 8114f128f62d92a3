"""The day-before reminder of an observation (`flask send-reminders`, run by cron or a
systemd timer): the observed teacher and every observer who accepted are told, in the app
and by e-mail, about the observations scheduled for tomorrow in their school's time zone.

Each person is reminded once: the time of the reminder is kept (`teacher_reminded_at`,
`ObservationObserver.reminded_at`) and claimed with a conditional UPDATE, so a second run,
even one running at the same time, sends nothing twice.
"""

from datetime import date, timedelta

from sqlalchemy import select, update

from collab.core import notify
from collab.core.links import Target
from collab.core.models import utcnow
from collab.extensions import db
from collab.observations.models import Observation, ObservationObserver
from collab.observations.service import school_today
from collab.people.models import School


def send_reminders() -> int:
    """Remind everyone of tomorrow's scheduled observations in every school; returns how
    many reminders were made. Flushes; the caller commits (the e-mails go after that)."""
    sent = 0
    for school in db.session.scalars(select(School).order_by(School.id)):
        sent += remind_school(school, school_today(school) + timedelta(days=1))
    return sent


def remind_school(school: School, day: date) -> int:
    """Remind the people of the school's observations scheduled on `day` who have not been
    reminded yet; returns how many reminders were made."""
    sent = 0
    for observation in db.session.scalars(
            select(Observation).where(Observation.school_id == school.id,
                                      Observation.lesson_date == day,
                                      Observation.state == "scheduled")
            .order_by(Observation.starts_at, Observation.id)):
        if _claim_teacher(observation):
            _remind(observation.teacher, observation)
            sent += 1
        for invite in observation.observers:
            if invite.status == "accepted" and _claim_observer(invite):
                _remind(invite.user, observation)
                sent += 1
    return sent


def _claim_teacher(observation: Observation) -> bool:
    # A Core UPDATE: the reminder is no change of the observation, so its version (and the
    # calendar's SEQUENCE) stays as it is.
    claimed = db.session.execute(
        update(Observation)
        .where(Observation.id == observation.id, Observation.teacher_reminded_at.is_(None))
        .values(teacher_reminded_at=utcnow())
        .execution_options(synchronize_session=False))
    return claimed.rowcount == 1


def _claim_observer(invite: ObservationObserver) -> bool:
    claimed = db.session.execute(
        update(ObservationObserver)
        .where(ObservationObserver.id == invite.id, ObservationObserver.reminded_at.is_(None))
        .values(reminded_at=utcnow())
        .execution_options(synchronize_session=False))
    return claimed.rowcount == 1


def _remind(user, observation: Observation) -> None:
    notify.notify(user, "observation.reminder",
                  Target("observations.view", {"observation_id": observation.id}), email=True,
                  date=observation.lesson_date.isoformat(), period=observation.period,
                  class_name=observation.class_name)
