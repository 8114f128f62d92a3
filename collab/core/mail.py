"""Outgoing e-mail through an outbox table: a request only adds a row, a sender outside the
request sends it (SMTP when configured, otherwise a file in instance/outbox/ and a log line).

Why: sending inside a request tells by its time whether an address has an account (a reset
for an existing address took about 100 ms more), and a slow or failing mail server would
hold the page. So a request's mail is a row of `outgoing_mail`, written in the request's own
transaction (a rolled-back change sends nothing), and delivered by:

- the sender of the serving process (`start_sender`): a thread (a greenlet under gevent),
  started with the server (app.py, or the first request under gunicorn), woken after each
  commit that queued mail and every MAIL_POLL_SECONDS for rows queued by other processes;
- `flask send-mail`, which delivers what is due once (cron, or a server without the thread).

A row is claimed before it is sent (its `lease` counter moves on in one UPDATE), so two
senders never send it twice; the claim holds for MAIL_CLAIM_SECONDS, after which a row whose
sender died is sent again (at least once, never lost). A failed send is tried again after
MAIL_RETRY_SECONDS, doubling up to an hour, and given up after MAIL_MAX_ATTEMPTS (logged).
Once sent, the row's body is emptied: links in mails carry tokens.

Most rows hold the finished message. A few are "composed": the row keeps a kind and its
values, and a function registered by a feature (`register_composer`) writes the message at
send time, or answers None for no message. A password reset is one: the request stores only
the address typed, whether it has an account or not, so the request does the same work for
both; the sender finds the account, makes the token and writes the mail, or sends nothing.
"""

import logging
import smtplib
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import JSON, Index, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, mapped_column

from collab.core.models import UTCDateTime, utcnow
from collab.extensions import db

log = logging.getLogger(__name__)
_QUEUED = "rembuk.mail_queued"


class OutgoingMail(db.Model):
    """One message waiting in the outbox, or sent, or given up."""

    __tablename__ = "outgoing_mail"
    __table_args__ = (Index("ix_outgoing_mail_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # "message" (subject and body ready) or a composer's kind (see register_composer).
    kind: Mapped[str] = mapped_column(String(40), default="message")
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    params: Mapped[dict | None] = mapped_column(JSON)
    # queued → sent | dropped (a composer wrote nothing) | failed (given up)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(300))


@dataclass(frozen=True)
class Message:
    """What a composer writes: the address, the subject and the plain-text body."""

    to: str
    subject: str
    body: str


_composers: dict[str, Callable[[str, dict], Message | None]] = {}


def register_composer(kind: str, compose: Callable[[str, dict], Message | None]) -> None:
    """Let rows of `kind` be written at send time by `compose(address, params)`."""
    _composers[kind] = compose


# ---------------------------------------------------------------- queueing (in a request)


def send_mail(to: str, subject: str, body: str) -> OutgoingMail:
    """Queue a plain-text message to one address; it leaves after the commit."""
    return _queue(OutgoingMail(kind="message", to_address=to, subject=subject[:200],
                               body=body))


def queue_composed(kind: str, to: str, params: dict | None = None) -> OutgoingMail:
    """Queue a message that the composer registered for `kind` writes at send time."""
    if kind not in _composers:
        raise KeyError(f"no composer for mail kind {kind!r}")
    return _queue(OutgoingMail(kind=kind, to_address=to[:320], params=params or {}))


def _queue(row: OutgoingMail) -> OutgoingMail:
    db.session.add(row)
    db.session.info.setdefault(_QUEUED, []).append(row)
    return row


def forget_queued() -> None:
    """Send none of the mails queued so far in this transaction (the demo data's people are
    told in the app only)."""
    for row in db.session.info.pop(_QUEUED, None) or ():
        if row in db.session.new:
            db.session.expunge(row)
        elif row in db.session:
            db.session.delete(row)


def wake_after_commit(session) -> None:
    """After a commit that queued mail, wake this process's sender (Session after_commit)."""
    if session.in_nested_transaction():
        return  # a released savepoint: the outer transaction may still roll back
    if session.info.pop(_QUEUED, None):
        _wake.set()


def forget_after_rollback(session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_QUEUED, None)


# ---------------------------------------------------------------- delivering (outside)


@dataclass
class Delivery:
    sent: int = 0
    failed: int = 0
    dropped: int = 0


def deliver_due(limit: int = 50) -> Delivery:
    """Send the rows that are due (oldest first, at most `limit`); needs an app context."""
    report = Delivery()
    config = current_app.config
    due = db.session.execute(
        select(OutgoingMail.id, OutgoingMail.lease)
        .where(OutgoingMail.status == "queued", OutgoingMail.next_attempt_at <= utcnow())
        .order_by(OutgoingMail.id).limit(limit)).all()
    db.session.commit()
    for row_id, lease in due:
        claim_until = utcnow() + timedelta(seconds=config["MAIL_CLAIM_SECONDS"])
        claimed = db.session.execute(
            update(OutgoingMail)
            .where(OutgoingMail.id == row_id, OutgoingMail.lease == lease,
                   OutgoingMail.status == "queued")
            .values(lease=lease + 1, next_attempt_at=claim_until)).rowcount
        db.session.commit()
        if claimed == 1:
            _deliver_one(row_id, report)
    return report


def _deliver_one(row_id: int, report: Delivery) -> None:
    try:
        message = _message_of(db.session.get(OutgoingMail, row_id))
        db.session.commit()  # no transaction stays open while the mail server answers
        if message is not None:
            _send(message)
    except Exception as exc:  # any failure: tried again later, then logged
        db.session.rollback()
        _failed(row_id, exc)
        report.failed += 1
    else:
        row = db.session.get(OutgoingMail, row_id)
        row.status = "sent" if message is not None else "dropped"
        row.sent_at = utcnow()
        row.body, row.params = "", None  # links in mails carry tokens
        report.sent += message is not None
        report.dropped += message is None
    db.session.commit()


def _message_of(row: OutgoingMail) -> Message | None:
    if row.kind == "message":
        return Message(row.to_address, row.subject, row.body)
    return _composers[row.kind](row.to_address, dict(row.params or {}))


def _failed(row_id: int, exc: Exception) -> None:
    config = current_app.config
    row = db.session.get(OutgoingMail, row_id)
    row.attempts += 1
    row.last_error = f"{type(exc).__name__}: {exc}"[:300]
    if row.attempts >= config["MAIL_MAX_ATTEMPTS"]:
        row.status = "failed"
        log.error("Gave up the mail %s to %s after %d attempts: %s", row.id, row.to_address,
                  row.attempts, row.last_error)
        return
    delay = min(config["MAIL_RETRY_SECONDS"] * 2 ** (row.attempts - 1), 3600)
    row.next_attempt_at = utcnow() + timedelta(seconds=delay)
    log.warning("Mail %s to %s failed (attempt %d, again in %d s): %s", row.id,
                row.to_address, row.attempts, delay, row.last_error)


def _send(message: Message) -> None:
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_SENDER"]
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(domain="rembuk.local")
    email.set_content(message.body)
    if config.get("MAIL_SERVER"):
        _send_smtp(email, config)
    else:
        _write_file(email, Path(config["MAIL_OUTBOX"]), show_body=not config["PRODUCTION"])


def _send_smtp(message: EmailMessage, config) -> None:
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


def _write_file(message: EmailMessage, outbox: Path, show_body: bool) -> None:
    outbox.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    safe_to = "".join(c if c.isalnum() or c in "@.-_" else "_" for c in message["To"])
    path = outbox / f"{stamp}-{safe_to}.eml"
    path.write_bytes(bytes(message))
    # Links in mails carry tokens: their text goes to the log only outside production.
    if show_body:
        log.info("Mail to %s written to %s:\n%s", message["To"], path, message.get_content())
    else:
        log.info("Mail to %s written to %s", message["To"], path)


# ---------------------------------------------------------------- the sender of a process

_wake = threading.Event()
_started: dict[int, tuple[threading.Thread, threading.Event]] = {}
_start_lock = threading.Lock()
BATCH = 50


def start_sender(app: Flask) -> threading.Thread | None:
    """Start this process's sender once (MAIL_SENDER_THREAD off: none, as in tests)."""
    if not app.config.get("MAIL_SENDER_THREAD"):
        return None
    running = _started.get(id(app))
    if running is not None and running[0].is_alive():
        return running[0]
    with _start_lock:
        running = _started.get(id(app))
        if running is None or not running[0].is_alive():
            stop = threading.Event()
            thread = threading.Thread(target=_run_sender, args=(app, stop),
                                      name="rembuk-mail", daemon=True)
            _started[id(app)] = running = (thread, stop)
            thread.start()
    return running[0]


def stop_sender(app: Flask, timeout: float = 10) -> None:
    """Stop the app's sender after its current batch (tests; a process ending needs not)."""
    running = _started.pop(id(app), None)
    if running is not None:
        running[1].set()
        _wake.set()
        running[0].join(timeout)


def _handled(report: Delivery) -> int:
    return report.sent + report.failed + report.dropped


def _run_sender(app: Flask, stop: threading.Event) -> None:
    poll = app.config["MAIL_POLL_SECONDS"]
    while not stop.is_set():
        _wake.wait(timeout=poll)
        _wake.clear()
        if stop.is_set():
            break
        try:
            with app.app_context():
                while _handled(deliver_due(BATCH)) >= BATCH:  # a full batch: more are due
                    pass
                db.session.remove()
        except Exception:
            log.exception("The mail sender failed; it tries again in %s s", poll)
