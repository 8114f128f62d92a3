"""The rooms' Socket.IO events (docs/realtime.md) through Flask-SocketIO's test client:
delivery, idempotent retries, catch-up after a reconnect, membership on every event, signed-out
sockets, limits, and payloads that are not what an event expects."""

import contextvars

import pytest
from sqlalchemy import event as sql_events
from sqlalchemy import func, select

from collab.extensions import db, socketio
from collab.rooms import service as rooms
from collab.rooms.models import BoardNote, RoomMember, RoomMessage
from tests.conftest import csrf_token, post_form


class Socket:
    """A Socket.IO test client whose every call runs as in production: in a fresh context,
    so each event gets its own app context and database session (like IsolatedClient)."""

    def __init__(self, app, http_client):
        self._socket = self._isolated(socketio.test_client, app, flask_test_client=http_client)

    @staticmethod
    def _isolated(call, *args, **kwargs):
        db.session.commit()
        result = contextvars.Context().run(call, *args, **kwargs)
        db.session.expire_all()
        return result

    @property
    def connected(self) -> bool:
        return self._socket.is_connected()

    def ask(self, event, *args):
        """Emit an event and return its acknowledgement."""
        return self._isolated(self._socket.emit, event, *args, callback=True)

    def received(self, name=None) -> list:
        events = self._socket.get_received()
        return [e for e in events if name is None or e["name"] == name]

    def disconnect(self):
        self._isolated(self._socket.disconnect)


@pytest.fixture
def team_room(world):
    a = world["a"]
    room = rooms.room_for_team(a["team"], a["teacher"])
    db.session.commit()
    return room


@pytest.fixture
def connect(app, client_for):
    def make(user):
        return Socket(app, client_for(user))

    return make


def _joined(socket, room, since_id=None):
    ack = socket.ask("room:join", {"room_id": room.id, "since_id": since_id})
    assert ack["ok"], ack
    socket.received()  # the presence broadcast of one's own join
    return ack


def _send(socket, room, client_id, body="Halo"):
    return socket.ask("message:send", {"room_id": room.id, "client_id": client_id, "body": body})


def _stored(room) -> int:
    return db.session.scalar(select(func.count(RoomMessage.id))
                             .where(RoomMessage.room_id == room.id))


# -- delivery, retries, catching up ------------------------------------------------------

@pytest.mark.smoke
def test_a_message_reaches_the_other_member_and_the_ack_carries_its_id(world, team_room,
                                                                      connect):
    teacher, mentor = connect(world["a"]["teacher"]), connect(world["a"]["mentor"])
    _joined(teacher, team_room)
    _joined(mentor, team_room)
    teacher.received()

    ack = _send(teacher, team_room, "c-1", "Siswa **berdiskusi**")

    assert ack["ok"] and ack["created"] and isinstance(ack["id"], int) and ack["created_at"]
    [new] = mentor.received("message:new")
    payload = new["args"][0]
    assert payload["id"] == ack["id"] and payload["client_id"] == "c-1"
    assert payload["room_id"] == team_room.id
    assert payload["author"] == {"id": world["a"]["teacher"].id, "name": "Teacher A"}
    assert "<strong>berdiskusi</strong>" in payload["body_html"]


@pytest.mark.dialect
def test_a_message_is_one_transaction_of_nine_statements_and_nothing_after_its_commit(
        world, team_room, connect, monkeypatch):
    """The budget of a message under load (bench/rooms_load.py): the user, the membership,
    the retry check, the insert, the room, the read marker, the activity, the dashboard's
    counts (one upsert; the school's time zone is already in the session), and the school's
    page version (collab/core/page_cache.py, one upsert). A read after the
    commit would open a second transaction (on SQLite a write lock) during the broadcast;
    the rate limits are counted before the transaction begins, not while it holds the lock."""
    from collab import realtime

    counted = realtime.allowed
    teacher, mentor = connect(world["a"]["teacher"]), connect(world["a"]["mentor"])
    _joined(teacher, team_room)
    _joined(mentor, team_room)
    payload = {"room_id": team_room.id, "client_id": "budget", "body": "Halo semua"}
    db.session.commit()  # the test's own reads are over
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(" ".join(statement.split()))

    def mark(name):
        return lambda conn: statements.append(f"<{name}>")

    hooks = [("before_cursor_execute", record), ("begin", mark("begin")),
             ("commit", mark("commit")), ("rollback", mark("rollback"))]
    monkeypatch.setattr(realtime, "allowed",
                        lambda *args: statements.append("<limit>") or counted(*args))
    for name, hook in hooks:
        sql_events.listen(db.engine, name, hook)
    try:
        assert teacher.ask("message:send", payload)["ok"]
    finally:
        for name, hook in hooks:
            sql_events.remove(db.engine, name, hook)

    # The transaction's own markers (any database), then its statements but for SQLite's
    # BEGIN IMMEDIATE and the savepoint around the insert.
    markers = [s for s in statements if s.startswith("<")]
    assert markers[:4] == ["<limit>", "<limit>", "<begin>", "<commit>"], statements
    assert "<begin>" not in markers[4:], "a second transaction after the commit"
    work = [s for s in statements[:statements.index("<commit>")]
            if not s.startswith(("<", "BEGIN", "SAVEPOINT", "RELEASE", "PRAGMA"))]
    assert statements.index("<commit>") > statements.index("<begin>")
    assert len(work) <= 9, work
    assert mentor.received("message:new")


@pytest.mark.dialect
def test_a_retry_with_the_same_client_id_stores_one_row_and_is_broadcast_once(
        world, team_room, connect):
    teacher, mentor = connect(world["a"]["teacher"]), connect(world["a"]["mentor"])
    _joined(teacher, team_room)
    _joined(mentor, team_room)

    first = _send(teacher, team_room, "retry-1")
    again = _send(teacher, team_room, "retry-1")

    assert first["ok"] and again["ok"]
    assert again["id"] == first["id"] and again["created"] is False
    assert _stored(team_room) == 1
    assert len(mentor.received("message:new")) == 1


@pytest.mark.dialect
def test_a_client_that_was_away_gets_exactly_the_missed_messages_in_order(world, team_room,
                                                                          connect):
    teacher, mentor = connect(world["a"]["teacher"]), connect(world["a"]["mentor"])
    _joined(teacher, team_room)
    _joined(mentor, team_room)
    seen = _send(mentor, team_room, "before")["id"]
    mentor.disconnect()

    sent = [_send(teacher, team_room, f"gap-{i}", f"pesan {i}")["id"] for i in range(3)]

    back = connect(world["a"]["mentor"])
    ack = _joined(back, team_room, since_id=seen)
    assert [m["id"] for m in ack["history"]] == sent
    assert [m["client_id"] for m in ack["history"]] == ["gap-0", "gap-1", "gap-2"]
    assert ack["more"] is False


def test_join_without_since_id_gives_the_last_50_board_and_who_is_online(app, world,
                                                                         team_room, connect):
    app.config["SOCKET_RATE_LIMITS"] = {"message": "100 per 10 seconds",
                                        "any": "100 per 10 seconds"}
    teacher = connect(world["a"]["teacher"])
    _joined(teacher, team_room)
    for i in range(52):
        _send(teacher, team_room, f"m{i}", f"pesan {i}")
    mentor = connect(world["a"]["mentor"])

    ack = _joined(mentor, team_room)

    assert len(ack["history"]) == 50 and ack["more"] is True
    assert ack["history"][-1]["client_id"] == "m51"
    assert set(ack["board"]) == {"evidence", "wonderings", "suggestions", "next_steps"}
    assert {p["name"] for p in ack["online"]} == {"Teacher A", "Mentor A"}
    [presence] = teacher.received("presence")
    assert {p["name"] for p in presence["args"][0]["online"]} == {"Teacher A", "Mentor A"}
    member = db.session.get(RoomMember, (team_room.id, world["a"]["mentor"].id))
    assert member.last_read_id == ack["history"][-1]["id"]  # joining marks the room read


def test_load_earlier_and_read_marker(world, team_room, connect):
    teacher = connect(world["a"]["teacher"])
    _joined(teacher, team_room)
    ids = [_send(teacher, team_room, f"m{i}")["id"] for i in range(5)]
    mentor = connect(world["a"]["mentor"])
    _joined(mentor, team_room)

    earlier = mentor.ask("message:earlier", {"room_id": team_room.id, "before_id": ids[3]})
    assert [m["id"] for m in earlier["messages"]] == ids[:3] and earlier["more"] is False
    assert mentor.ask("room:read", {"room_id": team_room.id, "message_id": ids[1]})["ok"]


def test_leaving_and_disconnecting_update_presence(world, team_room, connect):
    teacher, mentor = connect(world["a"]["teacher"]), connect(world["a"]["mentor"])
    _joined(teacher, team_room)
    _joined(mentor, team_room)
    teacher.received()

    assert mentor.ask("room:leave", {"room_id": team_room.id})["ok"]
    [left] = teacher.received("presence")
    assert [p["name"] for p in left["args"][0]["online"]] == ["Teacher A"]

    _joined(mentor, team_room)
    teacher.received()
    mentor.disconnect()
    [gone] = teacher.received("presence")
    assert [p["name"] for p in gone["args"][0]["online"]] == ["Teacher A"]


def test_a_colleague_who_becomes_a_member_is_announced_by_presence(world, team_room, connect,
                                                                  client_for):
    """No `member.joined` event: a colleague added to the team after the others opened the
    room arrives in the `presence` broadcast with their id and name, which the page uses to
    add them to its members list (from the page's template). Before being added they are
    refused and nobody hears of them."""
    from collab.people import service as people

    a = world["a"]
    teacher, newcomer = connect(a["teacher"]), connect(a["teacher2"])
    _joined(teacher, team_room)
    assert newcomer.ask("room:join", {"room_id": team_room.id})["error"] == "not_found"
    assert teacher.received("presence") == []

    people.set_team_members(a["team"], {a["teacher"].id, a["mentor"].id, a["teacher2"].id},
                            a["principal"])
    db.session.commit()
    page = client_for(a["teacher"]).get(f"/rooms/{team_room.id}").text
    assert '<template id="member-template"><li data-user-id=""><span class="member-name">' \
        in page
    assert _joined(newcomer, team_room)["ok"]

    [presence] = teacher.received("presence")
    assert {"id": a["teacher2"].id, "name": "Second A"} in presence["args"][0]["online"]


def test_edit_and_delete_are_broadcast_and_only_the_author_may(world, team_room, connect):
    teacher, mentor = connect(world["a"]["teacher"]), connect(world["a"]["mentor"])
    _joined(teacher, team_room)
    _joined(mentor, team_room)
    message_id = _send(teacher, team_room, "e1", "draf")["id"]
    mentor.received()

    refused = mentor.ask("message:edit", {"room_id": team_room.id, "message_id": message_id,
                                          "body": "bukan milikku"})
    assert refused["ok"] is False and refused["error"] == "not_yours"

    edited = teacher.ask("message:edit", {"room_id": team_room.id, "message_id": message_id,
                                          "body": "versi akhir"})
    assert edited["ok"]
    [updated] = mentor.received("message:updated")
    assert "versi akhir" in updated["args"][0]["body_html"]

    assert teacher.ask("message:delete", {"room_id": team_room.id,
                                          "message_id": message_id})["ok"]
    [deleted] = mentor.received("message:deleted")
    gone = deleted["args"][0]
    assert {k: gone[k] for k in ("room_id", "id")} == {"room_id": team_room.id, "id": message_id}
    assert 'class="message deleted"' in gone["html"] and "versi akhir" not in gone["html"]


# -- nobody let in ------------------------------------------------------------------------

@pytest.mark.parametrize("who", [("a", "teacher2"), ("b", "teacher"), ("b", "principal")])
def test_non_members_are_refused_on_every_event_and_nothing_is_broadcast(world, team_room,
                                                                         connect, who):
    member = connect(world["a"]["mentor"])
    _joined(member, team_room)
    stranger = connect(world[who[0]][who[1]])

    for event, payload in [
        ("room:join", {}),
        ("message:send", {"client_id": "x1", "body": "masuk?"}),
        ("typing", {}),
        ("message:earlier", {"before_id": 10}),
    ]:
        ack = stranger.ask(event, {"room_id": team_room.id, **payload})
        assert ack["ok"] is False and ack["error"] == "not_found", (event, ack)
    assert member.received() == []
    assert _stored(team_room) == 0


def test_anonymous_sockets_are_refused(app, client):
    assert not Socket(app, client).connected


def test_after_logout_over_http_the_next_event_is_refused_and_the_socket_dropped(
        app, world, team_room, client_for):
    http = client_for(world["a"]["teacher"])
    socket = Socket(app, http)
    _joined(socket, team_room)

    http.post("/auth/logout", data={"csrf_token": csrf_token(http.get("/").text)})

    assert not socket.connected  # disconnected by the logout itself
    assert _stored(team_room) == 0


def test_a_socket_left_over_from_an_ended_session_is_refused_at_its_next_event(
        app, world, team_room, client_for):
    teacher = world["a"]["teacher"]
    kept, other = client_for(teacher), client_for(teacher)
    socket = Socket(app, kept)
    _joined(socket, team_room)
    # End the sessions without the commit hook (as another process would).
    db.session.execute(db.update(type(teacher)).where(type(teacher).id == teacher.id)
                       .values(session_version=teacher.session_version + 1))
    db.session.commit()

    ack = _send(socket, team_room, "late")
    assert ack == {"ok": False, "error": "signed_out", "message": ack["message"]}
    assert ack["message"] and not socket.connected
    assert _stored(team_room) == 0
    assert other  # the other browser was signed out too; it is not used further


def test_a_password_change_disconnects_the_users_sockets(app, world, team_room, client_for):
    http = client_for(world["a"]["teacher"])
    socket = Socket(app, http)
    _joined(socket, team_room)

    response = post_form(http, "/settings/password", {
        "current": "correct horse battery", "password": "a brand new secret",
        "confirm": "a brand new secret"})

    assert response.status_code in (200, 302)
    assert not socket.connected


def test_a_role_change_disconnects_the_members_sockets(app, world, team_room, client_for):
    socket = Socket(app, client_for(world["a"]["teacher"]))
    _joined(socket, team_room)
    principal = client_for(world["a"]["principal"])

    post_form(principal, f"/settings/school/members/{world['a']['teacher'].id}/role",
              {"role": "principal"}, page="/settings/school/")

    assert not socket.connected


# -- limits -------------------------------------------------------------------------------

def test_a_message_over_4_kb_is_refused_with_a_localised_reason(world, team_room, connect):
    teacher = connect(world["a"]["teacher"])
    _joined(teacher, team_room)

    ack = _send(teacher, team_room, "big", "é" * 2049)  # 4098 bytes in UTF-8

    assert ack["ok"] is False and ack["error"] == "body_too_long"
    assert "4096" in ack["message"]
    assert _stored(team_room) == 0


def test_errors_are_in_the_users_language(app, world, team_room, connect):
    teacher = world["a"]["teacher"]
    socket = connect(teacher)
    _joined(socket, team_room)
    teacher.language = "en"
    db.session.commit()
    english = _send(socket, team_room, "empty", "   ")["message"]
    teacher.language = "id"
    db.session.commit()
    indonesian = _send(socket, team_room, "empty", "   ")["message"]
    assert english == "Write a message."
    assert indonesian != english and indonesian


def test_a_flood_of_messages_is_rate_limited_without_breaking_the_socket(app, world,
                                                                          team_room, connect):
    app.config["SOCKET_RATE_LIMITS"] = {"message": "5 per 10 seconds"}
    teacher, mentor = connect(world["a"]["teacher"]), connect(world["a"]["mentor"])
    _joined(teacher, team_room)

    acks = [_send(teacher, team_room, f"f{i}") for i in range(8)]

    assert [a["ok"] for a in acks] == [True] * 5 + [False] * 3
    assert {a["error"] for a in acks[5:]} == {"rate_limited"}
    assert _stored(team_room) == 5
    assert teacher.connected
    assert _joined(mentor, team_room)["ok"]  # others are not limited by one user's flood
    assert _send(mentor, team_room, "other")["ok"]


def test_typing_is_broadcast_to_the_others_at_most_once_in_three_seconds(world, team_room,
                                                                          connect):
    teacher, mentor = connect(world["a"]["teacher"]), connect(world["a"]["mentor"])
    _joined(teacher, team_room)
    _joined(mentor, team_room)
    teacher.received()

    acks = [teacher.ask("typing", {"room_id": team_room.id}) for _ in range(4)]

    assert [a["sent"] for a in acks] == [True, False, False, False]
    [typing] = mentor.received("typing")
    assert typing["args"][0] == {"room_id": team_room.id,
                                 "user": {"id": world["a"]["teacher"].id, "name": "Teacher A"}}
    assert teacher.received("typing") == []


# -- payloads that are not what the event expects ------------------------------------------

BAD_PAYLOADS = [
    None, [], "room", 42, [1, 2], {}, {"room_id": None}, {"room_id": "1"}, {"room_id": True},
    {"room_id": 1.5}, {"room_id": 10**30}, {"room_id": -1}, {"room_id": 0},
    {"room_id": [1]}, {"room_id": {"id": 1}},
]


@pytest.mark.parametrize("payload", BAD_PAYLOADS)
@pytest.mark.parametrize("event", ["room:join", "room:leave", "message:send", "message:edit",
                                   "message:delete", "message:earlier", "room:read", "typing"])
def test_malformed_payloads_get_bad_request_or_not_found_never_an_exception(
        world, team_room, connect, event, payload):
    socket = connect(world["a"]["teacher"])
    ack = socket.ask(event, payload)
    assert ack["ok"] is False and ack["error"] in {"bad_request", "not_found"}, ack
    assert ack["message"]
    assert socket.connected


@pytest.mark.parametrize(("event", "fields"), [
    ("room:join", {"since_id": "7"}),
    ("room:join", {"since_id": 10**30}),
    ("message:send", {}),
    ("message:send", {"client_id": "ok-1"}),
    ("message:send", {"client_id": "ok-1", "body": ["x"]}),
    ("message:send", {"client_id": None, "body": "x"}),
    ("message:send", {"client_id": "bad id with spaces", "body": "x"}),
    ("message:send", {"client_id": "x" * 65, "body": "x"}),
    ("message:edit", {"message_id": 10**30, "body": "x"}),
    ("message:edit", {"message_id": 1, "body": None}),
    ("message:delete", {"message_id": "1"}),
    ("message:earlier", {"before_id": None}),
    ("room:read", {"message_id": 2**40}),
])
def test_wrong_fields_in_a_members_room_are_refused(world, team_room, connect, event, fields):
    socket = connect(world["a"]["teacher"])
    ack = socket.ask(event, {"room_id": team_room.id, **fields})
    assert ack["ok"] is False and ack["error"] in {"bad_request", "bad_client_id"}, ack
    assert _stored(team_room) == 0


def test_extra_arguments_and_unknown_events_do_not_break_the_socket(world, team_room,
                                                                    connect):
    socket = connect(world["a"]["teacher"])
    ack = socket.ask("room:join", {"room_id": team_room.id}, "extra", 3)
    assert ack["ok"]
    assert socket.ask("no:such:event", {"room_id": team_room.id}) is None
    assert _send(socket, team_room, "still-1")["ok"]


# -- the board ----------------------------------------------------------------------------

def _note(socket, room, client_id, text="Siswa bertanya", column="wonderings"):
    return socket.ask("note:add", {"room_id": room.id, "client_id": client_id,
                                   "column": column, "text": text})


@pytest.mark.dialect
def test_a_note_added_twice_is_stored_and_broadcast_once(world, team_room, connect):
    teacher, mentor = connect(world["a"]["teacher"]), connect(world["a"]["mentor"])
    _joined(teacher, team_room)
    _joined(mentor, team_room)

    first, again = _note(teacher, team_room, "n-1"), _note(teacher, team_room, "n-1")

    assert first["ok"] and again["ok"] and again["note"]["id"] == first["note"]["id"]
    [changed] = mentor.received("note:changed")
    assert changed["args"][0]["note"]["text"] == "Siswa bertanya"
    assert changed["args"][0]["order"] == {"wonderings": [first["note"]["id"]]}
    joined = _joined(connect(world["a"]["mentor"]), team_room)
    assert [n["id"] for n in joined["board"]["wonderings"]] == [first["note"]["id"]]


@pytest.mark.dialect
def test_a_stale_note_update_is_refused_with_the_current_note(world, team_room, connect):
    teacher, mentor = connect(world["a"]["teacher"]), connect(world["a"]["mentor"])
    _joined(teacher, team_room)
    _joined(mentor, team_room)
    note = _note(teacher, team_room, "n-2")["note"]
    mentor.received()
    teacher.received()

    moved = mentor.ask("note:update", {"room_id": team_room.id, "note_id": note["id"],
                                       "version": note["version"], "column": "next_steps",
                                       "position": 0, "text": "Coba kerja kelompok"})
    stale = teacher.ask("note:update", {"room_id": team_room.id, "note_id": note["id"],
                                        "version": note["version"], "text": "versi lama"})

    assert moved["ok"] and moved["note"]["version"] > note["version"]
    assert stale["ok"] is False and stale["error"] == "stale" and stale["message"]
    assert stale["note"]["text"] == "Coba kerja kelompok"
    assert stale["note"]["column"] == "next_steps"
    [changed] = teacher.received("note:changed")
    assert changed["args"][0]["order"] == {"wonderings": [], "next_steps": [note["id"]]}

    current = stale["note"]
    assert teacher.ask("note:delete", {"room_id": team_room.id, "note_id": current["id"],
                                       "version": current["version"]})["ok"]
    [deleted] = mentor.received("note:deleted")
    assert deleted["args"][0] == {"room_id": team_room.id, "id": note["id"]}


@pytest.mark.parametrize("fields", [
    {"note_id": 1, "version": 1},  # nothing to change
    {"note_id": "1", "version": 1, "text": "x"},
    {"note_id": 10**30, "version": 1, "text": "x"},
    {"note_id": 1, "version": None, "text": "x"},
    {"note_id": 1, "version": 1, "position": -1},
    {"note_id": 1, "version": 1, "column": 3},
])
def test_malformed_note_updates_are_refused(world, team_room, connect, fields):
    socket = connect(world["a"]["teacher"])
    note = _note(socket, team_room, "n-3")["note"]
    ack = socket.ask("note:update", {"room_id": team_room.id, **fields})
    assert ack["ok"] is False and ack["error"] in {"bad_request", "not_found"}, ack
    assert db.session.get(BoardNote, note["id"]).version == note["version"]


def test_board_refusals_are_explained(world, team_room, connect):
    socket = connect(world["a"]["teacher"])
    bad_column = _note(socket, team_room, "n-4", column="kitchen")
    empty = _note(socket, team_room, "n-5", text="  ")
    evidence = socket.ask("evidence:add", {"room_id": team_room.id, "client_id": "e-1",
                                           "source_note_id": 1, "interpretation": "",
                                           "question": ""})
    for ack, code in ((bad_column, "bad_column"), (empty, "text_required"),
                      (evidence, "not_a_debrief")):
        assert ack["ok"] is False and ack["error"] == code and ack["message"], ack


# -- the facilitated protocol -------------------------------------------------------------

def test_only_the_facilitator_moves_the_protocol_and_everyone_sees_the_phase(world,
                                                                               team_room,
                                                                               connect):
    facilitator, mentor = connect(world["a"]["teacher"]), connect(world["a"]["mentor"])
    _joined(facilitator, team_room)
    _joined(mentor, team_room)

    refused = mentor.ask("phase:set", {"room_id": team_room.id, "action": "start",
                                       "protocol": "tuning"})
    assert refused["ok"] is False and refused["error"] == "not_facilitator"
    assert facilitator.received("phase") == []

    started = facilitator.ask("phase:set", {"room_id": team_room.id, "action": "start",
                                            "protocol": "tuning"})
    assert started["ok"] and started["phase"]["index"] == 0 and started["phase"]["ends_at"]
    [phase] = mentor.received("phase")
    assert phase["args"][0]["phase"]["protocol"] == "tuning"
    facilitator.received()

    assert mentor.ask("hand:raise", {"room_id": team_room.id})["ok"]
    [hands] = facilitator.received("hands")
    assert [h["id"] for h in hands["args"][0]["hands"]] == [world["a"]["mentor"].id]

    floor = facilitator.ask("phase:set", {"room_id": team_room.id, "action": "floor",
                                          "user_id": world["a"]["mentor"].id})
    assert floor["ok"] and floor["phase"]["floor"]["id"] == world["a"]["mentor"].id
    mentor.received()
    assert facilitator.ask("phase:set", {"room_id": team_room.id, "action": "next"})["ok"]
    assert facilitator.ask("phase:set", {"room_id": team_room.id, "action": "set",
                                         "index": 0})["ok"]
    finished = facilitator.ask("phase:set", {"room_id": team_room.id, "action": "finish"})
    assert finished["ok"] and finished["phase"]["finished"] is True
    assert mentor.received("phase")[-1]["args"][0]["phase"]["finished"] is True


@pytest.mark.parametrize("fields", [
    {"action": None}, {"action": "dance"}, {"action": "set", "index": "1"},
    {"action": "set", "index": 99}, {"action": "start", "protocol": 7},
    {"action": "floor", "user_id": "me"},
])
def test_malformed_phase_changes_are_refused(world, team_room, connect, fields):
    socket = connect(world["a"]["teacher"])
    ack = socket.ask("phase:set", {"room_id": team_room.id, **fields})
    assert ack["ok"] is False and ack["error"] in {"bad_request", "bad_phase", "no_protocol"}


def test_hands_go_down_by_their_owner_or_the_facilitator_only(world, team_room, connect):
    facilitator, mentor = connect(world["a"]["teacher"]), connect(world["a"]["mentor"])
    assert mentor.ask("hand:raise", {"room_id": team_room.id})["ok"]
    refused = mentor.ask("hand:lower", {"room_id": team_room.id,
                                        "user_id": world["a"]["teacher"].id})
    assert refused["ok"] is False and refused["error"] == "not_facilitator"
    lowered = facilitator.ask("hand:lower", {"room_id": team_room.id,
                                             "user_id": world["a"]["mentor"].id})
    assert lowered == {"ok": True, "hands": []}


def test_the_phase_reaches_each_colleague_in_their_own_language(world, team_room, connect,
                                                                 client_for):
    """Issue 15: the phase names arrived in the language of whoever pressed the button. The
    broadcast now carries keys; each page shows them in its reader's words."""
    import json

    from bs4 import BeautifulSoup
    from flask_babel import force_locale

    from collab.rooms.service_protocols import PROTOCOLS, SPEAKERS

    teacher, mentor = world["a"]["teacher"], world["a"]["mentor"]
    teacher.language, mentor.language = "en", "id"
    db.session.commit()
    facilitator, colleague = connect(teacher), connect(mentor)
    _joined(facilitator, team_room)
    _joined(colleague, team_room)
    first = PROTOCOLS["lesson_study"].phases[0]
    words = {}
    for lang in ("en", "id"):
        with force_locale(lang):
            words[lang] = (str(first.label), str(SPEAKERS[first.speaker]),
                           str(PROTOCOLS["lesson_study"].name))
    assert words["en"][0] != words["id"][0]

    assert facilitator.ask("phase:set", {"room_id": team_room.id, "action": "start",
                                         "protocol": "lesson_study"})["ok"]
    [phase] = colleague.received("phase")
    sent = json.dumps(phase["args"][0], ensure_ascii=False)
    assert not any(word in sent for lang in words for word in words[lang]), sent
    assert phase["args"][0]["phase"]["phases"][0] == {
        "key": first.key, "minutes": first.minutes, "speaker": first.speaker}

    for user, lang in ((teacher, "en"), (mentor, "id")):
        page = BeautifulSoup(client_for(user).get(f"/rooms/{team_room.id}").text,
                             "html.parser")
        panel = page.select_one("#protocol")
        assert words[lang][0] in panel.select_one("#protocol-phase").get_text()
        assert words[lang][1] in panel.select_one("#protocol-phase").get_text()
        assert panel.select_one("#protocol-name").get_text() == words[lang][2]
        catalogue = json.loads(panel["data-words"])
        assert catalogue["protocols"]["lesson_study"]["phases"][first.key] == words[lang][0]
