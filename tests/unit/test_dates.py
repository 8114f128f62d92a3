"""One way to write dates, times and seats on the server (issue 15, bug 9): the school's time
zone and the reader's language, the same shape as the browser's Intl.DateTimeFormat
(dateStyle medium, timeStyle short) in static/js/rooms.js."""

from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale

from collab import create_app
from collab.core.i18n import show_date, show_datetime, show_seat


@pytest.fixture(scope="module")
def app():
    return create_app({"TESTING": True, "SECRET_KEY": "x" * 40,
                       "SQLALCHEMY_DATABASE_URI": "sqlite://",
                       "BABEL_DEFAULT_TIMEZONE": "Asia/Jakarta"})


MOMENT = datetime(2026, 12, 3, 2, 11, tzinfo=UTC)  # 09.11 in Jakarta


@pytest.mark.parametrize(("lang", "moment", "day", "weekday", "seat"), [
    ("id", "3 Des 2026, 09.11", "8 Des 2026", "Selasa, 8 Des 2026", "baris 2, kursi 3"),
    ("en", "Dec 3, 2026, 9:11\u202fAM", "Dec 8, 2026", "Tuesday, Dec 8, 2026",
     "row 2, seat 3"),
])
def test_dates_and_seats_read_in_the_readers_language(app, lang, moment, day, weekday, seat):
    with app.test_request_context(), force_locale(lang):
        assert show_datetime(MOMENT).replace(" AM", "\u202fAM") == moment
        assert show_date(date(2026, 12, 8)) == day
        assert show_date("2026-12-08") == day  # as notifications store it
        assert show_date(date(2026, 12, 8), weekday=True) == weekday
        assert show_seat("r2c3") == seat


def test_nothing_and_odd_values_pass_through(app):
    with app.test_request_context(), force_locale("id"):
        assert show_datetime(None) == show_date(None) == show_seat("") == ""
        assert show_date("not a date") == "not a date"
        assert show_seat("depan") == "depan"


def test_the_templates_filters_are_the_helpers(app):
    with app.test_request_context(), force_locale("id"):
        env = app.jinja_env
        assert env.from_string("{{ t|localtime }}").render(t=MOMENT) == "3 Des 2026, 09.11"
        assert env.from_string("{{ t|localtime('short') }}").render(t=MOMENT) == (
            "3 Des 2026, 09.11")
        assert env.from_string("{{ t|localtime('HH:mm') }}").render(t=MOMENT) == "09:11"
        assert env.from_string("{{ 'r1c4'|seat }}").render() == "baris 1, kursi 4"
