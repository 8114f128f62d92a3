"""Language and time zone: the user's setting, else the browser's, else Indonesian."""

from flask import current_app, request, session
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user


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


def init_app(app, babel) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=str(app.root_path + "/translations"),
    )
    app.jinja_env.globals["get_locale"] = get_locale
    # Every time shown to a user goes through this one filter: UTC in, school zone out.
    app.jinja_env.filters["localtime"] = lambda value, fmt="medium": (
        format_datetime(value, fmt) if value else ""
    )
    # A calendar date (a term's first day, a holiday) has no zone: shown as it is.
    app.jinja_env.filters["localdate"] = lambda value, fmt="medium": (
        format_date(value, fmt) if value else ""
    )
