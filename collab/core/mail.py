"""Outgoing e-mail: SMTP when configured, otherwise a file in instance/outbox/ and a log line.

Without SMTP settings a newcomer can still follow an invitation or reset link: the message is
written to the outbox folder and its text to the log.
"""

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app

from collab.core.models import utcnow

log = logging.getLogger(__name__)


def send_mail(to: str, subject: str, body: str) -> None:
    """Send a plain-text message to one address."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="rembuk.local")
    message.set_content(body)
    if config.get("MAIL_SERVER"):
        _send_smtp(message, config)
    else:
        _write_outbox(message, Path(config["MAIL_OUTBOX"]), show_body=not config["PRODUCTION"])


def _send_smtp(message: EmailMessage, config) -> None:
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


def _write_outbox(message: EmailMessage, outbox: Path, show_body: bool) -> None:
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
