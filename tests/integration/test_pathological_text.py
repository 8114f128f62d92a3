"""A text that Python-Markdown cannot render (it raises, or takes minutes) breaks no page:
stored as a plan body, a comment or a chat message, every page and event that shows it
answers, with the text shown escaped (issue 14, item 1). Also: pages show the HTML stored with
the revision, comment or message instead of rendering per view; rows written before that
are rendered on read."""

import io
import zipfile

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import update

from collab.core import rendering
from collab.extensions import db
from collab.plans import service as plans
from collab.plans import service_comments as plan_comments
from collab.plans.models import PlanComment, PlanRevision
from collab.rooms import service as rooms
from collab.rooms.models import RoomMessage
from tests.conftest import csrf_token
from tests.integration.test_rooms_socket import Socket, _joined, _send

# The probe's shape (about 1 KB of "- - - …", a list in a list… on one line), and others:
# quotes and lists nested deep, emphasis runs, and texts whose conversion grows with the
# square of their length.
SHAPES = {
    "dashes": "- " * 500 + "x",
    "quotes": ">" * 3000 + " x",
    "nested_lists": "".join("    " * i + "- x\n" for i in range(300)),
    "numbered": "1. " * 1000,
    "emphasis": "*" * 4000 + "x" + "_" * 4000,
    "cdata": "<![CDATA[" * 500,
}
MARK = "Z9Q"  # a word to find the text by on the page


def _text(shape: str) -> str:
    # The mark after the shape: before it, it would turn the shape into a harmless paragraph.
    return f"{SHAPES[shape]}\n\n{MARK}"


def _escaped_on(html: str) -> bool:
    """The pathological text is on the page, as text."""
    return MARK in BeautifulSoup(html, "html.parser").get_text()


@pytest.fixture
def team_room(world):
    room = rooms.room_for_team(world["a"]["team"], world["a"]["teacher"])
    db.session.commit()
    return room


@pytest.fixture
def connect(app, client_for):
    return lambda user: Socket(app, client_for(user))


@pytest.fixture
def plan_of(world):
    def make(body: str):
        plan = plans.create(world["a"]["teacher"], plans.PlanFields(
            title="Rencana", body=body, visibility="school"))
        db.session.commit()
        return plan
    return make


@pytest.mark.parametrize("shape", SHAPES)
def test_a_plan_body_of_any_shape_leaves_every_plan_page_working(shape, world, client_for,
                                                                 plan_of):
    plan = plan_of(_text(shape))
    colleague = client_for(world["a"]["teacher2"])
    for url in (f"/plans/{plan.id}", f"/plans/{plan.id}/print",
                f"/plans/{plan.id}/revisions/1", f"/plans/{plan.id}/history"):
        response = colleague.get(url)
        assert response.status_code == 200, url
        if "history" not in url:
            assert _escaped_on(response.text), url
    docx = colleague.get(f"/plans/{plan.id}/export.docx")
    assert docx.status_code == 200
    with zipfile.ZipFile(io.BytesIO(docx.data)) as archive:
        assert MARK in archive.read("word/document.xml").decode()
    owner = client_for(world["a"]["teacher"])
    token = csrf_token(owner.get(f"/plans/{plan.id}/edit").text)
    preview = owner.post("/plans/preview", data={"body": _text(shape), "csrf_token": token})
    assert preview.status_code == 200 and _escaped_on(preview.text)


def test_a_one_megabyte_text_is_refused_or_shown_never_a_500(world, client_for, plan_of):
    owner = client_for(world["a"]["teacher"])
    plan = plan_of("# Rencana")
    token = csrf_token(owner.get(f"/plans/{plan.id}/edit").text)
    huge = MARK + " " + "a " * 500_000
    assert owner.post("/plans/preview", data={"body": huge, "csrf_token": token}
                      ).status_code == 413
    saved = owner.post(f"/plans/{plan.id}/edit", data={
        "csrf_token": token, "title": "Rencana", "body": huge, "visibility": "school",
        "base_revision": "1"})
    assert saved.status_code == 400  # "The plan is too long", the text kept
    assert rendering.render_markdown(huge).count(MARK) == 1  # and the renderer copes


@pytest.mark.parametrize("shape", SHAPES)
def test_a_comment_of_any_shape_leaves_the_plan_page_working(shape, world, client_for,
                                                             plan_of):
    plan = plan_of("## Tujuan\n\nMenjumlahkan pecahan.")
    colleague = client_for(world["a"]["teacher2"])
    text = _text(shape)[-plan_comments.MAX_COMMENT:]
    token = csrf_token(colleague.get(f"/plans/{plan.id}").text)
    answer = colleague.post(f"/plans/{plan.id}/comments", data={"body": text,
                                                                 "csrf_token": token})
    assert answer.status_code == 302
    for viewer in ("teacher", "principal", "teacher2"):
        page = client_for(world["a"][viewer]).get(f"/plans/{plan.id}")
        assert page.status_code == 200
        assert _escaped_on(page.text)


@pytest.mark.parametrize("shape", ["dashes", "quotes", "numbered", "cdata"])
def test_a_chat_message_of_any_shape_leaves_the_room_working(shape, world, connect,
                                                             team_room, client_for):
    teacher, mentor = world["a"]["teacher"], world["a"]["mentor"]
    sender = connect(teacher)
    _joined(sender, team_room)
    text = _text(shape)[-rooms.MAX_BODY_BYTES:]
    ack = _send(sender, team_room, f"shape-{shape}", text)
    assert ack["ok"], ack
    reader = connect(mentor)
    joined = _joined(reader, team_room)
    assert MARK in joined["history"][-1]["body_html"]
    page = client_for(mentor).get(f"/rooms/{team_room.id}")
    assert page.status_code == 200 and _escaped_on(page.text)


def test_pages_show_the_stored_html_and_do_not_render_per_view(world, client_for, plan_of,
                                                               monkeypatch):
    plan = plan_of("## Tujuan\n\nMenjumlahkan **pecahan**.")
    plan_comments.add(plan, world["a"]["teacher2"], "Bagus *sekali*")
    db.session.commit()
    calls = []
    real = rendering._convert
    monkeypatch.setattr(rendering, "_convert", lambda *a: calls.append(a) or real(*a))
    page = client_for(world["a"]["teacher"]).get(f"/plans/{plan.id}")
    assert "<strong>pecahan</strong>" in page.text and "<em>sekali</em>" in page.text
    assert 'id="tujuan"' in page.text and 'value="tujuan"' in page.text  # the sections
    assert calls == []


def test_rows_written_before_html_was_stored_are_rendered_on_read(world, client_for, plan_of,
                                                                  connect, team_room):
    plan = plan_of("## Tujuan\n\n" + SHAPES["nested_lists"])
    plan_comments.add(plan, world["a"]["teacher2"], "Bagus *sekali*")
    rooms.post_message(team_room, world["a"]["teacher"], "old-1", "Halo **semua**")
    db.session.commit()
    for model in (PlanRevision, PlanComment, RoomMessage):
        db.session.execute(update(model).values(html=None))
    db.session.commit()
    page = client_for(world["a"]["teacher"]).get(f"/plans/{plan.id}")
    assert page.status_code == 200 and "<em>sekali</em>" in page.text
    assert "<strong>semua</strong>" in client_for(world["a"]["teacher"]).get(
        f"/rooms/{team_room.id}").text
    reader = connect(world["a"]["mentor"])
    assert "<strong>semua</strong>" in _joined(reader, team_room)["history"][-1]["body_html"]
