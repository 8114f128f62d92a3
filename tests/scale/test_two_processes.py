"""Two app processes sharing one Redis message queue: a colleague connected to one process
receives, in real time, what a colleague connected to the other sends (ARCHITECTURE.md, Real
time); a sign-out or a change of membership made on one process reaches the sockets on the
other. Real processes (`python app.py`), a real `redis-server`, the real python-socketio
client; WebSocket and long-polling."""

import queue
import time
import uuid
from pathlib import Path

import pytest

from tests.support.appserver import (
    PRINCIPAL,
    AppProcess,
    cookie_header,
    make_rooms_database,
    page_token,
    signed_in,
)
from tests.support.redisserver import RedisServer, redis_binary

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(redis_binary() is None,
                       reason="redis-server is not installed (make system-deps installs it)"),
]

WAIT = 5  # seconds for any one answer or delivery


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, migrated_database):
    """One Redis, one SQLite database with four team rooms of three colleagues each (one per
    test), two app processes."""
    directory = tmp_path_factory.mktemp("scale")
    # The suite's migrated SQLite file saves running the migrations again.
    template = migrated_database if isinstance(migrated_database, Path) else None
    database_url, seats = make_rooms_database(directory, rooms=4, per_room=3,
                                              template=template)
    redis = RedisServer().start()
    servers = []
    try:
        servers = [AppProcess(database_url, redis.url).launch() for _ in range(2)]
        for server in servers:
            server.wait_ready()
        yield servers, seats, redis.url, database_url
    finally:
        for server in servers:
            server.stop()
        redis.stop()


class Member:
    """A signed-in colleague's Socket.IO client on one process, keeping what it receives."""

    def __init__(self, server: AppProcess, email: str, transports: list[str]):
        import socketio

        self.received: queue.Queue = queue.Queue()
        self.told: queue.Queue = queue.Queue()  # (event, payload) of room:removed, signed_out
        self.presence: queue.Queue = queue.Queue()
        self.email = email
        self.client = socketio.Client(reconnection=False)
        self.client.on("message:new", self.received.put)
        self.client.on("presence", self.presence.put)
        for name in ("room:removed", "signed_out"):
            self.client.on(name, lambda payload, name=name: self.told.put((name, payload)))
        self.http = signed_in(server.url, email)
        headers = {"Cookie": cookie_header(self.http)}
        if transports == ["polling"]:
            # websocket-client sends the Origin itself; over polling the browser's is given.
            headers["Origin"] = server.url
        self.client.connect(server.url, headers=headers, transports=transports,
                            wait_timeout=WAIT)
        assert self.client.transport() == transports[0]

    def join(self, room_id: int) -> dict:
        ack = self.client.call("room:join", {"room_id": room_id, "since_id": None},
                               timeout=WAIT)
        assert ack["ok"] is True, ack
        return ack

    def send(self, room_id: int, body: str) -> tuple[str, dict]:
        client_id = uuid.uuid4().hex
        ack = self.client.call("message:send", {"room_id": room_id, "client_id": client_id,
                                                "body": body}, timeout=WAIT)
        assert ack["ok"] is True, ack
        return client_id, ack

    def next_message(self, client_id: str) -> dict:
        """The `message:new` with this client id (others, e.g. one's own echo, are skipped)."""
        while True:
            try:
                message = self.received.get(timeout=WAIT)
            except queue.Empty:
                raise AssertionError(f"no message:new for {client_id} within {WAIT} s") from None
            if message["client_id"] == client_id:
                return message

    def told_next(self) -> tuple[str, dict]:
        try:
            return self.told.get(timeout=WAIT)
        except queue.Empty:
            raise AssertionError(f"nothing said to this socket within {WAIT} s") from None

    def nothing_received(self) -> bool:
        try:
            self.received.get(timeout=1)
        except queue.Empty:
            return True
        return False

    def online_until(self, names: set[str]) -> list[str]:
        """Wait for a `presence` broadcast listing exactly `names`; return it."""
        while True:
            try:
                online = sorted(p["name"] for p in self.presence.get(timeout=WAIT)["online"])
            except queue.Empty:
                raise AssertionError(f"no presence of {sorted(names)} within {WAIT} s") from None
            if set(online) == names:
                return online

    def close(self):
        if self.client.connected:
            self.client.disconnect()
        self.http.close()


class QueueWatch:
    """A subscriber on the Redis channel Flask-SocketIO publishes to (its default channel
    name): what goes from one process to the other passes here."""

    def __init__(self, url: str):
        import redis

        self.connection = redis.Redis.from_url(url)
        self.pubsub = self.connection.pubsub(ignore_subscribe_messages=True)
        self.pubsub.subscribe("flask-socketio")

    def published(self) -> list[bytes]:
        """Everything published since subscribing (get_message gives None for the
        subscription's confirmation too, so read until the channel stays quiet)."""
        found, quiet = [], 0
        while quiet < 3:
            message = self.pubsub.get_message(timeout=0.2)
            if message is None:
                quiet += 1
            else:
                quiet = 0
                found.append(message["data"])
        return found

    def close(self):
        self.pubsub.close()
        self.connection.close()


def test_colleagues_on_two_processes_receive_each_others_messages(cluster):
    """A on process 1 and B on process 2, in one room: each receives what the other sends,
    over WebSocket and over long-polling; the message travels through Redis."""
    (first, second), seats, redis_url, _database = cluster
    seat = seats[0]
    assert first.port != second.port and first.pid != second.pid
    # `python app.py` serves as in production: gevent's server, Socket.IO in gevent mode.
    assert "(gevent)" in first.log() and "(gevent)" in second.log()
    watch = QueueWatch(redis_url)
    try:
        for transports in (["websocket"], ["polling"]):
            exchange(first, second, seat, transports)
        published = b"".join(watch.published())
    finally:
        watch.close()
    for text in ("Dari proses 1 (websocket)", "Dari proses 2 (polling)"):
        assert text.encode() in published, f"{text!r} did not pass through the Redis queue"


def exchange(first: AppProcess, second: AppProcess, seat, transports: list[str]) -> None:
    alice = Member(first, seat.emails[0], transports)
    bima = Member(second, seat.emails[1], transports)
    try:
        alice.join(seat.room_id)
        bima.join(seat.room_id)

        client_id, ack = alice.send(seat.room_id, f"Dari proses 1 ({transports[0]})")
        got = bima.next_message(client_id)
        assert got["id"] == ack["id"]
        assert got["room_id"] == seat.room_id
        assert got["author"]["name"] == "Guru 1.1"
        assert f"Dari proses 1 ({transports[0]})" in got["body_html"]

        client_id, ack = bima.send(seat.room_id, f"Dari proses 2 ({transports[0]})")
        got = alice.next_message(client_id)
        assert got["id"] == ack["id"]
        assert got["author"]["name"] == "Guru 1.2"
        assert f"Dari proses 2 ({transports[0]})" in got["body_html"]
    finally:
        alice.close()
        bima.close()


def test_taken_out_of_a_team_on_one_process_leaves_its_room_on_the_other(cluster):
    """The principal, on process 1, takes Bima out of the team; Bima's socket is on process
    2: it is told `room:removed` and receives nothing more from the room, while Alice on
    process 1 goes on."""
    (first, second), seats, _redis_url, _database = cluster
    seat = seats[1]
    alice = Member(first, seat.emails[0], ["websocket"])
    bima = Member(second, seat.emails[1], ["websocket"])
    try:
        alice.join(seat.room_id)
        bima.join(seat.room_id)
        with signed_in(first.url, PRINCIPAL) as principal:
            url = f"{first.url}/settings/school/teams/{seat.team_id}"
            answer = principal.post(url, timeout=10, allow_redirects=False, data={
                "members": [seat.user_ids[0]], "csrf_token": page_token(principal, url)})
            assert answer.status_code == 302, answer.status_code

        assert bima.told_next() == ("room:removed", {"room_id": seat.room_id})
        assert bima.client.connected  # only that room is gone
        client_id, _ack = alice.send(seat.room_id, "Sesudah Bima keluar dari tim")
        alice.next_message(client_id)
        assert bima.nothing_received()
    finally:
        alice.close()
        bima.close()


def test_signing_out_on_one_process_disconnects_the_sockets_on_the_other(cluster):
    """Citra signs out in a browser served by process 1; her socket on process 2 is told
    `signed_out` and disconnected at once, not at its next event."""
    (first, second), seats, _redis_url, _database = cluster
    seat = seats[2]
    citra = Member(second, seat.emails[0], ["websocket"])
    try:
        citra.join(seat.room_id)
        browser = signed_in(first.url, seat.emails[0])
        with browser:
            answer = browser.post(f"{first.url}/auth/logout", timeout=10, allow_redirects=False,
                                  data={"csrf_token": page_token(browser, f"{first.url}/")})
            assert answer.status_code == 302, answer.status_code

        assert citra.told_next() == ("signed_out", {})
        deadline = time.monotonic() + WAIT
        while citra.client.connected and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not citra.client.connected
    finally:
        citra.close()


def test_presence_counts_the_colleagues_on_every_process(cluster):
    """Presence is the room's, not the process's: Alice on process 1 and Bima on process 2
    see each other arrive and leave; a process that stops without a word (killed) drops out
    of the list once its heartbeat has expired."""
    (first, second), seats, redis_url, database_url = cluster
    seat = seats[3]
    alice = Member(first, seat.emails[0], ["websocket"])
    bima = Member(second, seat.emails[1], ["websocket"])
    third = AppProcess(database_url, redis_url, env={"PRESENCE_HEARTBEAT_SECONDS": "0.5"})
    citra = None
    try:
        assert names(alice.join(seat.room_id)) == ["Guru 4.1"]
        assert names(bima.join(seat.room_id)) == ["Guru 4.1", "Guru 4.2"]
        alice.online_until({"Guru 4.1", "Guru 4.2"})  # told on process 1 of Bima's arrival

        bima.client.call("room:leave", {"room_id": seat.room_id}, timeout=WAIT)
        alice.online_until({"Guru 4.1"})

        third.start()
        citra = Member(third, seat.emails[2], ["websocket"])
        assert names(citra.join(seat.room_id)) == ["Guru 4.1", "Guru 4.3"]
        alice.online_until({"Guru 4.1", "Guru 4.3"})
        third.process.kill()  # no disconnect, no goodbye: its entries stay in Redis
        third.process.wait(timeout=5)
        deadline = time.monotonic() + WAIT
        while names(alice.join(seat.room_id)) != ["Guru 4.1"]:
            assert time.monotonic() < deadline, "a dead process's sockets stayed online"
            time.sleep(0.25)
    finally:
        for member in (alice, bima, citra):
            if member is not None:
                member.close()
        third.stop()


def names(ack: dict) -> list[str]:
    return [p["name"] for p in ack["online"]]
