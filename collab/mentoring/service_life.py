"""A pair's life after it is asked for: the novice takes back a request, either teacher ends
an active pair with a closing reflection (the other writes theirs afterwards), the pair ends
by itself on the day the principal set (`ends_on`, a year from the start by default), the
novice thanks the mentor, and the novice lets the mentor into their debrief rooms.

`flask send-reminders` calls `daily`: pairs past their end day end, and both teachers of a
pair that has logged no check-in for QUIET_DAYS are nudged, once per quiet spell (the time of
the nudge is claimed with a conditional UPDATE, so two runs at once send it once).
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from collab.core import activity, notify
from collab.core.links import Target
from collab.core.models import utcnow
from collab.core.refusals import RuleError
from collab.extensions import db
from collab.mentoring.models import CheckIn, MentoringProfile, MentorPair, ThankYou
from collab.people.models import School, User

QUIET_DAYS = 14
PAIR_LENGTH = timedelta(days=365)
LONGEST_PAIR = timedelta(days=3 * 365)
MAX_REFLECTION = 1000
MAX_THANKS = 500


class LifeError(RuleError):
    """A refused withdrawal, ending, reflection, thank-you or setting; `field` is the form
    field at fault."""

    MESSAGES = {
        "not_in_pair": _l("Only the two teachers of the pair do this."),
        "novice_only": _l("Only the novice of the pair does this."),
        "state": _l("This pairing has moved on meanwhile; nothing was changed."),
        "reflection_missing": _l("Write a short closing reflection."),
        "reflection_long": _l("At most %(max)d characters.", max=MAX_REFLECTION),
        "reflected": _l("Your closing reflection is already written."),
        "thanks_missing": _l("Write your thank-you note."),
        "thanks_long": _l("At most %(max)d characters.", max=MAX_THANKS),
        "ends_on": _l("Choose an end date from tomorrow to three years after the start."),
        "no_offer": _l("Offer to mentor first."),
    }


def _member(pair: MentorPair, user: User) -> None:
    if user.id not in pair.member_ids():
        raise LifeError("not_in_pair")


def _other(pair: MentorPair, user: User) -> User:
    return pair.mentor if user.id == pair.novice_id else pair.novice


def _pair_page(pair: MentorPair, anchor: str | None = None) -> Target:
    return Target("mentoring.pair", {"pair_id": pair.id}, anchor)


def _clean(text: str, limit: int, missing: str, long: str, field: str) -> str:
    text = (text or "").strip()
    if not text:
        raise LifeError(missing, field)
    if len(text) > limit:
        raise LifeError(long, field)
    return text


# ---------------------------------------------------------------- withdrawing and ending


def withdraw(pair: MentorPair, novice: User) -> None:
    """The novice takes back their request before the mentor answers."""
    if novice.id != pair.novice_id:
        raise LifeError("novice_only")
    if pair.status != "requested":
        raise LifeError("state")
    pair.status, pair.ended_at = "withdrawn", utcnow()
    db.session.flush()
    notify.notify(pair.mentor, "mentoring.withdrawn", Target("mentoring.index"),
                  name=novice.name)


def default_end(start: datetime, timezone: str) -> date:
    """A year after the day the pair started, in the school's time zone."""
    return start.astimezone(ZoneInfo(timezone)).date() + PAIR_LENGTH


def end(pair: MentorPair, user: User, reflection: str) -> None:
    """Either teacher ends the active pair, with their closing reflection; the other is asked
    for theirs. The pair's history stays readable by both."""
    _member(pair, user)
    if pair.status != "active":
        raise LifeError("state")
    text = _clean(reflection, MAX_REFLECTION, "reflection_missing", "reflection_long",
                  "reflection")
    _close(pair, user)
    _set_reflection(pair, user, text)
    notify.notify(_other(pair, user), "mentoring.ended", _pair_page(pair, "closing"),
                  email=True, name=user.name)


def _close(pair: MentorPair, by: User | None) -> None:
    pair.status, pair.ended_at = "ended", utcnow()
    db.session.flush()
    activity.record(pair.school_id, by, "mentoring.pair_ended", "mentor_pair", pair.id)


def _set_reflection(pair: MentorPair, user: User, text: str) -> None:
    if user.id == pair.novice_id:
        pair.novice_reflection = text
    else:
        pair.mentor_reflection = text
    db.session.flush()


def reflect(pair: MentorPair, user: User, reflection: str) -> None:
    """A teacher of an ended pair writes their closing reflection (once)."""
    _member(pair, user)
    if pair.status != "ended":
        raise LifeError("state")
    if pair.reflection_of(user.id):
        raise LifeError("reflected", "reflection")
    _set_reflection(pair, user, _clean(reflection, MAX_REFLECTION, "reflection_missing",
                                       "reflection_long", "reflection"))


def set_ends_on(pair: MentorPair, ends_on: date | None, today: date) -> None:
    """The principal sets the day an active pair ends by itself (from tomorrow to three
    years after the start)."""
    if pair.status != "active":
        raise LifeError("state")
    started = pair.started_at.date() if pair.started_at else today
    if ends_on is None or not today < ends_on <= started + LONGEST_PAIR:
        raise LifeError("ends_on", "ends_on")
    pair.ends_on = ends_on
    db.session.flush()


# ---------------------------------------------------------------- thanks and sharing


def thank(pair: MentorPair, novice: User, text: str) -> ThankYou:
    """A thank-you note from the novice to the mentor, at any time of the pair (also after it
    ended); the mentor is told."""
    if novice.id != pair.novice_id:
        raise LifeError("novice_only")
    if pair.status not in ("active", "ended"):
        raise LifeError("state")
    note = ThankYou(pair_id=pair.id, text=_clean(text, MAX_THANKS, "thanks_missing",
                                                  "thanks_long", "text"))
    db.session.add(note)
    db.session.flush()
    notify.notify(pair.mentor, "mentoring.thanked", _pair_page(pair, "thanks"), email=True,
                  name=novice.name)
    activity.record(pair.school_id, novice, "mentoring.thanked", "mentor_pair", pair.id)
    return note


def thanks_of_pair(pair: MentorPair) -> list[ThankYou]:
    return list(db.session.scalars(select(ThankYou).where(ThankYou.pair_id == pair.id)
                                   .order_by(ThankYou.id.desc())))


def thanks_shown(mentor: User) -> list[ThankYou]:
    """The thank-you notes the mentor lets colleagues read on their profile, newest first;
    [] when they do not."""
    shown = db.session.scalar(select(MentoringProfile.show_thanks).where(
        MentoringProfile.user_id == mentor.id))
    if not shown:
        return []
    return list(db.session.scalars(
        select(ThankYou).join(MentorPair, MentorPair.id == ThankYou.pair_id)
        .where(MentorPair.mentor_id == mentor.id).order_by(ThankYou.id.desc()).limit(50)))


def set_show_thanks(mentor: User, show: bool) -> None:
    """The mentor lets colleagues read their mentees' thank-you notes, or stops it."""
    row = db.session.get(MentoringProfile, mentor.id)
    if row is None:
        raise LifeError("no_offer")
    row.show_thanks = bool(show)
    db.session.flush()


def set_share_debriefs(pair: MentorPair, novice: User, share: bool) -> None:
    """The novice lets the mentor into the debrief rooms of their observed lessons (while
    the pair is active), or takes it back."""
    if novice.id != pair.novice_id:
        raise LifeError("novice_only")
    if pair.status != "active":
        raise LifeError("state")
    pair.share_debriefs = bool(share)
    db.session.flush()


# ---------------------------------------------------------------- the daily run


def daily() -> int:
    """For every school: end the pairs past their end day, nudge the quiet ones. Returns how
    many notifications were made. Flushes; the caller commits."""
    sent = 0
    for school in db.session.scalars(select(School).order_by(School.id)):
        today = datetime.now(ZoneInfo(school.timezone)).date()
        sent += end_due(school, today)
        sent += nudge_quiet(school, today)
    return sent


def end_due(school: School, today: date) -> int:
    """End the school's active pairs whose end day has come; both are asked to reflect."""
    sent = 0
    for pair in db.session.scalars(select(MentorPair).where(
            MentorPair.school_id == school.id, MentorPair.status == "active",
            MentorPair.ends_on <= today).order_by(MentorPair.id)):
        _close(pair, None)
        for person in (pair.novice, pair.mentor):
            notify.notify(person, "mentoring.ended_on_date", _pair_page(pair, "closing"),
                          email=True, name=_other(pair, person).name)
            sent += 1
    return sent


def nudge_quiet(school: School, today: date) -> int:
    """Tell both teachers of each active pair with no check-in for QUIET_DAYS (counted from
    the last check-in, or the start), once per quiet spell."""
    last = (select(CheckIn.pair_id, func.max(CheckIn.held_on).label("held_on"),
                   func.max(CheckIn.created_at).label("logged_at"))
            .group_by(CheckIn.pair_id).subquery())
    sent = 0
    zone = ZoneInfo(school.timezone)
    for pair, held_on, logged_at in db.session.execute(
            select(MentorPair, last.c.held_on, last.c.logged_at)
            .outerjoin(last, last.c.pair_id == MentorPair.id)
            .where(MentorPair.school_id == school.id, MentorPair.status == "active")
            .order_by(MentorPair.id)):
        begun = pair.started_at or pair.created_at
        started = begun.astimezone(zone).date()
        quiet_since = max(started, held_on) if held_on else started
        if (today - quiet_since).days < QUIET_DAYS:
            continue
        # Already nudged in this quiet spell: no check-in was logged since the nudge.
        if pair.nudged_at is not None and pair.nudged_at > _aware(logged_at or begun):
            continue
        if not _claim_nudge(pair):
            continue
        for person in (pair.novice, pair.mentor):
            notify.notify(person, "mentoring.quiet", _pair_page(pair, "log"), email=True,
                          name=_other(pair, person).name, days=QUIET_DAYS)
            sent += 1
    return sent


def _aware(moment: datetime) -> datetime:
    # A max() over the column comes back without its type on SQLite: naive UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _claim_nudge(pair: MentorPair) -> bool:
    # The nudge time as read: a run that nudged meanwhile changed it, and this one stops.
    claimed = db.session.execute(
        update(MentorPair)
        .where(MentorPair.id == pair.id,
               MentorPair.nudged_at.is_(None) if pair.nudged_at is None
               else MentorPair.nudged_at == pair.nudged_at)
        .values(nudged_at=utcnow())
        .execution_options(synchronize_session=False))
    return claimed.rowcount == 1
