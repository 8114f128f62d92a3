"""Configuration refuses unsafe production settings; errors show friendly pages and log
denials without secrets."""

import logging

import pytest

from collab.config import ConfigError, load_config
from tests.conftest import PASSWORD, login


@pytest.mark.parametrize("secret", [None, "", "short", "x" * 31])
def test_production_refuses_a_missing_or_short_secret_key(monkeypatch, tmp_path, secret):
    monkeypatch.setenv("REMBUK_ENV", "production")
    if secret is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", secret)
    with pytest.raises(ConfigError):
        load_config(tmp_path)


def test_production_settings_are_strict(monkeypatch, tmp_path):
    monkeypatch.setenv("REMBUK_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    config = load_config(tmp_path)
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["PASSWORD_HASH_METHOD"] == "scrypt:131072:8:1"
    assert config["MAX_CONTENT_LENGTH"] <= 12 * 1024 * 1024


def test_development_keeps_a_generated_secret_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("REMBUK_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_config(tmp_path)["SECRET_KEY"]
    assert len(first) >= 48
    assert load_config(tmp_path)["SECRET_KEY"] == first
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


def test_no_secret_is_made_in_the_instance_folder_when_the_caller_gives_one(
        monkeypatch, tmp_path):
    # create_app(config) with a SECRET_KEY (every test) leaves the working tree's instance/
    # alone.
    monkeypatch.delenv("REMBUK_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    assert load_config(tmp_path, "s" * 40)["SECRET_KEY"] == "s" * 40
    assert not (tmp_path / "secret_key").exists()


def test_the_outbox_folder_comes_from_the_environment_else_the_instance_folder(
        monkeypatch, tmp_path):
    # Served test processes (tests/support/appserver.py) pass MAIL_OUTBOX so that they never
    # write into the working tree's instance/ folder.
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.delenv("MAIL_OUTBOX", raising=False)
    assert load_config(tmp_path)["MAIL_OUTBOX"] == str(tmp_path / "outbox")
    monkeypatch.setenv("MAIL_OUTBOX", str(tmp_path / "elsewhere"))
    assert load_config(tmp_path)["MAIL_OUTBOX"] == str(tmp_path / "elsewhere")


@pytest.mark.fresh_app  # adds a route: only an app that has served no request yet may
def test_a_forced_500_for_a_signed_in_user_is_friendly(app, world, client):
    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    login(client, world["a"]["teacher"].email)
    response = client.get("/boom")
    assert response.status_code == 500
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text
    assert "<html" in response.text


def test_unknown_pages_are_friendly_404s(client):
    response = client.get("/auth/nothing-here")
    assert response.status_code == 404
    assert "<html" in response.text


def test_too_large_requests_get_the_friendly_413(app, world, client):
    login(client, world["a"]["principal"].email)
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/settings/school/teams", data={"name": "x" * 5000})
    assert response.status_code == 413
    assert "<html" in response.text


def test_denials_are_logged_with_user_route_and_school_but_no_secret(app, world, client_for,
                                                                     caplog):
    c = client_for(world["a"]["teacher"])
    with caplog.at_level(logging.WARNING):
        c.get("/settings/school/")
        login(app.test_client(), world["a"]["teacher"].email, "wrong password here")
    text = caplog.text
    assert "denied 403 GET /settings/school/" in text
    assert f"user={world['a']['teacher'].id}" in text
    assert f"school={world['a']['school'].id}" in text
    assert PASSWORD not in text and "wrong password here" not in text
    assert "rembuk_session" not in text
