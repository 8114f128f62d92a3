"""Who is in a co-thinking room now: the people with a socket in its Socket.IO room.

One process (the default) holds every socket, so python-socketio's rooms are the truth
(`LocalPresence`). Several processes sharing a Redis message queue each hold only their own
sockets, so each socket in a room is also written to Redis (`RedisPresence`): a hash per room,
sid → the person and their process. Every process renews a key of its own every
`PRESENCE_HEARTBEAT_SECONDS` (it expires after three missed beats) and writes its sockets
again with it; the entries of a process whose key has expired (it stopped without saying
goodbye) are ignored and removed when a room is read.

Used through collab.realtime (enter, leave, online); see docs/realtime.md.
"""

import json
import logging
import uuid

from collab.extensions import socketio

log = logging.getLogger(__name__)

NAMESPACE = "/"
BEATS_TO_EXPIRE = 3


def by_name(people) -> list[dict]:
    """Each person once ({"id", "name"}), by name."""
    unique = {p["id"]: {"id": p["id"], "name": p["name"]} for p in people if p is not None}
    return sorted(unique.values(), key=lambda p: (p["name"].casefold(), p["id"]))


class LocalPresence:
    """The sockets of this process are everyone."""

    def __init__(self):
        self.people: dict[str, dict] = {}  # sid -> {"id", "name"} of this process's sockets

    def connected(self, sid: str, person: dict) -> None:
        self.people[sid] = person

    def disconnected(self, sid: str) -> None:
        self.people.pop(sid, None)

    def entered(self, room: str, sid: str) -> None:
        """The socket `sid` is now in `room` (python-socketio's room already holds it)."""

    def left(self, room: str, sid: str) -> None:
        """The socket `sid` is leaving `room`."""

    def online(self, room: str, leaving_sid: str | None = None) -> list[dict]:
        sids = socketio.server.manager.get_participants(NAMESPACE, room)
        return by_name(self.people.get(sid) for sid, _eio_sid in sids if sid != leaving_sid)


class RedisPresence(LocalPresence):
    """Several processes: the rooms' people are kept in Redis as well."""

    def __init__(self, url: str, heartbeat: float):
        import redis

        super().__init__()
        self.redis = redis.Redis.from_url(url)
        self.heartbeat = heartbeat
        self.host = uuid.uuid4().hex
        self.beating = False

    def entered(self, room: str, sid: str) -> None:
        person = self.people.get(sid)
        if person is None:
            return
        if not self.beating:
            self.beating = True
            self._alive()
            socketio.start_background_task(self._beat)
        self.redis.hset(_room_key(room), sid, json.dumps({**person, "host": self.host}))

    def left(self, room: str, sid: str) -> None:
        self.redis.hdel(_room_key(room), sid)

    def online(self, room: str, leaving_sid: str | None = None) -> list[dict]:
        entries = {sid.decode(): json.loads(value)
                   for sid, value in self.redis.hgetall(_room_key(room)).items()}
        hosts = sorted({entry["host"] for entry in entries.values()})
        answers = self.redis.mget([_host_key(host) for host in hosts]) if hosts else []
        alive = {host for host, answer in zip(hosts, answers, strict=True) if answer is not None}
        gone = [sid for sid, entry in entries.items() if entry["host"] not in alive]
        if gone:
            self.redis.hdel(_room_key(room), *gone)
        return by_name(entry for sid, entry in entries.items()
                       if sid != leaving_sid and entry["host"] in alive)

    def _alive(self) -> None:
        self.redis.set(_host_key(self.host), "1", ex=max(1, round(self.heartbeat *
                                                                   BEATS_TO_EXPIRE)))

    def _beat(self) -> None:
        """Renew this process's key and write its sockets again (after a Redis restart, or
        if a stall let the key expire and a reader removed them)."""
        while True:
            socketio.sleep(self.heartbeat)
            try:
                self._alive()
                with self.redis.pipeline(transaction=False) as pipe:
                    for sid, person in list(self.people.items()):
                        value = json.dumps({**person, "host": self.host})
                        for room in _rooms_of(sid):
                            pipe.hset(_room_key(room), sid, value)
                    pipe.execute()
            except Exception:  # Redis away for a moment: the next beat tries again
                log.exception("presence heartbeat failed")


def _rooms_of(sid: str) -> list[str]:
    try:
        rooms = socketio.server.rooms(sid, namespace=NAMESPACE)
    except (KeyError, ValueError):  # disconnected meanwhile
        return []
    return [room for room in rooms if room.startswith("room:")]


def _room_key(room: str) -> str:
    return f"rembuk:presence:{room}"


def _host_key(host: str) -> str:
    return f"rembuk:presence-host:{host}"


def for_config(config) -> LocalPresence:
    url = config.get("SOCKETIO_MESSAGE_QUEUE")
    if not url:
        return LocalPresence()
    return RedisPresence(url, float(config.get("PRESENCE_HEARTBEAT_SECONDS", 10)))
