"""The Socket.IO server admits only signed-in members of a school whose session is current."""

import pytest

from collab.extensions import socketio
from tests.conftest import csrf_token

# Signing in and sessions are the subject: client_for signs in through the login form.
pytestmark = pytest.mark.form_login


def test_anonymous_socket_is_refused(app, client):
    socket = socketio.test_client(app, flask_test_client=client)
    assert not socket.is_connected()


def test_member_socket_connects(app, world, client_for):
    socket = socketio.test_client(app, flask_test_client=client_for(world["a"]["teacher"]))
    assert socket.is_connected()
    socket.disconnect()


def test_user_without_school_is_refused(app, world, client_for):
    socket = socketio.test_client(app, flask_test_client=client_for(world.outsider))
    assert not socket.is_connected()


def test_socket_after_logout_elsewhere_is_refused(app, world, client_for):
    teacher = world["a"]["teacher"]
    kept, other = client_for(teacher), client_for(teacher)
    other.post("/auth/logout", data={"csrf_token": csrf_token(other.get("/").text)})
    socket = socketio.test_client(app, flask_test_client=kept)
    assert not socket.is_connected()


def _signed_in_cookie(base_url: str) -> str:
    import re

    import requests

    with requests.Session() as http:
        page = http.get(f"{base_url}/auth/login", timeout=10).text
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        http.post(f"{base_url}/auth/login", timeout=10, allow_redirects=False,
                  data={"email": "guru01@demo.sch.id", "password": "rembuk-demo",
                        "csrf_token": token})
        return "; ".join(f"{k}={v}" for k, v in http.cookies.items())


def _connects(base_url: str, headers: dict) -> bool:
    import socketio as socketio_client

    client = socketio_client.Client(reconnection=False)
    try:
        client.connect(base_url, headers=headers, transports=["polling"], wait_timeout=5)
    except socketio_client.exceptions.ConnectionError:
        return False
    client.disconnect()
    return True


def test_real_client_connects_from_the_site_but_not_from_a_foreign_origin(live_server):
    cookie = _signed_in_cookie(live_server.url)
    assert _connects(live_server.url, {"Cookie": cookie, "Origin": live_server.url})
    assert not _connects(live_server.url,
                         {"Cookie": cookie, "Origin": "https://evil.example"})
    assert not _connects(live_server.url, {"Origin": live_server.url})  # no session
