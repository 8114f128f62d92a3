"""The rooms' Socket.IO contract with the real python-socketio client against a live server,
over WebSocket and over long-polling only: two demo teachers chat in their team room, one
catches up after a reconnect, and a logout over HTTP drops the socket."""

import re
import threading
import time
import uuid

import pytest
import requests
import socketio as socketio_client
from sqlalchemy import select

from collab.extensions import db
from collab.people.models import Team
from collab.rooms.models import Room
from tests.e2e.conftest import DEMO_PASSWORD, TEACHER

pytestmark = pytest.mark.slow

COLLEAGUE = "guru02@demo.sch.id"  # with guru01 in the MGMP Matematika team
TRANSPORTS = [None, ["polling"]]  # None: the client's default (upgrade to WebSocket)


class Teacher:
    """A signed-in browser session (requests) and a real Socket.IO client using its cookie."""

    def __init__(self, base_url: str, email: str):
        self.base_url = base_url
        self.http = requests.Session()
        page = self.http.get(f"{base_url}/auth/login", timeout=10).text
        response = self.http.post(f"{base_url}/auth/login", timeout=10, allow_redirects=False,
                                  data={"email": email, "password": DEMO_PASSWORD,
                                        "csrf_token": _token(page)})
        assert response.status_code == 302, response.text
        self.events: dict[str, list] = {}
        self.arrived = threading.Condition()
        self.socket = None

    def connect(self, transports=None):
        self.socket = socketio_client.Client(reconnection=False)
        for name in ("message:new", "presence", "typing", "note:changed", "signed_out"):
            self.socket.on(name, self._collector(name))
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())}
        if transports == ["polling"]:
            # As a browser would; the WebSocket client sends its own Origin (a second one
            # would be joined to the first and refused as foreign).
            headers["Origin"] = self.base_url
        self.socket.connect(self.base_url, headers=headers, transports=transports,
                            wait_timeout=10)
        return self

    def _collector(self, name):
        def collect(payload):
            with self.arrived:
                self.events.setdefault(name, []).append(payload)
                self.arrived.notify_all()

        return collect

    def ask(self, event: str, payload: dict) -> dict:
        return self.socket.call(event, payload, timeout=10)

    def wait_for(self, name: str, count: int = 1, timeout: float = 10) -> list:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.events.get(name, [])) >= count, timeout)
            return list(self.events.get(name, []))

    def log_out(self):
        page = self.http.get(f"{self.base_url}/", timeout=10).text
        self.http.post(f"{self.base_url}/auth/logout", data={"csrf_token": _token(page)},
                       timeout=10, allow_redirects=False)

    def close(self):
        if self.socket is not None and self.socket.connected:
            self.socket.disconnect()
        self.http.close()


def _token(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


@pytest.fixture
def team_room_id(live_server):
    room_id = db.session.scalar(select(Room.id).join(Team, Team.id == Room.team_id)
                                .where(Team.name == "MGMP Matematika"))
    db.session.remove()
    assert room_id is not None
    return room_id


@pytest.fixture
def teachers(live_server):
    made = []

    def make(email):
        made.append(Teacher(live_server.url, email))
        return made[-1]

    yield make
    for teacher in made:
        teacher.close()


def _transport(teacher) -> str:
    """The transport in use once the client has had time to upgrade from polling."""
    deadline = time.monotonic() + 3
    while teacher.socket.transport() == "polling" and time.monotonic() < deadline:
        time.sleep(0.05)
    return teacher.socket.transport()


def _send(teacher, room_id, body, client_id=None):
    return teacher.ask("message:send", {"room_id": room_id, "body": body,
                                        "client_id": client_id or uuid.uuid4().hex})


@pytest.mark.parametrize("transports", TRANSPORTS, ids=["websocket", "polling"])
def test_two_teachers_chat_and_a_retry_is_not_doubled(teachers, team_room_id, transports):
    siti = teachers(TEACHER).connect(transports)
    budi = teachers(COLLEAGUE).connect(transports)
    assert _transport(budi) == ("polling" if transports else "websocket")
    assert siti.ask("room:join", {"room_id": team_room_id})["ok"]
    joined = budi.ask("room:join", {"room_id": team_room_id})
    assert joined["ok"] and joined["history"]  # the demo conversation
    assert {p["name"] for p in joined["online"]} == {"Siti Rahmawati", "Budi Santoso"}

    ack = _send(siti, team_room_id, "Besok kita coba **pita pecahan**.", "e2e-1")
    retry = _send(siti, team_room_id, "Besok kita coba **pita pecahan**.", "e2e-1")

    assert ack["ok"] and retry["ok"] and retry["id"] == ack["id"]
    [new] = budi.wait_for("message:new")
    assert new["id"] == ack["id"] and "<strong>pita pecahan</strong>" in new["body_html"]
    assert new["author"]["name"] == "Siti Rahmawati"
    time.sleep(0.3)  # a second broadcast, if there were one, would have arrived by now
    assert len(budi.events["message:new"]) == 1

    assert budi.ask("typing", {"room_id": team_room_id})["sent"] is True
    [typing] = siti.wait_for("typing")
    assert typing["user"]["name"] == "Budi Santoso"


@pytest.mark.parametrize("transports", TRANSPORTS, ids=["websocket", "polling"])
def test_after_a_reconnect_since_id_fills_exactly_the_gap(teachers, team_room_id, transports):
    siti = teachers(TEACHER).connect(transports)
    budi = teachers(COLLEAGUE).connect(transports)
    siti.ask("room:join", {"room_id": team_room_id})
    last_seen = budi.ask("room:join", {"room_id": team_room_id})["history"][-1]["id"]
    budi.socket.disconnect()

    sent = [_send(siti, team_room_id, f"Pesan saat Budi pergi {i}")["id"] for i in range(3)]

    budi.connect(transports)
    back = budi.ask("room:join", {"room_id": team_room_id, "since_id": last_seen})
    assert [m["id"] for m in back["history"]] == sent


def test_a_logout_over_http_drops_the_socket_and_nothing_more_is_served(teachers,
                                                                        team_room_id):
    siti = teachers(TEACHER).connect()
    budi = teachers(COLLEAGUE).connect()
    siti.ask("room:join", {"room_id": team_room_id})
    budi.ask("room:join", {"room_id": team_room_id})

    budi.log_out()

    deadline = time.monotonic() + 10
    while budi.socket.connected and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not budi.socket.connected
    _send(siti, team_room_id, "Budi sudah keluar?")
    time.sleep(0.3)
    assert "message:new" not in budi.events


def test_another_schools_teacher_is_refused(teachers, team_room_id):
    other = teachers("guru.sd01@demo.sch.id")
    other.connect()
    ack = other.ask("room:join", {"room_id": team_room_id})
    assert ack["ok"] is False and ack["error"] == "not_found"


def _polling_session(teacher, base_url):
    base = f"{base_url}/socket.io/?EIO=4&transport=polling"
    opened = teacher.http.get(base, timeout=10, headers={"Origin": base_url})
    sid = re.search(r'"sid":"([^"]+)"', opened.text).group(1)
    url = f"{base}&sid={sid}"
    teacher.http.post(url, data="40", timeout=10, headers={"Origin": base_url})  # connect
    return url


def test_oversized_and_malformed_polling_posts_do_not_break_the_server(live_server, teachers,
                                                                       team_room_id):
    siti = teachers(TEACHER)
    url = _polling_session(siti, live_server.url)
    for body in ['42["message:send",{"room_id":', "42[]", '42["room:join"', "\x00\xff",
                 '42["message:send",' + "[" * 5000 + "]" * 5000 + "]",
                 '42["message:send","not a dict"]', '421["room:join",{"room_id":1e400}]']:
        response = siti.http.post(url, data=body.encode("utf-8", "replace"), timeout=10,
                                  headers={"Origin": live_server.url})
        assert response.status_code < 500
    try:  # over the 64 KB cap: refused, or left hanging (SECURITY.md trap 7), never a crash
        response = siti.http.post(_polling_session(siti, live_server.url),
                                  data="42" + "x" * 200_000, timeout=3,
                                  headers={"Origin": live_server.url})
        assert response.status_code < 500
    except requests.exceptions.Timeout:
        pass

    assert requests.get(f"{live_server.url}/healthz", timeout=5).status_code == 200
    budi = teachers(COLLEAGUE).connect()
    assert budi.ask("room:join", {"room_id": team_room_id})["ok"]
