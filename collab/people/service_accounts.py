"""Accounts: e-mail normalisation, password hashing, login checks, sessions and reset links."""

import hashlib
import hmac
import unicodedata

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import inspect, select
from werkzeug.security import check_password_hash, generate_password_hash

from collab.core.database import end_clean_transaction
from collab.core.offload import off_loop
from collab.extensions import db
from collab.people.models import Membership, User

MIN_PASSWORD_LENGTH = 10
_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"}


class TokenError(Exception):
    """A signed link that is expired, tampered with, or already used."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "expired", "invalid" or "used"


def normalise_email(raw: str) -> str:
    """Fold an address so that look-alikes (case, spaces, zero-width, NFKC forms) collide."""
    text = unicodedata.normalize("NFKC", raw or "")
    text = "".join(c for c in text if c not in _INVISIBLE and not c.isspace())
    # NFKC again after folding: removing an invisible character or case folding can leave an
    # accent uncomposed (e + ZWSP + U+0301), and the stored form must normalise to itself.
    return unicodedata.normalize("NFKC", text.casefold())


def hash_password(password: str) -> str:
    """Hash with the configured method (scrypt N=2^17 by default), off the gevent loop."""
    return off_loop(_generate, password, current_app.config["PASSWORD_HASH_METHOD"])


def _generate(password: str, method: str) -> str:
    return generate_password_hash(password, method=method)


def _matches(password_hash: str, password: str) -> bool:
    """check_password_hash off the gevent loop (collab/core/offload.py), the request's
    transaction ended first: while ten sign-ins hash, other requests must not queue for
    the SQLite write lock the login POST took at its first query."""
    end_clean_transaction()
    return off_loop(check_password_hash, password_hash, password)


def _dummy_hash() -> str:
    # Hashed once per process, so an unknown e-mail costs as much time as a wrong password.
    cache = current_app.extensions.setdefault("rembuk_dummy_hash", {})
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in cache:
        end_clean_transaction()  # as in _matches
        cache[method] = off_loop(_generate, "not-a-password", method)
    return cache[method]


def find_user_by_email(email: str) -> User | None:
    """The user with this address (after normalisation), or None."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The user if the e-mail and password match, else None; both failures take as long.
    Call it before the request writes anything: the transaction ends before the hash."""
    user = find_user_by_email(email)
    if user is None:
        _matches(_dummy_hash(), password or "")
        return None
    if not _matches(user.password_hash, password or ""):
        return None
    return user


def set_password(user: User, password: str) -> None:
    """Set a new password and end every session of the user."""
    user.password_hash = hash_password(password)
    end_sessions(user)


def end_sessions(user: User) -> None:
    """Invalidate every session and remember cookie the user has (they carry the version)."""
    user.session_version = (user.session_version or 1) + 1
    db.session.flush()


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _password_fingerprint(user: User) -> str:
    # Changes whenever the password changes, so a used reset link stops working.
    return hmac.new(
        current_app.config["SECRET_KEY"].encode(), user.password_hash.encode(), hashlib.sha256
    ).hexdigest()[:16]


def make_reset_token(user: User) -> str:
    """A signed reset link token for this user, valid one hour, single use."""
    return _serializer("password-reset").dumps({"u": user.id, "p": _password_fingerprint(user)})


def user_for_reset_token(token: str) -> User:
    """The user a reset token belongs to; TokenError if expired, forged or already used."""
    try:
        data = _serializer("password-reset").loads(
            token, max_age=current_app.config["RESET_MAX_AGE"]
        )
    except SignatureExpired as exc:
        raise TokenError("expired") from exc
    except BadSignature as exc:
        raise TokenError("invalid") from exc
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None:
        raise TokenError("invalid")
    if not hmac.compare_digest(str(data.get("p")), _password_fingerprint(user)):
        raise TokenError("used")  # genuine, but the password has changed since
    return user


def update_preferences(user: User, *, name: str, language: str | None) -> None:
    """Change the user's display name and interface language."""
    user.name = name.strip()
    user.language = language or None
    db.session.flush()


def load_user(user_id: str):
    """The user of a session's id "<id>:<session version>", or None once that session ended."""
    # The id carries the session version (User.get_id); an ended session no longer matches.
    user_pk, _, version = user_id.partition(":")
    if not user_pk.isdigit() or not version.isdigit():
        return None
    return db.session.scalar(
        select(User).where(User.id == int(user_pk), User.session_version == int(version))
    )


def sessions_ended_in(session_) -> set[int]:
    """From a flush: the users whose sessions it ended (a new session version: logout,
    password change or reset; a role changed; removed from the school), so that the
    Socket.IO server disconnects them once it is committed."""
    ended = set()
    for obj in session_.dirty:
        if isinstance(obj, User) and inspect(obj).attrs.session_version.history.has_changes():
            ended.add(obj.id)
        elif isinstance(obj, Membership) and inspect(obj).attrs.role.history.has_changes():
            ended.add(obj.user_id)
    ended.update(obj.user_id for obj in session_.deleted if isinstance(obj, Membership))
    return ended


def user_by_id(user_pk: int):
    """The user with this id, or None."""
    return db.session.get(User, user_pk)
