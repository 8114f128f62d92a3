"""A comment can always be taken away: its author deletes it (after a confirmation page), and
the plan's owner hides any comment on their plan and shows it again. Every other user is
refused (404 if they cannot read the plan, else 403), and every change needs the CSRF
token."""

from bs4 import BeautifulSoup

from collab.extensions import db
from collab.plans.models import PlanComment
from tests.conftest import csrf_token
from tests.integration.test_plan_comments import add, make_plan


def _post(client, url, plan=None, with_token=True):
    token = csrf_token(client.get("/").text) if with_token else ""
    return client.post(url, data={"csrf_token": token} if with_token else {})


def test_the_author_deletes_their_comment_after_a_confirmation_page(world, client_for):
    owner, colleague = world["a"]["teacher"], world["a"]["teacher2"]
    plan = make_plan(owner)
    mine = add(plan, colleague, "Bagus!")
    add(plan, owner, "Terima kasih", parent_id=mine.id)
    client = client_for(colleague)
    page = client.get(f"/plans/{plan.id}")
    assert f"/plans/{plan.id}/comments/{mine.id}/delete" in page.text
    confirm = client.get(f"/plans/{plan.id}/comments/{mine.id}/delete")
    assert confirm.status_code == 200
    text = BeautifulSoup(confirm.text, "html.parser").get_text()
    assert "Bagus!" in text and "1 balasan untuknya ikut terhapus." in text
    assert db.session.get(PlanComment, mine.id) is not None  # nothing deleted by a GET
    token = csrf_token(confirm.text)
    done = client.post(f"/plans/{plan.id}/comments/{mine.id}/delete",
                       data={"csrf_token": token})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.query(PlanComment).filter_by(plan_id=plan.id).count() == 0


def test_only_the_author_may_delete_and_only_with_the_token(world, client_for):
    owner, colleague = world["a"]["teacher"], world["a"]["teacher2"]
    plan = make_plan(owner, visibility="school")
    theirs = add(plan, colleague, "Bagus!")
    url = f"/plans/{plan.id}/comments/{theirs.id}/delete"
    # The plan's owner, the principal: may read, may not delete someone else's comment.
    for user in (owner, world["a"]["principal"]):
        client = client_for(user)
        assert client.get(url).status_code == 403
        assert _post(client, url, plan).status_code == 403
    # Another school's teacher cannot even read the plan.
    assert _post(client_for(world["b"]["teacher"]), url).status_code == 404
    # A comment id of another plan, or one that does not exist.
    other = make_plan(owner, title="Lain")
    author = client_for(colleague)
    assert author.get(f"/plans/{other.id}/comments/{theirs.id}/delete").status_code == 404
    assert author.get(f"/plans/{plan.id}/comments/99999/delete").status_code == 404
    # Without the CSRF token: refused, kept.
    assert _post(author, url, plan, with_token=False).status_code == 400
    assert db.session.get(PlanComment, theirs.id) is not None


def test_the_plan_owner_hides_a_comment_and_shows_it_again(world, client_for):
    owner, colleague = world["a"]["teacher"], world["a"]["teacher2"]
    plan = make_plan(owner)
    spoiler = add(plan, colleague, "Teks yang merusak")
    client = client_for(owner)
    assert _post(client, f"/plans/{plan.id}/comments/{spoiler.id}/hide", plan
                 ).status_code == 302
    for viewer in (owner, colleague, world["a"]["principal"]):
        page = client_for(viewer).get(f"/plans/{plan.id}")
        assert page.status_code == 200
        text = BeautifulSoup(page.text, "html.parser").get_text()
        assert "Teks yang merusak" not in text
        assert "Komentar ini disembunyikan oleh pemilik rencana." in text
    assert _post(client, f"/plans/{plan.id}/comments/{spoiler.id}/show", plan
                 ).status_code == 302
    assert "Teks yang merusak" in client_for(colleague).get(f"/plans/{plan.id}").text


def test_only_the_plan_owner_may_hide_and_only_with_the_token(world, client_for):
    owner, coauthor = world["a"]["teacher"], world["a"]["mentor"]
    plan = make_plan(owner, coauthors=[coauthor])
    comment = add(plan, world["a"]["teacher2"], "Bagus!")
    for action in ("hide", "show"):
        url = f"/plans/{plan.id}/comments/{comment.id}/{action}"
        # A co-author, the comment's author and the principal read the plan: 403.
        for user in (coauthor, world["a"]["teacher2"], world["a"]["principal"]):
            assert _post(client_for(user), url, plan).status_code == 403, user.name
        assert _post(client_for(world["b"]["principal"]), url).status_code == 404
        assert _post(client_for(owner), url, plan, with_token=False).status_code == 400
        assert client_for(owner).get(url).status_code == 405
    other = make_plan(owner, title="Lain")
    assert _post(client_for(owner), f"/plans/{other.id}/comments/{comment.id}/hide",
                 other).status_code == 404
    db.session.expire_all()
    assert db.session.get(PlanComment, comment.id).hidden_at is None
