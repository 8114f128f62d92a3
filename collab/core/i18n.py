"""Language and time zone: the user's setting, else the browser's, else Indonesian; and the one
way the server writes a date, a time and a seat for people to read.

Every date shown goes through `show_date` / `show_datetime` (the Jinja filters `localdate` /
`localtime` call them): in the reader's language and, for a moment in time, the school's
time zone: "3 Des 2026, 09.11" / "Dec 3, 2026, 9:11 AM", the same as the browser writes with
Intl.DateTimeFormat(lang, {dateStyle: "medium", timeStyle: "short", timeZone: school}) in
static/js/rooms.js. An explicit pattern stays possible for a time alone ("HH:mm") or a long
heading.
"""

import functools
import re
from datetime import date, datetime

from babel import support
from flask import current_app, request, session
from flask_babel import format_date, format_datetime, format_time, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.i18n import messages_path

_SEAT = re.compile(r"^r(\d{1,3})c(\d{1,3})$")


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    if session.get("lang") in languages:
        return session["lang"]
    return request.accept_languages.best_match(languages) or current_app.config[
        "BABEL_DEFAULT_LOCALE"
    ]


def select_timezone() -> str:
    membership = getattr(current_user, "membership", None) if current_user else None
    if membership is not None:
        return membership.school.timezone
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


@functools.cache
def _wtforms_catalogue(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class _WTFormsMessages:
    """WTForms' own messages ("Not a valid integer value.") in the request's language.
    Flask-WTF would read them from their .mo file on the first form of every request (about
    half a millisecond); this reads each language once per process. It is what Flask-WTF
    looks for on the request (`request.wtforms_translations`) before loading them itself."""

    def ugettext(self, string: str) -> str:
        return _wtforms_catalogue(str(get_locale())).ugettext(string)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        return _wtforms_catalogue(str(get_locale())).ungettext(singular, plural, n)


_WTFORMS_MESSAGES = _WTFormsMessages()


def _share_wtforms_messages() -> None:
    request.wtforms_translations = _WTFORMS_MESSAGES


def show_date(value, weekday: bool = False) -> str:
    """A calendar date (a date, a datetime in the school's zone, or an ISO date string) in the
    reader's language: "3 Des 2026", with `weekday` "Kamis, 3 Des 2026"."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    text = format_date(value, "medium")
    return f"{format_date(value, 'EEEE')}, {text}" if weekday else text


def show_datetime(value: datetime | None) -> str:
    """A moment (stored in UTC) in the school's zone and the reader's language:
    "3 Des 2026, 09.11"."""
    if not value:
        return ""
    return f"{format_date(value, 'medium')}, {format_time(value, 'short')}"


def show_seat(key: str | None) -> str:
    """A seat of the seating grid ("r2c3") as people say it: "row 2, seat 3"."""
    found = _SEAT.match(key or "")
    if not found:
        return key or ""
    return _("row %(row)d, seat %(seat)d", row=int(found[1]), seat=int(found[2]))


def _datetime_filter(value, fmt=None):
    if not value:
        return ""
    return show_datetime(value) if fmt in (None, "short", "medium") else format_datetime(
        value, fmt)


def _date_filter(value, fmt=None):
    if not value:
        return ""
    return show_date(value) if fmt in (None, "short", "medium") else format_date(value, fmt)


def init_app(app, babel) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=str(app.root_path + "/translations"),
    )
    app.jinja_env.globals["get_locale"] = get_locale
    app.before_request(_share_wtforms_messages)
    # Every time shown to a user goes through these: UTC in, school zone out (show_datetime);
    # a calendar date (a term's first day, a holiday) has no zone and is shown as it is.
    app.jinja_env.filters["localtime"] = _datetime_filter
    app.jinja_env.filters["localdate"] = _date_filter
    app.jinja_env.filters["seat"] = show_seat
