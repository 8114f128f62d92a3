"""One renderer for a room's items: the `html` of a broadcast is the list item the page renders
for the same message or note (templates/rooms/_items.html), the same for every reader, and a
message's body in it went through the one Markdown sanitiser."""

import pytest
from bs4 import BeautifulSoup

from collab.extensions import db
from collab.rooms import service as rooms
from tests.integration.test_rooms_socket import Socket, _joined, _send

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="#" onclick="alert(1)">klik</a>',
    "<svg onload=alert(1)><circle/></svg>",
    '<iframe src="javascript:alert(1)"></iframe>',
    "[klik](javascript:alert(1))",
    '![x](x" onerror="alert(1))',
    '"><script>alert(1)</script>',
    "<div style=\"background:url(javascript:alert(1))\" onmouseover=alert(1)>x</div>",
    "`<script>` dan <b onmouseover=alert(1)>tebal</b>",
    "<body onload=alert(1)>",
    "<form action=javascript:alert(1)><button>x</button></form>",
]


@pytest.fixture
def team_room(world):
    room = rooms.room_for_team(world["a"]["team"], world["a"]["teacher"])
    db.session.commit()
    return room


@pytest.fixture
def connect(app, client_for):
    return lambda user: Socket(app, client_for(user))


def _item(html: str, element_id: str):
    return BeautifulSoup(html, "html.parser").find(id=element_id)


def _page_item(client, room, element_id: str):
    page = client.get(f"/rooms/{room.id}")
    assert page.status_code == 200
    return _item(page.text, element_id)


def test_the_broadcast_html_is_the_item_the_page_renders(world, team_room, connect,
                                                          client_for):
    a = world["a"]
    teacher, mentor = connect(a["teacher"]), connect(a["mentor"])
    _joined(teacher, team_room)
    _joined(mentor, team_room)
    teacher.received()

    ack = _send(teacher, team_room, "same-1", "Siswa **berdiskusi** dengan [video](https://example.org)")
    [new] = mentor.received("message:new")
    payload = new["args"][0]
    # The fields clients already use are all still there, with the item beside them.
    assert {"id", "client_id", "room_id", "author", "body_html", "created_at", "edited_at",
            "deleted", "html"} <= payload.keys()
    sent = _item(payload["html"], f"m{ack['id']}")
    assert sent is not None and "mine" not in sent["class"] and not sent.select(".message-actions")

    # A colleague's page renders exactly that item.
    assert str(_page_item(client_for(a["mentor"]), team_room, f"m{ack['id']}")) == str(sent)
    # The author's page: the same, with what is theirs alone (mine, edit and delete).
    own = _page_item(client_for(a["teacher"]), team_room, f"m{ack['id']}")
    assert "mine" in own["class"] and own.select_one(".message-actions form[action$='/edit']")
    own["class"].remove("mine")
    own.select_one(".message-actions").decompose()
    assert str(own) == str(sent)
    # Every reader got the same html: it carries no CSRF token and no one's controls.
    [echo] = teacher.received("message:new")
    assert echo["args"][0]["html"] == payload["html"]
    assert "csrf" not in payload["html"]

    # An edit and a delete broadcast the item as the page renders it then.
    teacher.ask("message:edit", {"room_id": team_room.id, "message_id": ack["id"],
                                 "body": "Versi _kedua_"})
    [updated] = mentor.received("message:updated")
    edited = _item(updated["args"][0]["html"], f"m{ack['id']}")
    assert edited.select_one("[data-label=edited]") and edited.em.text == "kedua"
    assert str(_page_item(client_for(a["mentor"]), team_room, f"m{ack['id']}")) == str(edited)
    teacher.ask("message:delete", {"room_id": team_room.id, "message_id": ack["id"]})
    [deleted] = mentor.received("message:deleted")
    gone = _item(deleted["args"][0]["html"], f"m{ack['id']}")
    assert "deleted" in gone["class"] and "kedua" not in gone.text
    assert str(_page_item(client_for(a["mentor"]), team_room, f"m{ack['id']}")) == str(gone)


def test_a_note_s_broadcast_html_is_the_card_the_page_renders(world, team_room, connect,
                                                             client_for):
    a = world["a"]
    teacher, mentor = connect(a["teacher"]), connect(a["mentor"])
    _joined(teacher, team_room)
    _joined(mentor, team_room)
    teacher.received()

    ack = teacher.ask("note:add", {"room_id": team_room.id, "client_id": "n-1",
                                   "column": "wonderings", "text": "<b onclick=x>Mengapa?</b>"})
    assert ack["ok"] and ack["note"]["html"]
    [changed] = mentor.received("note:changed")
    payload = changed["args"][0]
    assert {"room_id", "note", "order", "html"} <= payload.keys()
    assert payload["html"] == payload["note"]["html"] == ack["note"]["html"]
    card = _item(payload["html"], f"note-{ack['note']['id']}")
    assert card.p.text == "<b onclick=x>Mengapa?</b>" and card.find("b") is None
    assert str(_page_item(client_for(a["mentor"]), team_room, card["id"])) == str(card)
    # The board of a join carries the same card.
    board = mentor.ask("room:join", {"room_id": team_room.id})["board"]
    assert [n["html"] for n in board["wonderings"]] == [payload["html"]]


def _dangerous(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    found = [tag.name for tag in soup.find_all(["script", "iframe", "object", "embed", "svg",
                                                "form", "style", "body"])]
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            text = " ".join(value) if isinstance(value, list) else str(value)
            if name.lower().startswith("on") or name.lower() == "style":
                found.append(f"{tag.name}[{name}]")
            if name.lower() in ("href", "src", "action", "formaction") and \
                    text.strip().lower().startswith(("javascript:", "data:", "vbscript:")):
                found.append(f"{tag.name}[{name}={text}]")
    return found


@pytest.mark.parametrize("body", XSS)
def test_no_script_or_handler_reaches_a_message_s_html(world, team_room, connect, body):
    a = world["a"]
    teacher, mentor = connect(a["teacher"]), connect(a["mentor"])
    _joined(teacher, team_room)
    _joined(mentor, team_room)
    teacher.received()

    assert _send(teacher, team_room, "xss", body)["ok"]
    [new] = mentor.received("message:new")
    html = new["args"][0]["html"]
    assert _dangerous(html) == [], html
    # The item around the body is the macro's alone: one list item, its meta and its body.
    item = BeautifulSoup(html, "html.parser")
    assert [li.name for li in item.find_all("li", recursive=False)] == ["li"]
    db.session.rollback()
