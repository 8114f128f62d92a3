"""Rate limits are checked by the decorators on their routes only: no check runs before every
request (issue 16), and the decorated limits still hold (the 429s themselves are proved in
test_auth.py, test_password_reset.py and test_calendar.py)."""

import pytest

from collab.extensions import limiter
from tests.conftest import login


def test_no_rate_limit_check_runs_before_every_request(app):
    assert limiter._check_request_limit not in app.before_request_funcs.get(None, [])


@pytest.mark.form_login
def test_the_sign_in_limit_still_holds_without_the_global_check(app, world):
    email = world["a"]["teacher"].email
    client = app.test_client()
    answers = [login(client, email, "wrong password").status_code for _ in range(6)]
    assert answers[:5] == [400] * 5
    assert answers[5] == 429
