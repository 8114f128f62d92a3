"""Mentoring's rules: who offers to mentor (and how many novices), what a novice wants help
with, and a pair's life: asked by the novice or proposed by the principal, accepted by both,
then active. Typed refusals (MentoringError), no request.

Capacity holds under races: an open pair takes one of its mentor's numbered places
(models.py); the mentor's profile row is locked first where the database can (PostgreSQL),
and the unique place catches the rest.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from collab.core import activity, notify
from collab.core.links import Target
from collab.core.models import utcnow
from collab.core.refusals import RuleError
from collab.extensions import db
from collab.mentoring.models import MAX_CAPACITY, OPEN_STATES, MentoringProfile, MentorPair
from collab.mentoring.service_life import default_end
from collab.people.models import NOVICE_YEARS, Membership, Profile, School, User

MAX_FOCUS = 3
MAX_NOTE = 300
MAX_MESSAGE = 500

# The fixed list of focus areas: a mentor's strengths, a novice's wishes.
FOCUS_AREAS = {
    "classroom_management": _l("Classroom management"),
    "questioning": _l("Questioning"),
    "differentiation": _l("Differentiated teaching"),
    "assessment": _l("Assessment for learning"),
    "lesson_study": _l("Lesson study"),
    "ict": _l("ICT in class"),
    "lesson_planning": _l("Lesson planning"),
    "positive_discipline": _l("Positive discipline"),
}


class MentoringError(RuleError):
    """A refused change of mentoring; `code` names the rule, `field` the form field."""

    MESSAGES = {
        "capacity": _l("Choose how many novices: 1 to %(max)d.", max=MAX_CAPACITY),
        "capacity_taken": _l("You already have more novices than that; choose a larger "
                             "number."),
        "capacity_taken_teacher": _l("This teacher already has more novices than that; "
                                     "choose a larger number."),
        "focus_unknown": _l("Choose focus areas from the list."),
        "focus_count": _l("Choose at most %(max)d focus areas.", max=MAX_FOCUS),
        "note_long": _l("At most %(max)d characters.", max=MAX_NOTE),
        "message_long": _l("At most %(max)d characters.", max=MAX_MESSAGE),
        "not_experienced": _l("Mentors have taught for at least %(years)d years.",
                              years=NOVICE_YEARS),
        "not_novice": _l("Only a novice teacher (under %(years)d years) gets a mentor.",
                         years=NOVICE_YEARS),
        "self": _l("Nobody can mentor themselves."),
        "unknown": _l("Choose a colleague of your school."),
        "novice_paired": _l("This novice already has a mentor or an open request."),
        "mentor_full": _l("This mentor has no free place left."),
        "unwilling": _l("This colleague does not offer to mentor now."),
        "state": _l("This pairing has moved on meanwhile; nothing was changed."),
        "not_in_pair": _l("Only the two teachers of the pair answer."),
    }


# ---------------------------------------------------------------- profiles


def profile_of(user: User) -> MentoringProfile | None:
    return db.session.get(MentoringProfile, user.id)


def years_of(user: User) -> int | None:
    return user.profile.years_teaching if user.profile else None


def can_mentor(user: User) -> bool:
    """A teacher of 3+ years (the principal names mentors, and is none)."""
    years = years_of(user)
    return years is not None and years >= NOVICE_YEARS and not user.is_principal


def is_novice(user: User) -> bool:
    years = years_of(user)
    return years is not None and years < NOVICE_YEARS


def _clean_focus(focus) -> list[str]:
    chosen = list(dict.fromkeys(focus or []))
    if any(key not in FOCUS_AREAS for key in chosen):
        raise MentoringError("focus_unknown", "focus")
    return chosen


def _profile_row(user: User) -> MentoringProfile:
    row = profile_of(user)
    if row is None:
        row = MentoringProfile(user_id=user.id, school_id=user.school_id, willing=False,
                               capacity=1, subjects=list(_profile_list(user, "subjects")),
                               grades=list(_profile_list(user, "grades")), focus=[], note="")
        db.session.add(row)
    return row


def _profile_list(user: User, name: str) -> list:
    return list(getattr(user.profile, name, None) or [])


def set_offer(user: User, capacity, subjects, grades, focus, note: str = "",
              by: User | None = None) -> MentoringProfile:
    """The teacher offers to mentor at most `capacity` novices (by themselves, or set `by`
    the principal). Refuses a capacity outside 1–3 or below the novices already taken."""
    if not can_mentor(user):
        raise MentoringError("not_experienced", "capacity")
    if not isinstance(capacity, int) or not 1 <= capacity <= MAX_CAPACITY:
        raise MentoringError("capacity", "capacity")
    focus = _clean_focus(focus)
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise MentoringError("note_long", "note")
    row = _profile_row(user)
    if capacity < len(open_pairs_of_mentor(user.id)):
        by_other = by is not None and by.id != user.id
        raise MentoringError("capacity_taken_teacher" if by_other else "capacity_taken",
                             "capacity")
    row.willing = True
    row.capacity = capacity
    row.subjects = [s.strip() for s in subjects or [] if s.strip()][:20]
    row.grades = [str(g).strip() for g in grades or [] if str(g).strip()][:20]
    row.focus = focus
    row.note = note
    db.session.flush()
    return row


def stop_offer(user: User) -> None:
    """The teacher no longer takes new novices (the pairs they have go on)."""
    row = profile_of(user)
    if row is not None:
        row.willing = False
        db.session.flush()


def set_wishes(user: User, focus) -> MentoringProfile:
    """What a novice wants help with: up to three focus areas."""
    if not is_novice(user):
        raise MentoringError("not_novice", "focus")
    focus = _clean_focus(focus)
    if len(focus) > MAX_FOCUS:
        raise MentoringError("focus_count", "focus")
    row = _profile_row(user)
    row.focus = focus
    db.session.flush()
    return row


def school_teacher(school_id: int, user_id) -> User:
    """A member of the school by id, else a refusal (a form's colleague field)."""
    user = db.session.scalar(select(User).join(Membership, Membership.user_id == User.id)
                             .where(User.id == user_id, Membership.school_id == school_id)) \
        if isinstance(user_id, int) else None
    if user is None:
        raise MentoringError("unknown", "mentor_id")
    return user


def novices(school_id: int) -> list[User]:
    """The school's novice teachers, by name."""
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .join(Profile, Profile.user_id == User.id)
        .where(Membership.school_id == school_id, Membership.role == "teacher",
               Profile.years_teaching < NOVICE_YEARS)
        .order_by(func.lower(User.name), User.id)))


def experienced(school_id: int) -> list[User]:
    """The school's teachers who could mentor (3+ years), by name."""
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .join(Profile, Profile.user_id == User.id)
        .where(Membership.school_id == school_id, Membership.role == "teacher",
               Profile.years_teaching >= NOVICE_YEARS)
        .order_by(func.lower(User.name), User.id)))


# ---------------------------------------------------------------- pairs


def open_pairs_of_mentor(mentor_id: int) -> list[MentorPair]:
    return list(db.session.scalars(select(MentorPair).where(
        MentorPair.mentor_id == mentor_id, MentorPair.status.in_(OPEN_STATES))
        .order_by(MentorPair.id)))


def open_pair_of_novice(novice_id: int) -> MentorPair | None:
    return db.session.scalar(select(MentorPair).where(
        MentorPair.novice_id == novice_id, MentorPair.status.in_(OPEN_STATES)))


def pairs_of(user: User) -> list[MentorPair]:
    """The user's pairs as novice or mentor, open ones first, newest first."""
    pairs = db.session.scalars(select(MentorPair).where(
        (MentorPair.novice_id == user.id) | (MentorPair.mentor_id == user.id))
        .order_by(MentorPair.id.desc()))
    return sorted(pairs, key=lambda p: (p.status not in OPEN_STATES, -p.id))


def school_pairs(school_id: int) -> list[MentorPair]:
    """The school's open pairs, for the principal."""
    return list(db.session.scalars(select(MentorPair).where(
        MentorPair.school_id == school_id, MentorPair.status.in_(OPEN_STATES))
        .order_by(MentorPair.id)))


def request_mentor(novice: User, mentor: User, message: str = "") -> MentorPair:
    """A novice asks a willing colleague to mentor them; the mentor answers."""
    if not is_novice(novice):
        raise MentoringError("not_novice", "mentor_id")
    pair = _open_pair(novice, mentor, novice, "requested", message)
    pair.novice_ok = True
    notify.notify(mentor, "mentoring.requested", Target("mentoring.index", anchor="asked"),
                  email=True, name=novice.name)
    return pair


def propose(principal: User, novice: User, mentor: User) -> MentorPair:
    """The principal proposes a pair; both are asked to accept."""
    if not is_novice(novice):
        raise MentoringError("not_novice", "novice_id")
    pair = _open_pair(novice, mentor, principal, "proposed", "")
    for person, other in ((novice, mentor), (mentor, novice)):
        notify.notify(person, "mentoring.proposed", Target("mentoring.index", anchor="asked"),
                      email=True, name=other.name)
    return pair


def _open_pair(novice: User, mentor: User, asked_by: User, status: str,
               message: str) -> MentorPair:
    if novice.id == mentor.id:
        raise MentoringError("self", "mentor_id")
    if novice.school_id != mentor.school_id or novice.school_id is None:
        raise MentoringError("unknown", "mentor_id")
    message = (message or "").strip()
    if len(message) > MAX_MESSAGE:
        raise MentoringError("message_long", "message")
    offer = db.session.scalar(select(MentoringProfile).where(
        MentoringProfile.user_id == mentor.id).with_for_update(of=MentoringProfile))
    if offer is None or not offer.willing or not can_mentor(mentor):
        raise MentoringError("unwilling", "mentor_id")
    if open_pair_of_novice(novice.id) is not None:
        raise MentoringError("novice_paired", "mentor_id")
    taken = {p.place for p in open_pairs_of_mentor(mentor.id)}
    # Counted, not only looked for: after a capacity was lowered, an open pair may hold a
    # place above it, and a free place under it is then no free place.
    place = next((n for n in range(1, offer.capacity + 1) if n not in taken), None)
    if len(taken) >= offer.capacity or place is None:
        raise MentoringError("mentor_full", "mentor_id")
    pair = MentorPair(school_id=novice.school_id, novice_id=novice.id, mentor_id=mentor.id,
                      place=place, status=status, asked_by_id=asked_by.id, message=message)
    try:
        with db.session.begin_nested():
            db.session.add(pair)
    except IntegrityError:
        # Someone else took the place or paired the novice meanwhile.
        code = "novice_paired" if open_pair_of_novice(novice.id) else "mentor_full"
        raise MentoringError(code, "mentor_id") from None
    return pair


def answer(pair: MentorPair, user: User, accept: bool, note: str = "") -> MentorPair:
    """The mentor (or, for a proposal, either teacher) accepts or declines with a note."""
    if user.id not in pair.member_ids():
        raise MentoringError("not_in_pair")
    if pair.status not in ("requested", "proposed"):
        raise MentoringError("state")
    note = (note or "").strip()
    if len(note) > MAX_MESSAGE:
        raise MentoringError("message_long", "note")
    if pair.status == "requested" and user.id != pair.mentor_id:
        raise MentoringError("not_in_pair")
    other = pair.novice if user.id == pair.mentor_id else pair.mentor
    if note:
        pair.answer_note = note
    target = Target("mentoring.index")
    if not accept:
        pair.status = "declined"
        pair.ended_at = utcnow()
        notify.notify(other, "mentoring.declined", target, email=True, name=user.name,
                      note=note or "—")
        db.session.flush()
        return pair
    if user.id == pair.mentor_id:
        pair.mentor_ok = True
    else:
        pair.novice_ok = True
    if pair.mentor_ok and pair.novice_ok:
        pair.status = "active"
        pair.started_at = utcnow()
        pair.ends_on = default_end(pair.started_at, db.session.get(School, pair.school_id)
                                   .timezone)
        db.session.flush()
        activity.record(pair.school_id, user, "mentoring.pair_started", "mentor_pair", pair.id)
        notify.notify(other, "mentoring.accepted", Target("mentoring.pair", {"pair_id": pair.id}),
                      email=True, name=user.name)
    db.session.flush()
    return pair
