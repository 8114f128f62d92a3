"""Language and time zone: the user's setting, else the browser's, else Indonesian."""

import functools

from babel import support
from flask import current_app, request, session
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user
from wtforms.i18n import messages_path


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


def init_app(app, babel) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=str(app.root_path + "/translations"),
    )
    app.jinja_env.globals["get_locale"] = get_locale
    app.before_request(_share_wtforms_messages)
    # Every time shown to a user goes through this one filter: UTC in, school zone out.
    app.jinja_env.filters["localtime"] = lambda value, fmt="medium": (
        format_datetime(value, fmt) if value else ""
    )
    # A calendar date (a term's first day, a holiday) has no zone: shown as it is.
    app.jinja_env.filters["localdate"] = lambda value, fmt="medium": (
        format_date(value, fmt) if value else ""
    )
