"""Calendars in iCalendar format (RFC 5545), made with the icalendar library: a person's
feed of the observations they take part in, and one observation's `.ics` file.

A feed is read by Google Calendar or a phone without a session, so it is found by a secret
token: only the token's SHA-256 is stored (`CalendarFeed`), a new token replaces the old one.
Events are in the school's time zone (TZID plus a VTIMEZONE). The focus question is written
only for people who may read the observation's content (collab.observations.access).
"""

import hashlib
import hmac
import secrets
from datetime import date, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event, vDuration
from sqlalchemy import delete, select

from collab.core.links import Target, path_for
from collab.extensions import db
from collab.observations import service as observations
from collab.observations.access import took_part
from collab.observations.models import CalendarFeed, Observation
from collab.people.models import School, User

WEEKS_BACK = 4
WEEKS_AHEAD = 8  # requests reach four weeks ahead; a proposal may move one further
PRODID = "-//Rembuk//Observations//EN"
TOKEN_BYTES = 32
REFRESH = timedelta(hours=1)


# ---------------------------------------------------------------- the secret address


def token_hash(token: str) -> str:
    """The SHA-256 (hex) under which a feed token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_feed(user: User) -> str:
    """A new secret feed token for the user, replacing (and so revoking) any older one.
    Returns the token, which is shown once and never stored. Flushes."""
    revoke_feed(user)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    db.session.add(CalendarFeed(user_id=user.id, token_hash=token_hash(token)))
    db.session.flush()
    return token


def revoke_feed(user: User) -> bool:
    """Stop the user's feed address; True if there was one. Flushes."""
    result = db.session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id))
    db.session.flush()
    return bool(result.rowcount)


def user_for_token(token: str) -> User | None:
    """The member of a school whose feed token this is, or None. The look-up is by the
    token's hash (an attacker's timing tells them nothing about a stored token), and the
    found hash is compared again in constant time."""
    if not token or len(token) > 200:
        return None
    wanted = token_hash(token)
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == wanted))
    if feed is None or not hmac.compare_digest(feed.token_hash, wanted):
        return None
    user = db.session.get(User, feed.user_id)
    if user is None or user.membership is None:
        return None
    return user


# ---------------------------------------------------------------- calendars


def feed(user: User, site_url: str, today: date | None = None) -> bytes:
    """The user's calendar: the observations they teach or observe (invited, accepted or
    proposing another lesson; not cancelled or declined) from WEEKS_BACK weeks ago to
    WEEKS_AHEAD weeks ahead, in their language. `site_url` is the site's address, for the
    links."""
    school = user.membership.school
    today = today or observations.school_today(school)
    found = observations.of_user_between(user, today - timedelta(weeks=WEEKS_BACK),
                                         today + timedelta(weeks=WEEKS_AHEAD))
    with force_locale(_language(user)):
        calendar = _calendar(school, _("Rembuk: my observations"))
        # How often a subscribed calendar should fetch the feed again.
        calendar.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(REFRESH))
        for observation in found:
            calendar.add_component(_event(observation, user, school, site_url))
    return _with_timezones(calendar)


def observation_calendar(observation: Observation, user: User, site_url: str) -> bytes:
    """One observation as an `.ics` file to add to a calendar, as `user` may see it."""
    school = db.session.get(School, observation.school_id)
    with force_locale(_language(user)):
        calendar = _calendar(school, _("Rembuk: observation"))
        calendar.add("method", "PUBLISH")
        calendar.add_component(_event(observation, user, school, site_url))
    return _with_timezones(calendar)


def _with_timezones(calendar: Calendar) -> bytes:
    """The calendar as bytes, with a VTIMEZONE for every TZID used, placed before the
    events (some clients read the zones first)."""
    calendar.add_missing_timezones()
    calendar.subcomponents.sort(key=lambda component: component.name != "VTIMEZONE")
    return calendar.to_ical()


def _language(user: User) -> str:
    return user.language or "id"


def _calendar(school: School, name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", school.timezone)
    return calendar


def _event(observation: Observation, user: User, school: School, site_url: str) -> Event:
    zone = ZoneInfo(school.timezone)
    link = site_url.rstrip("/") + path_for(
        Target("observations.view", {"observation_id": observation.id}))
    event = Event()
    event.add("uid", uid(observation, site_url))
    event.add("dtstamp", observation.updated_at)
    event.add("created", observation.created_at)
    event.add("last-modified", observation.updated_at)
    # The row's version grows with every change of the observation, as SEQUENCE must.
    event.add("sequence", observation.version)
    event.add("dtstart", observation.starts_at.astimezone(zone))
    event.add("dtend", observation.ends_at.astimezone(zone))
    event.add("summary", summary(observation, user))
    if observation.room:
        event.add("location", observation.room)
    event.add("status", status(observation, user))
    event.add("transp", "OPAQUE")
    event.add("url", link)
    lines = [_("Class %(class_name)s, %(subject)s, period %(period)d.",
               class_name=observation.class_name, subject=observation.subject,
               period=observation.period)]
    # Without a query per event: a feed holds the user's own lessons and invitations.
    if took_part(user, observation):
        lines.append(_("Focus: %(focus)s", focus=observation.focus))
    lines.append(link)
    event.add("description", "\n\n".join(lines))
    return event


def uid(observation: Observation, site_url: str) -> str:
    """The event's UID: the same for one observation in every feed and file, whatever
    changes, so that a calendar updates the event instead of adding another."""
    host = urlsplit(site_url).hostname or "rembuk.local"
    return f"observation-{observation.id}@{host}"


def summary(observation: Observation, user: User) -> str:
    """The event's title, in the current language."""
    if observation.teacher_id == user.id:
        return _("Observed lesson: class %(class_name)s, %(subject)s",
                 class_name=observation.class_name, subject=observation.subject)
    return _("Observing %(name)s: class %(class_name)s, %(subject)s",
             name=observation.teacher.name, class_name=observation.class_name,
             subject=observation.subject)


def status(observation: Observation, user: User) -> str:
    """CONFIRMED once the observation takes place for this person (scheduled or later, and
    they teach it or accepted), TENTATIVE while requested or not yet answered by them."""
    if observation.state == "cancelled" or observation.state == "declined":
        return "CANCELLED"
    if observation.state == "requested":
        return "TENTATIVE"
    role = observations.role_of(observation, user)
    return "CONFIRMED" if role in ("teacher", "observer") else "TENTATIVE"
