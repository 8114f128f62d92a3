"""The rig works end to end: migrated database, login, home page."""

import pytest

from tests.conftest import login

pytestmark = pytest.mark.smoke  # the rig end to end


def test_healthz_answers_plain_ok_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.text == "ok"


def test_anonymous_visit_redirects_to_login_with_next(client):
    response = client.get("/settings/profile?x=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login?next=/settings/profile?x%3D1"


def test_teacher_logs_in_and_sees_home(client, world):
    response = login(client, world["a"]["teacher"].email)
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert "Teacher A" in home.text
    assert "Team A" in home.text
