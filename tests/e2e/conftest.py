"""Helpers for the browser journeys: a `site` that opens pages, checks them with axe, signs in
and out and switches language; the newest mail of the outbox; the catalogue's translations."""

import email
import re
from email import policy
from pathlib import Path

import pytest
from flask_babel import force_locale, gettext

from tests.conftest import deliver_mail

DEMO_PASSWORD = "rembuk-demo"
PRINCIPAL = "kepsek@demo.sch.id"
TEACHER = "guru01@demo.sch.id"
OTHER_PRINCIPAL = "kepsek.sd@demo.sch.id"


class Site:
    """A Playwright page on the live server, with the steps every journey repeats."""

    def __init__(self, page, base_url: str, axe):
        self.page = page
        self.base_url = base_url
        self.axe = axe

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else self.base_url + path

    def open(self, path: str, status: int = 200):
        """Go to `path`, check the final HTTP status and run axe on what is shown."""
        response = self.page.goto(self.url(path))
        assert response is not None
        assert response.status == status, f"{path}: {response.status} != {status}"
        self.check()
        return response

    def check(self):
        """Run axe-core on the page as it is now (fails on serious or critical issues)."""
        self.axe(self.page)

    def path(self) -> str:
        return self.page.url.removeprefix(self.base_url)

    def lang(self) -> str:
        return self.page.locator("html").get_attribute("lang")

    def heading(self) -> str:
        return self.page.locator("main h1").inner_text()

    def field_value(self, name: str) -> str:
        return self.page.locator(f"main [name='{name}']").input_value()

    def log_in(self, address: str, password: str = DEMO_PASSWORD):
        self.open("/auth/login")
        self.page.fill("input[name=email]", address)
        self.page.fill("input[name=password]", password)
        with self.page.expect_navigation():
            self.page.locator("main form button[type=submit]").click()
        assert not self.path().startswith("/auth/login"), f"login as {address} failed"
        self.check()

    def open_menu(self):
        """Open the header's menu (a <details>: Sign out, Profile and the other areas)."""
        menu = self.page.locator("header details.menu")
        if menu.get_attribute("open") is None:
            menu.locator("summary").click()

    def sign_out(self):
        self.open_menu()
        with self.page.expect_navigation():
            self.page.locator("header form[action$='/auth/logout'] button").click()
        assert self.path().startswith("/auth/login")
        self.check()

    def switch_language(self, lang: str):
        """Press the footer's language button; the same page comes back in `lang`."""
        before = self.path()
        with self.page.expect_navigation():
            self.page.locator(f"footer button[name=lang][value={lang}]").click()
        assert self.path() == before
        assert self.lang() == lang
        self.check()

    def submit(self, button: str = "main form button[type=submit]"):
        with self.page.expect_navigation():
            self.page.locator(button).first.click()
        self.check()


@pytest.fixture
def site(page, live_server, axe):
    return Site(page, live_server.url, axe)


@pytest.fixture
def phone_site(phone_page, live_server, axe):
    return Site(phone_page, live_server.url, axe)


@pytest.fixture
def translate(app):
    """translate(msgid, locale, **values): the text the catalogue gives for that locale, so a
    test holds whether or not the Indonesian catalogue is compiled yet."""

    def run(msgid: str, locale: str, **values) -> str:
        with app.test_request_context(), force_locale(locale):
            return gettext(msgid, **values)

    return run


@pytest.fixture
def newest_mail(app):
    """The newest message of the outbox as an EmailMessage, and its first http(s) link."""

    def read():
        deliver_mail(app)  # what the server's sender would have sent by now
        outbox = Path(app.config["MAIL_OUTBOX"])
        files = sorted(outbox.glob("*.eml"))  # names start with a UTC time stamp
        assert files, "no mail in the outbox"
        message = email.message_from_bytes(files[-1].read_bytes(), policy=policy.default)
        body = message.get_body(preferencelist=("plain",)).get_content()
        links = re.findall(r"https?://\S+", body)
        assert links, f"no link in the mail:\n{body}"
        return message, links[0]

    return read
