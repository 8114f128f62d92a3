"""Friendly bilingual error pages; a server error rolls the session back and shows no trace.
A service's refusal (RuleError) that no view put next to a field is shown here, with its
sentence, instead of passing for a server error."""

import logging

from flask import Flask, Response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from collab.core.refusals import RuleError
from collab.extensions import db

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Something in the request was not right"),
          _l("The page could not understand what was sent. Go back and try again.")),
    403: (_l("Not allowed"), _l("Your account may not open this page.")),
    404: (_l("Page not found"),
          _l("The page does not exist, or it is not shared with you.")),
    405: (_l("Not allowed"), _l("This action is not possible here.")),
    409: (_l("Someone changed this first"),
          _l("Your change was not applied because the item changed in the meantime.")),
    413: (_l("File too large"),
          _l("The file or text you sent is larger than allowed. Choose a smaller one.")),
    429: (_l("Too many attempts"),
          _l("Please wait a few minutes before you try again.")),
    500: (_l("Something went wrong on our side"),
          _l("The problem has been logged. Please try again in a moment.")),
}


def render_error(code: int, detail: str | None = None):
    title, message = MESSAGES.get(code, MESSAGES[500])
    return render_template(
        "errors/error.html", code=code, title=title, message=detail or message
    ), code


def _log_denial(code: int) -> None:
    # Who, where, which school: never a password, token or cookie.
    user = current_user.get_id() if current_user and current_user.is_authenticated else "anon"
    school = getattr(current_user, "school_id", None)
    log.warning("denied %s %s %s user=%s school=%s", code, request.method, request.path,
                user.split(":")[0], school)


def _http_error(error: HTTPException):
    code = error.code or 500
    if code in (403, 404, 429):
        _log_denial(code)
    if error.response is not None:  # a limit's own answer (Flask-Limiter's on_breach)
        return error.response
    detail = None
    if code == 429 and request.endpoint == "auth.login":
        detail = str(_l("Too many failed attempts for this account. Please wait 15 minutes "
                        "and try again."))
    return render_error(code if code in MESSAGES else 400, detail)


def _csrf_error(error: CSRFError):
    _log_denial(400)
    if request.is_json:  # the phone's note sync: it fetches a fresh token and retries
        return {"error": str(_l("The page had expired. Reload it and try again.")),
                "code": "csrf", "index": None}, 400
    return render_error(400, str(_l("The form had expired. Go back, reload the page and "
                                     "send it again.")))


def _refusal(error: RuleError):
    # Views answer the refusals they expect (a form again, a flash, a 409 page); this is the
    # one place for the rest, so a broken rule never reads as "something went wrong".
    db.session.rollback()
    log.info("refused %s %s: %s", request.method, request.path, error.code)
    status = getattr(error, "status", 400)
    sentence = str(error.message)
    detail = None if sentence == error.code else sentence  # a code with no sentence: the page's
    return render_error(status if status in MESSAGES else 400, detail)


def _server_error(error: Exception):
    db.session.rollback()
    log.exception("unhandled error on %s %s", request.method, request.path)
    return render_error(500)


def _unknown_host(error: SecurityError):
    # A Host header outside TRUSTED_HOSTS: no URL can be built for it, so no page either.
    log.warning("Refused a request for an unknown host: %s", error.description)
    return Response("Bad Request: unknown host\n", 400, mimetype="text/plain")


def refuse_unknown_host() -> None:
    """The first before_request hook: a request for a host outside TRUSTED_HOSTS goes no
    further (the other hooks build URLs, which such a request cannot)."""
    if isinstance(request.routing_exception, SecurityError):
        raise request.routing_exception


def register(app: Flask) -> None:
    app.register_error_handler(SecurityError, _unknown_host)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(RuleError, _refusal)
    app.register_error_handler(Exception, _server_error)
