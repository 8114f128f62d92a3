"""Comments on a plan: threads one reply deep, on a section or the whole plan; the authors, the
person replied to and mentioned colleagues are told, never the commenter and never someone who
cannot read the plan; bad input comes back with the text kept; resolve and reopen belong to the
editors and the comment's author; comment text is rendered inert; the page's queries do not
grow with the number of comments."""

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import delete, select

from collab.core.notify import Notification
from collab.core.rendering import headings
from collab.extensions import db
from collab.plans import service as plans
from collab.plans import service_comments as plan_comments
from collab.plans.models import PlanComment
from tests.conftest import post_form

BODY = """## Tujuan pembelajaran
1. Siswa dapat menjumlahkan pecahan.

## Kegiatan pembelajaran
### Kegiatan inti
Kerja kelompok dengan kertas lipat.
"""


def make_plan(owner, visibility="school", coauthors=(), team=None, title="Pecahan senilai"):
    plan = plans.create(owner, plans.PlanFields(title=title, body=BODY, visibility=visibility,
                                                team_id=team.id if team else None))
    if coauthors:
        plans.set_coauthors(plan, {u.id for u in coauthors}, owner)
    db.session.commit()
    return plan


def comment(client, plan, page_plan=None, **data):
    """Post a comment form on the plan, with the CSRF token read from the plan page."""
    return post_form(client, f"/plans/{plan.id}/comments", data,
                     page=f"/plans/{(page_plan or plan).id}")


def add(plan, author, body="Bagus!", **kwargs) -> PlanComment:
    made = plan_comments.add(plan, author, body, **kwargs)
    db.session.commit()
    return made


def notes(user, kind=None) -> list[Notification]:
    query = select(Notification).where(Notification.recipient_id == user.id)
    if kind is not None:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query))


def kinds(user) -> list[str]:
    return sorted(n.kind for n in notes(user))


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


@pytest.fixture
def school_a(world):
    return world["a"]


@pytest.fixture
def shared_plan(school_a):
    """School A's teacher's plan, shared with the school, the mentor a co-author."""
    return make_plan(school_a["teacher"], coauthors=[school_a["mentor"]])


# ---------------------------------------------------------------- adding and notifying


def test_a_comment_notifies_the_owner_and_the_coauthors_but_not_the_commenter(
        school_a, shared_plan, client_for):
    response = comment(client_for(school_a["teacher2"]), shared_plan,
                       body="Apakah kertas lipatnya cukup?")

    stored = db.session.scalar(select(PlanComment).where(PlanComment.plan_id == shared_plan.id))
    assert response.status_code == 302
    assert response.location.endswith(f"/plans/{shared_plan.id}#comment-{stored.id}")
    assert stored.author_id == school_a["teacher2"].id
    assert kinds(school_a["teacher"]) == kinds(school_a["mentor"]) == ["plan.commented"]
    assert notes(school_a["teacher"])[0].link == f"/plans/{shared_plan.id}#comment-{stored.id}"
    assert notes(school_a["teacher"])[0].params == {
        "name": "Second A", "title": "Pecahan senilai",
        "_target": {"endpoint": "plans.view", "values": {"plan_id": shared_plan.id},
                    "anchor": f"comment-{stored.id}"}}
    assert kinds(school_a["teacher2"]) == []


def test_a_coauthors_comment_notifies_the_owner_only(school_a, shared_plan, client_for):
    response = comment(client_for(school_a["mentor"]), shared_plan, body="Saya tambahkan LKPD.")

    assert response.status_code == 302
    assert kinds(school_a["teacher"]) == ["plan.commented"]
    assert kinds(school_a["mentor"]) == []


def test_the_comment_shows_on_the_plan_page_with_its_section(school_a, shared_plan,
                                                              client_for):
    c = client_for(school_a["teacher2"])
    comment(c, shared_plan, body="Waktunya cukup?", section="kegiatan-pembelajaran")

    page = soup(c.get(f"/plans/{shared_plan.id}"))
    item = page.select_one("article.comment")
    assert "Waktunya cukup?" in item.get_text()
    assert "Second A" in item.get_text()
    assert item.select_one('a[href="#kegiatan-pembelajaran"]') is not None
    assert page.select_one("#kegiatan-pembelajaran") is not None  # the link has a target


def test_a_section_with_a_very_long_heading_is_linked(school_a, client_for):
    long_title = "Langkah kegiatan " * 12
    plan = plans.create(school_a["teacher"], plans.PlanFields(
        title="Judul panjang", body=f"## {long_title}\nIsi.\n", visibility="school"))
    db.session.commit()
    anchor = headings(plan.body)[0][0]
    assert len(anchor) > 120
    c = client_for(school_a["teacher2"])

    assert comment(c, plan, body="Tentang ini", section=anchor).status_code == 302

    item = soup(c.get(f"/plans/{plan.id}")).select_one("article.comment")
    assert item.select_one(f'a[href="#{anchor}"]') is not None


@pytest.mark.smoke
def test_a_reply_notifies_the_author_of_the_comment_replied_to(school_a, shared_plan,
                                                                client_for):
    question = add(shared_plan, school_a["teacher2"], "Berapa kelompok?")
    db.session.execute(delete(Notification))
    db.session.commit()

    response = comment(client_for(school_a["principal"]), shared_plan,
                       body="Enam kelompok.", parent_id=str(question.id))

    reply = db.session.scalar(select(PlanComment).where(PlanComment.parent_id == question.id))
    assert response.status_code == 302
    assert reply.body == "Enam kelompok."
    assert kinds(school_a["teacher2"]) == ["plan.comment_replied"]
    assert kinds(school_a["teacher"]) == kinds(school_a["mentor"]) == ["plan.commented"]
    assert kinds(school_a["principal"]) == []


def test_replies_are_shown_under_their_thread_oldest_first(school_a, shared_plan, client_for):
    question = add(shared_plan, school_a["teacher2"], "Pertanyaan pertama")
    add(shared_plan, school_a["teacher"], "Jawaban satu", parent_id=question.id)
    add(shared_plan, school_a["mentor"], "Jawaban dua", parent_id=question.id)
    add(shared_plan, school_a["principal"], "Pertanyaan kedua")

    page = soup(client_for(school_a["teacher2"]).get(f"/plans/{shared_plan.id}"))

    threads = page.select("ol.threads > li")
    assert len(threads) == 2
    assert [a.select_one(".comment-body").get_text(strip=True)
            for a in threads[0].select("ol.replies article")] == ["Jawaban satu", "Jawaban dua"]
    assert "Pertanyaan kedua" in threads[1].get_text()


def test_a_mention_notifies_a_colleague_who_can_read_the_plan(school_a, shared_plan,
                                                             client_for, make):
    by_email = make.user(school_a["school"], name="Rina Wulandari", email="rina.w@test.sch.id")

    comment(client_for(school_a["mentor"]), shared_plan,
            body="@Second A, coba lihat ini. Juga @rina.w.")

    assert kinds(school_a["teacher2"]) == ["plan.mentioned"]
    assert kinds(by_email) == ["plan.mentioned"]
    assert kinds(school_a["teacher"]) == ["plan.commented"]
    assert kinds(school_a["principal"]) == []


def test_a_mentioned_author_hears_once(school_a, shared_plan, client_for):
    comment(client_for(school_a["teacher2"]), shared_plan, body="@Teacher A lihat bagian ini")

    assert kinds(school_a["teacher"]) == ["plan.mentioned"]


def test_a_mention_does_not_reach_who_cannot_read_the_plan(school_a, world, client_for):
    private = make_plan(school_a["teacher"], visibility="private",
                        coauthors=[school_a["mentor"]])

    response = comment(client_for(school_a["mentor"]), private,
                       body="@Second A @Head A @Second B tolong dibaca")

    assert response.status_code == 302
    assert kinds(school_a["teacher2"]) == []
    assert kinds(school_a["principal"]) == []
    assert kinds(world["b"]["teacher2"]) == []
    assert kinds(school_a["teacher"]) == ["plan.commented"]


def test_a_mention_does_not_reach_another_schools_user(school_a, world, shared_plan,
                                                       client_for, make):
    namesake = make.user(world["b"]["school"], name="Rina Wulandari", email="rina@test2.sch.id")

    comment(client_for(school_a["teacher2"]), shared_plan,
            body="@Second B dan @Rina Wulandari dan @rina, lihat")

    assert kinds(world["b"]["teacher2"]) == []
    assert kinds(namesake) == []


def test_a_team_plan_mention_reaches_team_members_only(school_a, client_for):
    team_plan = make_plan(school_a["teacher"], visibility="team", team=school_a["team"])

    comment(client_for(school_a["mentor"]), team_plan, body="@Teacher A @Second A")

    assert kinds(school_a["teacher"]) == ["plan.mentioned"]
    assert kinds(school_a["teacher2"]) == []


@pytest.mark.parametrize(("text", "found"), [
    ("@Second A.", True),
    ("halo @second a!", True),
    ("email second@x.id", False),
    ("@Second Ax", False),
    ("Second A", False),
])
def test_mentions_are_read_at_word_boundaries(school_a, text, found):
    names = [u.name for u in plan_comments.mentioned(school_a["school"].id, text)]
    assert (names == ["Second A"]) is found


def test_the_longest_name_wins(school_a, make):
    make.user(school_a["school"], name="Second")
    names = [u.name for u in plan_comments.mentioned(school_a["school"].id, "@Second A ok")]
    assert names == ["Second A"]


def test_commenting_is_recorded_as_activity(school_a, shared_plan):
    from collab.core.activity import ActivityEvent

    add(shared_plan, school_a["teacher2"])

    verbs = db.session.scalars(select(ActivityEvent.verb).where(
        ActivityEvent.actor_id == school_a["teacher2"].id)).all()
    assert "plan.commented" in verbs


# ---------------------------------------------------------------- who may comment


def test_another_schools_user_cannot_comment_or_see_the_plan(world, shared_plan, client_for):
    c = client_for(world["b"]["teacher"])
    own_plan = make_plan(world["b"]["teacher"], title="Rencana B")

    response = comment(c, shared_plan, page_plan=own_plan, body="Halo")

    assert response.status_code == 404
    assert db.session.scalar(select(PlanComment.id)) is None


def test_a_teacher_outside_the_team_cannot_comment_on_a_team_plan(school_a, client_for):
    team_plan = make_plan(school_a["teacher"], visibility="team", team=school_a["team"])
    readable = make_plan(school_a["teacher"], title="Untuk semua")

    response = comment(client_for(school_a["teacher2"]), team_plan, page_plan=readable,
                       body="Halo")

    assert response.status_code == 404


# ---------------------------------------------------------------- bad input


def other_plans_comment(school_a):
    other = make_plan(school_a["teacher"], title="Rencana lain")
    return add(other, school_a["mentor"], "Di rencana lain")


@pytest.mark.parametrize(("data", "message"), [
    ({"body": "   "}, "Write a comment."),
    ({"body": "x" * 6000}, "at most 5000 characters"),
    ({"body": "Tentang bagian ini", "section": "tidak-ada"}, "Choose one of the plan"),
    ({"body": "Balasan nyasar", "parent_id": "OTHER"}, "only reply to a comment on this plan"),
    ({"body": "Balasan nyasar", "parent_id": "abc"}, "only reply to a comment on this plan"),
    ({"body": "Balasan nyasar", "parent_id": "²"}, "only reply to a comment on this plan"),
    ({"body": "Balasan nyasar", "parent_id": "9" * 30}, "only reply to a comment on this plan"),
])
def test_bad_input_comes_back_with_the_message_and_the_text_kept(school_a, shared_plan,
                                                                 client_for, data, message):
    if data.get("parent_id") == "OTHER":
        data = {**data, "parent_id": str(other_plans_comment(school_a).id)}
    before = db.session.scalars(select(PlanComment.id)).all()
    told = kinds(school_a["teacher"])
    c = client_for(school_a["teacher2"])
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"

    response = comment(c, shared_plan, **data)

    assert response.status_code == 400
    page = soup(response)
    form = page.select_one("form#new-comment")
    assert message in form.get_text()
    assert form.select_one("textarea#comment-body").get_text() == data["body"]
    assert page.select_one("h1").get_text(strip=True) == shared_plan.title
    assert db.session.scalars(select(PlanComment.id)).all() == before
    assert kinds(school_a["teacher"]) == told


def test_a_reply_to_a_reply_is_refused(school_a, shared_plan, client_for):
    question = add(shared_plan, school_a["teacher2"], "Pertanyaan")
    answer = add(shared_plan, school_a["teacher"], "Jawaban", parent_id=question.id)

    response = comment(client_for(school_a["mentor"]), shared_plan, body="Terlalu dalam",
                       parent_id=str(answer.id))

    assert response.status_code == 400
    assert db.session.scalar(select(PlanComment).where(PlanComment.parent_id == answer.id)) is None


def test_a_refused_reply_keeps_its_text_in_its_own_thread(school_a, shared_plan, client_for):
    question = add(shared_plan, school_a["teacher2"], "Pertanyaan")
    c = client_for(school_a["mentor"])
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"

    response = comment(c, shared_plan, body="y" * 5001, parent_id=str(question.id))

    assert response.status_code == 400
    page = soup(response)
    box = page.select_one(f"textarea#reply-{question.id}")
    assert box.get_text() == "y" * 5001
    assert box.find_parent("details").has_attr("open")
    assert "at most 5000 characters" in box.find_parent("form").get_text()
    assert page.select_one("textarea#comment-body").get_text() == ""


def test_an_unknown_section_on_a_plan_without_headings_is_shown(school_a, client_for):
    flat = plans.create(school_a["teacher"], plans.PlanFields(title="Tanpa judul bagian",
                                                              body="Hanya teks.",
                                                              visibility="school"))
    db.session.commit()
    c = client_for(school_a["teacher2"])
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"

    response = comment(c, flat, body="Tentang bagian", section="tujuan")

    assert response.status_code == 400
    assert soup(response).select_one("#comment-section-error") is not None


# ---------------------------------------------------------------- resolve and reopen


@pytest.fixture
def thread(school_a, shared_plan):
    """A question by the second teacher on the shared plan."""
    return add(shared_plan, school_a["teacher2"], "Perlu LKPD?")


def change(client, plan, thread, action):
    return post_form(client, f"/plans/{plan.id}/comments/{thread.id}/{action}",
                     page=f"/plans/{plan.id}")


@pytest.mark.parametrize("action", ["resolve", "reopen"])
@pytest.mark.parametrize(("who", "status"), [
    ("teacher", 302),      # the owner, an editor
    ("mentor", 302),       # a co-author, an editor
    ("teacher2", 302),     # the comment's author
    ("principal", 403),    # reads the plan, may not resolve
])
def test_who_may_resolve_and_reopen(school_a, shared_plan, thread, client_for, who, status,
                                    action):
    response = change(client_for(school_a[who]), shared_plan, thread, action)
    assert response.status_code == status


def test_another_schools_user_gets_404_for_resolve(world, shared_plan, thread, client_for):
    c = client_for(world["b"]["teacher"])
    own = make_plan(world["b"]["teacher"], title="Rencana B")
    for action in ("resolve", "reopen"):
        response = post_form(c, f"/plans/{shared_plan.id}/comments/{thread.id}/{action}",
                             page=f"/plans/{own.id}")
        assert response.status_code == 404


def test_a_comment_of_another_plan_is_not_found(school_a, shared_plan, thread, client_for):
    other = make_plan(school_a["teacher"], title="Rencana lain")
    response = change(client_for(school_a["teacher"]), other, thread, "resolve")
    assert response.status_code == 404


def test_resolving_folds_the_thread_and_reopening_opens_it(school_a, shared_plan, thread,
                                                           client_for):
    c = client_for(school_a["teacher"])
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"

    response = change(c, shared_plan, thread, "resolve")

    assert response.location.endswith(f"#comment-{thread.id}")
    db.session.refresh(thread)
    assert thread.resolved_at is not None
    assert thread.resolved_by_id == school_a["teacher"].id
    item = soup(c.get(f"/plans/{shared_plan.id}")).select_one("li.thread")
    assert item.select_one("details > summary") is not None
    assert "Resolved" in item.select_one("details > summary").get_text()
    assert "Teacher A" in item.select_one("details > summary").get_text()
    assert item.find("button", string="Reopen") is not None

    change(c, shared_plan, thread, "reopen")

    db.session.refresh(thread)
    assert thread.resolved_at is None and thread.resolved_by_id is None
    item = soup(c.get(f"/plans/{shared_plan.id}")).select_one("li.thread")
    assert "resolved" not in item["class"]
    assert item.find("button", string="Mark resolved") is not None


def test_a_reader_who_may_not_resolve_sees_no_button(school_a, shared_plan, thread,
                                                     client_for):
    c = client_for(school_a["principal"])
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = soup(c.get(f"/plans/{shared_plan.id}"))
    assert page.find("button", string="Mark resolved") is None
    assert page.select_one(f"textarea#reply-{thread.id}") is not None


# ---------------------------------------------------------------- safety and cost


XSS = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    "[x](javascript:alert(1))",
    '<a href="javascript:alert(1)" onclick="alert(1)">klik</a>',
]


@pytest.mark.parametrize("payload", XSS)
def test_comment_markup_is_rendered_inert(school_a, shared_plan, client_for, payload):
    c = client_for(school_a["teacher2"])
    assert comment(c, shared_plan, body=f"Lihat {payload}").status_code == 302

    section = soup(c.get(f"/plans/{shared_plan.id}")).select_one("section.comments")

    body = section.select_one(".comment-body")
    assert "Lihat" in body.get_text()
    assert section.find("script") is None
    for tag in section.find_all(True):
        assert not any(name.lower().startswith("on") for name in tag.attrs), tag
        assert "javascript:" not in (tag.get("href") or "").lower()
        assert "javascript:" not in (tag.get("src") or "").lower()


@pytest.mark.dialect
def test_the_plan_page_costs_the_same_queries_for_1_or_12_comments(
        school_a, shared_plan, client_for, count_queries, make):
    c = client_for(school_a["teacher2"])
    first = add(shared_plan, school_a["teacher2"], "Satu")
    with count_queries() as one:
        assert c.get(f"/plans/{shared_plan.id}").status_code == 200
    for n in range(11):
        author = make.user(school_a["school"], name=f"Rekan {n}")
        made = add(shared_plan, author, f"Komentar {n}", parent_id=first.id if n % 2 else None)
        if n % 3 == 0 and made.parent_id is None:
            plan_comments.resolve(made, author)
            db.session.commit()
    with count_queries() as many:
        assert c.get(f"/plans/{shared_plan.id}").status_code == 200
    assert len(many) <= len(one) + 1  # + at most the one query for who resolved
