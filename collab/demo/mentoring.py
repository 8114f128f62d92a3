"""Demo mentoring in the demo SMP: offers to mentor (two experienced teachers still have room),
the novices' wishes, guru01 mentoring guru09 (two goals, three check-ins, a thank-you) and
guru05 mentoring guru10; guru11 and guru12 left unpaired, so that "Propose pairs" has work
to do.

Everything comes from `data/mentoring.json` and goes through the mentoring services, so
places, notifications and activity events are as real ones would be. Idempotent: a novice
who already has a pair is left as they are.
"""

from datetime import timedelta

from sqlalchemy import select

from collab.core import notify
from collab.core.models import utcnow
from collab.demo.content import DemoContent
from collab.extensions import db
from collab.mentoring import service as mentoring
from collab.mentoring import service_life as life
from collab.mentoring import service_space as space
from collab.mentoring.models import MentorPair
from collab.people.models import Membership, School, User


def seed(school: School, data: DemoContent) -> None:
    """Offers, wishes and the demo pairs; flushes."""
    spec = data.mentoring
    people = {u.email.split("@")[0]: u for u in db.session.scalars(
        select(User).join(Membership).where(Membership.school_id == school.id))}
    for offer in spec["offers"]:
        mentor = people.get(offer["mentor"])
        if mentor is not None and mentoring.profile_of(mentor) is None:
            mentoring.set_offer(mentor, offer["capacity"], mentor.profile.subjects,
                                mentor.profile.grades, offer["focus"], offer["note"])
    for handle, focus in spec["wishes"].items():
        if handle in people and mentoring.profile_of(people[handle]) is None:
            mentoring.set_wishes(people[handle], focus)
    for pair_spec in spec["pairs"]:
        novice, mentor = people.get(pair_spec["novice"]), people.get(pair_spec["mentor"])
        if novice is None or mentor is None or db.session.scalar(
                select(MentorPair.id).where(MentorPair.novice_id == novice.id).limit(1)):
            continue
        _pair(novice, mentor, pair_spec, {novice.email.split("@")[0]: novice,
                                          mentor.email.split("@")[0]: mentor})
    notify.forget_pending_mail()  # the demo's people are told in the app only
    db.session.flush()


def _pair(novice: User, mentor: User, spec: dict, people: dict[str, User]) -> None:
    now = utcnow()
    today = now.date()
    pair = mentoring.request_mentor(novice, mentor, spec["message"])
    mentoring.answer(pair, mentor, True, spec["answer"])
    pair.created_at = now - timedelta(days=spec["days_ago"], hours=3)
    pair.started_at = now - timedelta(days=spec["days_ago"])
    pair.ends_on = life.default_end(pair.started_at, novice.membership.school.timezone)
    for goal_spec in spec["goals"]:
        goal = space.add_goal(pair, mentor, goal_spec["text"], goal_spec["success"],
                              today + timedelta(days=goal_spec["due_in_days"]), today)
        if goal_spec["done"]:
            space.set_goal_done(pair, goal, novice, True)
    for checkin in sorted(spec["checkins"], key=lambda c: -c["days_ago"]):
        space.add_checkin(pair, people[checkin["author"]],
                          today - timedelta(days=checkin["days_ago"]), checkin["talked"],
                          checkin["next_step"], today)
    for text in spec["thanks"]:
        life.thank(pair, novice, text)
