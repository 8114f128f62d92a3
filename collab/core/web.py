"""Request-level glue: the login requirement, security headers and what every template needs
(navigation, unread count). Who a session's user is comes from the people feature
(`login_manager.user_loader`, registered by create_app)."""

from flask import Flask, abort, g, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from collab.core import errors, mail, notify
from collab.core.links import safe_next
from collab.core.text import CheckedJSONProvider, is_clean
from collab.extensions import login_manager

# Endpoints anyone may open without signing in.
PUBLIC_ENDPOINTS = frozenset(
    {
        "static",
        "main.healthz",
        "main.setup",
        "main.set_language",
        "auth.login",
        "auth.invitation",
        "auth.reset_request",
        "auth.reset",
        "observations.service_worker",  # a script without personal data (notes.py)
        # Calendar services fetch the feed without a session: its secret token is the key.
        "observations.calendar_feed",
    }
)

# The header's areas, shown as their blueprints land (a later area registers its endpoint);
# the third item: False for everyone, True for principals only, "teacher" for all but them.
NAV_AREAS = (
    ("main.home_page", _l("Home"), False),
    ("plans.index", _l("Plans"), False),
    ("observations.index", _l("Observations"), False),
    ("rooms.index", _l("Rooms"), False),
    ("assessments.index", _l("Assessments"), False),
    ("rubrics.index", _l("Rubrics"), False),
    ("mentoring.index", _l("Mentoring"), False),
    ("dashboard.school", _l("Dashboard"), True),
    ("dashboard.me", _l("My collaboration"), "teacher"),
)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)


@login_manager.unauthorized_handler
def _to_login():
    target = request.full_path if request.query_string else request.path
    return redirect(url_for("auth.login", next=safe_next(target)))


def _require_login():
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def _refuse_unclean_text():
    # The one rule of core.text (also for socket events): no NUL byte, no lone surrogate.
    values = [text for fields in (request.args, request.form)
              for pair in fields.items(multi=True) for text in pair]
    values.append(request.path)
    if any(not is_clean(value) for value in values):
        abort(400)


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if request.endpoint != "static":
        # Pages carry personal data and CSRF tokens: never cached by browsers or proxies.
        response.headers["Cache-Control"] = "no-store"
    return response


def _template_context():
    unread = 0
    if current_user.is_authenticated:
        unread = g.get("unread_notifications")
        if unread is None:
            unread = g.unread_notifications = notify.unread_count(current_user.id)
    return {"nav_areas": _visible_areas(), "unread_notifications": unread}


def _visible_areas():
    from flask import current_app

    principal = current_user.is_authenticated and current_user.is_principal
    return [
        (endpoint, label)
        for endpoint, label, for_whom in NAV_AREAS
        if endpoint in current_app.view_functions and (
            not principal if for_whom == "teacher" else principal or not for_whom)
    ]


def register(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    app.json = CheckedJSONProvider(app)
    app.before_request(errors.refuse_unknown_host)
    # The outbox's sender runs in the serving process (app.py starts it at once; under
    # gunicorn the first request does).
    app.before_request(lambda: mail.start_sender(app) and None)
    app.before_request(_refuse_unclean_text)
    app.before_request(_require_login)
    app.after_request(_security_headers)
    app.context_processor(_template_context)
