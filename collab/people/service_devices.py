"""Device cookies (OWASP's "Slow down online guessing attacks with device cookies"): the
per-account login limit locks out anyone who types the wrong password five times, the owner
too; a browser that has signed in to the account before carries a signed cookie naming the
account, and its attempts count on a limit of its own, so a stranger's failures do not lock
the owner out.

The cookie holds the account's normalised address and a random nonce, signed with the app's
secret (itsdangerous, its own salt) and valid DEVICE_COOKIE_DAYS. It opens nothing by itself:
it only chooses which counter a login attempt for that address is counted on. A browser
without one, or with one for another address, or forged, or expired, counts on the
account's shared counter.
"""

import secrets

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from collab.people.service_accounts import normalise_email

COOKIE_NAME = "rembuk_device"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="device-cookie")


def max_age() -> int:
    return int(current_app.config["DEVICE_COOKIE_DAYS"]) * 24 * 3600


def issue(email: str) -> str:
    """A new device cookie's value for the account of `email` (after a successful login)."""
    return _serializer().dumps({"e": normalise_email(email), "n": secrets.token_urlsafe(16)})


def nonce_for(cookie: str | None, email: str) -> str | None:
    """The device's nonce if `cookie` is a valid device cookie for the account of `email`."""
    if not cookie or len(cookie) > 500:
        return None
    try:
        data = _serializer().loads(cookie, max_age=max_age())
    except BadSignature:  # SignatureExpired is one too
        return None
    if not isinstance(data, dict) or data.get("e") != normalise_email(email):
        return None
    nonce = data.get("n")
    return nonce if isinstance(nonce, str) else None
