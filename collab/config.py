"""Settings read from environment variables, with embedded defaults for a one-process install.

The embedded default keeps everything in `instance/`: the SQLite database, a secret key made on
first run, and the e-mail outbox. Production (REMBUK_ENV=production) refuses to start without a
strong SECRET_KEY given in the environment.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

MIN_SECRET_LENGTH = 32


class ConfigError(RuntimeError):
    """The settings are not safe or not complete enough to start."""


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(name: str) -> list[str] | None:
    value = os.environ.get(name, "")
    items = [item.strip() for item in value.split(",") if item.strip()]
    return items or None


LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")


def default_base_url() -> str:
    """The address `python app.py` (`make run`) serves: HOST and PORT as app.py reads them,
    a wildcard HOST shown as the loopback address."""
    host = os.environ.get("HOST", "127.0.0.1")
    # A wildcard is no address to open in a link (ruff S104, bandit B104).
    if host in ("", "0.0.0.0", "::"):  # noqa: S104  # nosec B104
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{os.environ.get('PORT', '5000')}"


def trusted_hosts_for(base_url: str) -> list[str]:
    """The Host names to answer: the base URL's, and every loopback name when the base URL
    is a loopback address (the embedded default, opened as 127.0.0.1 or localhost)."""
    host = urlsplit(base_url).hostname or ""
    names = [host] if host else []
    if host in LOOPBACK_NAMES:
        names += [name for name in LOOPBACK_NAMES if name != host]
    return names


def _instance_secret(instance_path: Path) -> str:
    """Return the secret kept in instance/secret_key, creating it on first run."""
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _trusted_hosts(base_url: str) -> list[str] | None:
    given = _list("TRUSTED_HOSTS")
    if given == ["*"]:
        return None  # Flask's default: every host name (only behind a proxy that checks it)
    return given or trusted_hosts_for(base_url)


def load_config(instance_path: Path, secret_given: str | None = None) -> dict:
    """Build the configuration from the environment. `secret_given`: the secret key the
    caller sets itself (create_app's `config`, in tests), so none is made in instance/."""
    production = os.environ.get("REMBUK_ENV", "development") == "production"
    secret = os.environ.get("SECRET_KEY")
    if production and (not secret or len(secret) < MIN_SECRET_LENGTH):
        raise ConfigError(
            f"SECRET_KEY must be set to a random value of at least {MIN_SECRET_LENGTH} "
            "characters in production."
        )
    https = _flag("PREFER_HTTPS", production)
    # One address for every absolute link (mails, calendar feeds); SITE_URL is its old name.
    base_url = (os.environ.get("BASE_URL") or os.environ.get("SITE_URL")
                or default_base_url()).rstrip("/")
    db_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'rembuk.db'}"
    return {
        "PRODUCTION": production,
        "SECRET_KEY": secret or secret_given or _instance_secret(instance_path),
        "SQLALCHEMY_DATABASE_URI": db_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Flask-Compress would wrap streamed files and leave them open; static text files are
        # read whole and compressed (collab/core/static_files.py), downloads go out as they are.
        "COMPRESS_STREAMS": False,
        # A plan may hold 200 000 characters; URL-encoded non-ASCII text takes up to 9 bytes
        # per character, more than Flask's 500 KB default for form fields.
        "MAX_FORM_MEMORY_SIZE": 2 * 1024 * 1024,
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", 12 * 1024 * 1024)),
        # Cookies: explicit, never Flask's defaults (31 days, no SameSite).
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "SESSION_COOKIE_NAME": "rembuk_session",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": https,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        # Every absolute link is built from BASE_URL, never from the request's Host header;
        # requests for any other host name are refused (400). TRUSTED_HOSTS=* answers all.
        "BASE_URL": base_url,
        "TRUSTED_HOSTS": _trusted_hosts(base_url),
        # Number of reverse proxies in front whose X-Forwarded-* headers are trusted.
        "PROXY_COUNT": int(os.environ.get("PROXY_COUNT", "0")),
        "PASSWORD_HASH_METHOD": os.environ.get("PASSWORD_HASH_METHOD", "scrypt:131072:8:1"),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "BABEL_DEFAULT_LOCALE": "id",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Jakarta",
        "LANGUAGES": ("id", "en"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_LIMIT_PER_ACCOUNT": os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes"),
        # A browser that signed in to the account before: its own counter, this long.
        "DEVICE_COOKIE_DAYS": int(os.environ.get("DEVICE_COOKIE_DAYS", 180)),
        "LOGIN_LIMIT_PER_IP": os.environ.get("LOGIN_LIMIT_PER_IP", "200 per 15 minutes"),
        # Reset links asked for one address, and by one client address (a school often
        # shares one: generous); invitations a principal sends (form, CSV import, resend).
        "RESET_LIMIT_PER_ACCOUNT": os.environ.get("RESET_LIMIT_PER_ACCOUNT", "5 per hour"),
        "RESET_LIMIT_PER_CLIENT": os.environ.get("RESET_LIMIT_PER_CLIENT", "30 per hour"),
        "INVITE_LIMIT": os.environ.get("INVITE_LIMIT", "60 per hour"),
        # Markdown previews of plans per user: the live preview asks on each pause in typing.
        "PREVIEW_LIMIT": os.environ.get("PREVIEW_LIMIT", "60 per minute"),
        # Calendar feeds, per client address: every fetch, and fetches with an unknown token
        # (a guesser). Calendar services fetch many users' feeds from a few addresses.
        "CALENDAR_FEED_LIMIT": os.environ.get("CALENDAR_FEED_LIMIT", "600 per hour"),
        "CALENDAR_FEED_MISS_LIMIT": os.environ.get("CALENDAR_FEED_MISS_LIMIT", "60 per hour"),
        "SOCKETIO_MESSAGE_QUEUE": os.environ.get("SOCKETIO_MESSAGE_QUEUE"),
        # With a message queue: how often each process says it is alive (realtime/presence.py).
        "PRESENCE_HEARTBEAT_SECONDS": float(os.environ.get("PRESENCE_HEARTBEAT_SECONDS", 10)),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", 587)),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_USE_TLS": _flag("MAIL_USE_TLS", True),
        "MAIL_SENDER": os.environ.get("MAIL_SENDER", "Rembuk <no-reply@rembuk.local>"),
        # Where mail goes without MAIL_SERVER (one file per message).
        "MAIL_OUTBOX": os.environ.get("MAIL_OUTBOX", str(instance_path / "outbox")),
        # The outbox sender (collab/core/mail.py): a thread of the serving process.
        "MAIL_SENDER_THREAD": _flag("MAIL_SENDER_THREAD", True),
        "MAIL_POLL_SECONDS": float(os.environ.get("MAIL_POLL_SECONDS", 10)),
        "MAIL_CLAIM_SECONDS": int(os.environ.get("MAIL_CLAIM_SECONDS", 300)),
        "MAIL_RETRY_SECONDS": int(os.environ.get("MAIL_RETRY_SECONDS", 30)),
        "MAIL_MAX_ATTEMPTS": int(os.environ.get("MAIL_MAX_ATTEMPTS", 8)),
        "BACKUP_DIR": os.environ.get("BACKUP_DIR", str(instance_path / "backups")),
        "ATTACHMENT_DIR": os.environ.get("ATTACHMENT_DIR", str(instance_path / "attachments")),
        "INVITATION_MAX_AGE": 7 * 24 * 3600,
        "RESET_MAX_AGE": 3600,
    }
