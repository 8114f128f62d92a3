"""Request-level glue: the login requirement, security headers and what every template needs
(navigation, unread count). Who a session's user is comes from the people feature
(`login_manager.user_loader`, registered by create_app)."""

from flask import Flask, abort, g, redirect, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import SecurityError
from werkzeug.wsgi import get_host

from collab.core import errors, mail, notify, page_cache, page_hits
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


FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def _refuse_unclean_text():
    # The one rule of core.text (also for socket events): no NUL byte, no lone surrogate.
    # Only what the request has is parsed: a page view has a path and perhaps a query, and
    # request.form is empty unless the body is a form (Werkzeug parses no other type).
    sources = []
    if request.query_string:
        sources.append(request.args)
    if request.mimetype in FORM_TYPES:
        sources.append(request.form)
    values = [text for fields in sources for pair in fields.items(multi=True) for text in pair]
    values.append(request.path)
    if any(not is_clean(value) for value in values):
        abort(400)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, the signing serializer made once per set of keys
    instead of at every request's open and save (issue 16: a few microseconds each), and a
    GET's session opened once."""

    def __init__(self) -> None:
        self._serializers: dict = {}

    def open_session(self, app: Flask, request):
        # Opened already by the page cache's WSGI layer for a GET (core/page_hits.py).
        opened = request.environ.pop(page_hits.SESSION, None)
        return opened if opened is not None else super().open_session(app, request)

    def get_signing_serializer(self, app: Flask):
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            self._serializers = {keys: serializer}  # a changed key replaces the old one
        return serializer


SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)


def _security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    for name, value in SECURITY_HEADERS:
        headers[name] = value
    if request.endpoint != "static":
        # Pages carry personal data and CSRF tokens: never cached by browsers or proxies.
        headers["Cache-Control"] = "no-store"
    return response


class HealthCheck:
    """WSGI: `GET /healthz` answered without Flask's request machinery (issue 16: a load
    balancer's probe should cost less than the pages it guards), with the headers Flask's
    answer carries (tests/integration/test_smoke.py compares the two). A host outside
    TRUSTED_HOSTS, a query, or another method goes on to Flask, which refuses or answers as
    for any request."""

    BODY = b"ok"

    def __init__(self, wsgi_app, app: Flask):
        self.wsgi_app, self.app = wsgi_app, app
        self.headers = [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(self.BODY))),
            ("Content-Security-Policy", CSP),
            *SECURITY_HEADERS,
            ("Cache-Control", "no-store"),
            # As Flask's: Flask-Compress varies every answer, Flask-Login reads the session.
            ("Vary", "Accept-Encoding, Cookie"),
        ]

    def __call__(self, environ, start_response):
        if (environ.get("PATH_INFO") != "/healthz" or environ.get("QUERY_STRING")
                or environ.get("REQUEST_METHOD") != "GET"):
            return self.wsgi_app(environ, start_response)
        try:
            get_host(environ, self.app.config["TRUSTED_HOSTS"])
        except SecurityError:
            return self.wsgi_app(environ, start_response)
        mail.start_sender(self.app)
        start_response("200 OK", list(self.headers))
        return [self.BODY]


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
    app.session_interface = SessionInterface()
    app.before_request(errors.refuse_unknown_host)
    # The outbox's sender runs in the serving process (app.py starts it at once; under
    # gunicorn the first request does).
    app.before_request(lambda: mail.start_sender(app) and None)
    app.before_request(_refuse_unclean_text)
    # A kept page is served before Flask (core/page_hits.py); a cached view's miss is noted
    # before the user is loaded (core/page_cache.py).
    app.before_request(page_cache.note_miss)
    app.before_request(_require_login)
    app.after_request(_security_headers)
    app.context_processor(_template_context)
