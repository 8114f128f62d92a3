"""Issue 14, items 3 and 4: absolute links come from BASE_URL and unknown Host headers are
refused; mail leaves from an outbox outside the request (a sender of the serving process,
`flask send-mail`), retried with backoff, claimed once; reset and invitation requests are
limited per client and answer alike whatever the address (docs/mail-and-links.md)."""

import re
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from collab import create_app
from collab.config import default_base_url, trusted_hosts_for
from collab.core import mail
from collab.core.mail import OutgoingMail
from collab.extensions import db
from tests.conftest import csrf_token, deliver_mail, post_form
from tests.integration.test_staff import smtp_server  # noqa: F401  (fixture)

pytestmark = pytest.mark.form_login


def mails(app) -> list[str]:
    """The bodies of the mails sent so far (the sender run first)."""
    deliver_mail(app)
    folder = Path(app.config["MAIL_OUTBOX"])
    return [p.read_text() for p in sorted(folder.glob("*.eml"))] if folder.exists() else []


def queued_rows() -> int:
    return db.session.scalar(select(func.count(OutgoingMail.id)))


def blank_tokens(html: str) -> str:
    return re.sub(r'"[\w-]{20,}\.[\w-]+\.[\w-]+"', '"TOKEN"', html)


# ---------------------------------------------------------------- Host header and base URL


def test_a_reset_asked_for_with_a_foreign_host_header_is_refused_and_mails_nothing(app, world):
    client = app.test_client()
    token = csrf_token(client.get("/auth/reset").text)

    response = client.post("/auth/reset", headers={"Host": "evil.example"},
                           data={"email": world["a"]["teacher"].email, "csrf_token": token})

    assert response.status_code == 400
    assert queued_rows() == 0
    assert mails(app) == []


def test_with_every_host_allowed_the_reset_link_still_leads_to_the_base_url(app, world):
    app.config["TRUSTED_HOSTS"] = None  # TRUSTED_HOSTS=* (a proxy in front checks the host)
    client = app.test_client()
    page = client.get("/auth/reset", base_url="http://evil.example")
    assert page.status_code == 200

    response = client.post("/auth/reset", base_url="http://evil.example", data={
        "email": world["a"]["teacher"].email, "csrf_token": csrf_token(page.text)})

    assert response.status_code == 200
    [body] = mails(app)
    assert "evil.example" not in body
    assert re.search(r"http://127\.0\.0\.1:5000/auth/reset/[\w.-]+", body)


def test_the_calendar_address_and_events_use_the_base_url_whatever_the_host(
        app, world, client_for):
    app.config["BASE_URL"] = "https://rembuk.sekolah.example"
    app.config["TRUSTED_HOSTS"] = ["rembuk.sekolah.example", "localhost"]
    c = client_for(world["a"]["teacher"])
    response = post_form(c, "/observations/calendar/token", page="/observations/",
                         follow_redirects=True)

    assert response.status_code == 200
    assert "https://rembuk.sekolah.example/observations/calendar.ics?token=" in response.text
    assert "http://localhost/observations/calendar.ics" not in response.text


def test_the_base_url_is_the_address_make_run_serves_and_only_its_hosts_are_trusted(
        monkeypatch, tmp_path):
    for name in ("HOST", "PORT", "BASE_URL", "SITE_URL", "TRUSTED_HOSTS"):
        monkeypatch.delenv(name, raising=False)
    assert default_base_url() == "http://127.0.0.1:5000"  # app.py's own defaults
    monkeypatch.setenv("PORT", "8080")
    assert default_base_url() == "http://127.0.0.1:8080"
    assert set(trusted_hosts_for("http://127.0.0.1:8080")) == {"127.0.0.1", "localhost", "::1"}
    assert trusted_hosts_for("https://rembuk.sekolah.example") == ["rembuk.sekolah.example"]

    monkeypatch.setenv("BASE_URL", "https://rembuk.sekolah.example/")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
                      "MAIL_SENDER_THREAD": False})
    assert app.config["BASE_URL"] == "https://rembuk.sekolah.example"
    assert app.config["TRUSTED_HOSTS"] == ["rembuk.sekolah.example"]
    assert app.test_client().get("/healthz").status_code == 400  # Host: localhost
    ok = app.test_client().get("/healthz", base_url="https://rembuk.sekolah.example")
    assert ok.status_code == 200

    monkeypatch.setenv("TRUSTED_HOSTS", "*")
    every_host = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "MAIL_SENDER_THREAD": False})
    assert every_host.config["TRUSTED_HOSTS"] is None


# ---------------------------------------------------------------- answers that tell nothing


def test_a_reset_request_does_the_same_work_and_sends_nothing_in_the_request(
        app, world, smtp_server):  # noqa: F811
    controller, handler = smtp_server
    app.config.update(MAIL_SERVER=controller.hostname, MAIL_PORT=controller.port,
                      MAIL_USE_TLS=False, MAIL_USERNAME=None)
    known = post_form(app.test_client(), "/auth/reset",
                      {"email": world["a"]["teacher"].email})
    after_known = queued_rows()
    unknown = post_form(app.test_client(), "/auth/reset", {"email": "nobody@test.sch.id"})

    assert known.status_code == unknown.status_code == 200
    assert blank_tokens(known.text) == blank_tokens(unknown.text)
    assert handler.messages == []  # nothing was sent while either request ran
    assert (after_known, queued_rows()) == (1, 2)  # one row each, account or not

    deliver_mail(app)
    assert handler.received.wait(5)
    assert [m.rcpt_tos for m in handler.messages] == [[world["a"]["teacher"].email]]
    statuses = dict(db.session.execute(
        select(OutgoingMail.to_address, OutgoingMail.status)).all())
    assert statuses == {world["a"]["teacher"].email: "sent", "nobody@test.sch.id": "dropped"}


def test_reset_requests_are_limited_per_client_address(app, world):
    app.config["RESET_LIMIT_PER_CLIENT"] = "3 per hour"
    addresses = [f"probe{n}@test.sch.id" for n in range(3)]
    for address in addresses:
        assert post_form(app.test_client(), "/auth/reset", {"email": address}).status_code == 200
    refused = post_form(app.test_client(), "/auth/reset", {"email": "probe9@test.sch.id"})
    assert refused.status_code == 429
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    assert post_form(other, "/auth/reset", {"email": "probe9@test.sch.id"}).status_code == 200


def test_invitations_are_limited_per_principal(app, world, client_for):
    app.config["INVITE_LIMIT"] = "2 per hour"
    principal = client_for(world["a"]["principal"])
    codes = [post_form(principal, "/settings/school/invite",
                       {"name": f"Guru {n}", "email": f"guru{n}@test.sch.id",
                        "role": "teacher"}).status_code for n in range(3)]
    assert codes == [302, 302, 429]
    assert client_for(world["b"]["principal"]).get("/settings/school/invite").status_code == 200


# ---------------------------------------------------------------- the outbox and its senders


def test_a_failed_send_is_tried_again_later_with_a_growing_wait_then_given_up(app, world):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_USE_TLS=False,
                      MAIL_RETRY_SECONDS=30, MAIL_MAX_ATTEMPTS=3)
    mail.send_mail("a@test.sch.id", "Hi", "Body")
    db.session.commit()
    waits = []
    for _ in range(3):
        row = db.session.scalar(select(OutgoingMail))
        row.next_attempt_at = row.next_attempt_at.replace(year=2000)  # due now
        db.session.commit()
        started = mail.utcnow()
        assert mail.deliver_due().failed == 1
        db.session.expire_all()
        row = db.session.scalar(select(OutgoingMail))
        waits.append(round((row.next_attempt_at - started).total_seconds() / 30))
    assert waits[:2] == [1, 2]  # 30 s, then 60 s
    assert (row.status, row.attempts) == ("failed", 3)
    assert mail.deliver_due().failed == 0  # given up: never tried again


def test_a_claimed_row_is_sent_once_even_if_another_sender_looks_meanwhile(
        app, world, monkeypatch):
    mail.send_mail("a@test.sch.id", "Hi", "Body")
    db.session.commit()
    sent, inner = [], []
    real_send = mail._send

    def send_and_let_another_sender_look(message):
        inner.append(mail.deliver_due())  # a second sender, while the first is sending
        sent.append(message.to)
        real_send(message)

    monkeypatch.setattr(mail, "_send", send_and_let_another_sender_look)
    report = mail.deliver_due()

    assert (report.sent, sent) == (1, ["a@test.sch.id"])
    assert (inner[0].sent, inner[0].failed) == (0, 0)


def test_a_rolled_back_change_queues_nothing(app, world):
    mail.send_mail("a@test.sch.id", "Hi", "Body")
    db.session.rollback()
    assert queued_rows() == 0
    assert mails(app) == []


def test_flask_send_mail_delivers_what_is_due(app, world, runner):
    mail.send_mail("a@test.sch.id", "Hi", "Body one")
    mail.send_mail("b@test.sch.id", "Hi", "Body two")
    db.session.commit()

    result = runner.invoke(args=["send-mail"])

    assert result.exit_code == 0, result.output
    assert "2 sent" in result.output
    assert len(list(Path(app.config["MAIL_OUTBOX"]).glob("*.eml"))) == 2


def test_the_serving_process_sender_sends_a_queued_mail_after_the_commit(app, world):
    app.config.update(MAIL_SENDER_THREAD=True, MAIL_POLL_SECONDS=30)
    sender = mail.start_sender(app)
    try:
        assert sender is not None and sender.is_alive()
        assert mail.start_sender(app) is sender  # one per process
        mail.send_mail("a@test.sch.id", "Hi", "Woken by the commit")
        db.session.commit()  # wakes it: no waiting for the 30 s poll
        outbox = Path(app.config["MAIL_OUTBOX"])
        for _ in range(200):  # waits for the thread; asserts nothing about the time
            if list(outbox.glob("*.eml")):
                break
            time.sleep(0.05)
        [path] = outbox.glob("*.eml")
        assert "Woken by the commit" in path.read_text()
    finally:
        mail.stop_sender(app)
        app.config["MAIL_SENDER_THREAD"] = False
    assert not sender.is_alive()
