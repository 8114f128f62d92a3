"""Teams and roles: a principal creates teams (names unique per school, whatever the case),
chooses their members from the school only, and changes a colleague's role, which ends the
colleague's sessions and tells them; nobody changes their own role."""

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from collab.core.notify import Notification
from collab.extensions import db
from collab.people.models import Membership, Team, TeamMember
from tests.conftest import csrf_token, post_form

TEAMS = "/settings/school/teams"


@pytest.fixture
def principal_client(world, client_for):
    """School A's principal, reading the pages in English."""
    c = client_for(world["a"]["principal"])
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return c


def flashes(html: str) -> list[tuple[str, str]]:
    soup = BeautifulSoup(html, "html.parser")
    return [(" ".join(p["class"]), p.get_text(" ", strip=True)) for p in soup.select(".flash")]


def member_ids(team: Team) -> set[int]:
    return set(db.session.scalars(select(TeamMember.user_id).where(TeamMember.team_id == team.id)))


def notifications_of(user, kind: str | None = None) -> list[Notification]:
    query = select(Notification).where(Notification.recipient_id == user.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query.order_by(Notification.id)))


def role_of(user) -> str:
    return db.session.scalar(select(Membership.role).where(Membership.user_id == user.id))


# ---------------------------------------------------------------- teams


@pytest.mark.smoke
def test_a_principal_creates_a_team_and_goes_on_to_choose_its_members(world, principal_client):
    response = post_form(principal_client, TEAMS, {"name": "  MGMP IPA "})

    assert response.status_code == 302
    team = db.session.scalar(select(Team).where(Team.name == "MGMP IPA"))
    assert team.school_id == world["a"]["school"].id
    assert response.headers["Location"] == f"{TEAMS}/{team.id}"
    assert "MGMP IPA" in principal_client.get(TEAMS).text


@pytest.mark.dialect
@pytest.mark.parametrize("name", ["Team A", "team a", "TEAM A", " Team a "])
def test_a_second_team_with_the_same_name_in_any_case_is_refused_and_the_name_kept(
    world, principal_client, name
):
    response = post_form(principal_client, TEAMS, {"name": name})

    assert response.status_code == 400
    soup = BeautifulSoup(response.text, "html.parser")
    field = soup.find("input", attrs={"name": "name"})
    assert field["value"] == name
    error = field.find_parent(class_="field").select_one(".error").get_text(strip=True)
    assert error == "The school already has a team with this name."
    school_a = world["a"]["school"].id
    assert db.session.scalar(select(func.count(Team.id)).where(Team.school_id == school_a)) == 1


def test_another_schools_team_name_may_be_used_again(world, principal_client):
    response = post_form(principal_client, TEAMS, {"name": "Team B"})
    assert response.status_code == 302


def test_an_empty_team_name_is_refused(world, principal_client):
    response = post_form(principal_client, TEAMS, {"name": "  "})
    assert response.status_code == 400
    assert "Enter a team name." in response.text


def test_a_teacher_cannot_manage_teams(world, client_for):
    teacher = client_for(world["a"]["teacher"])
    team = world["a"]["team"]
    assert teacher.get(TEAMS).status_code == 403
    assert teacher.get(f"{TEAMS}/{team.id}").status_code == 403
    token = csrf_token(teacher.get("/").text)
    response = teacher.post(f"{TEAMS}/{team.id}", data={
        "csrf_token": token, "members": [str(world["a"]["teacher2"].id)]})
    assert response.status_code == 403
    assert member_ids(team) == {world["a"]["teacher"].id, world["a"]["mentor"].id}


def test_another_schools_team_is_not_found(world, principal_client):
    assert principal_client.get(f"{TEAMS}/{world['b']['team'].id}").status_code == 404


def test_the_member_page_offers_exactly_the_schools_staff_with_members_ticked(
    world, principal_client
):
    a = world["a"]
    page = BeautifulSoup(principal_client.get(f"{TEAMS}/{a['team'].id}").text, "html.parser")
    boxes = page.find_all("input", attrs={"name": "members"})
    offered = {int(box["value"]) for box in boxes}
    ticked = {int(box["value"]) for box in boxes if box.has_attr("checked")}
    assert offered == {a[k].id for k in ("teacher", "teacher2", "mentor", "principal")}
    assert ticked == {a["teacher"].id, a["mentor"].id}


def test_setting_members_replaces_them_and_tells_only_the_added(
    world, client_for, principal_client
):
    a = world["a"]
    team = a["team"]
    new_members = [a["teacher"].id, a["teacher2"].id, a["principal"].id]  # mentor removed

    response = post_form(principal_client, f"{TEAMS}/{team.id}",
                         {"members": [str(i) for i in new_members]})

    assert response.status_code == 302
    assert member_ids(team) == set(new_members)
    [note] = notifications_of(a["teacher2"], "team.added")
    assert note.params == {"team": "Team A", "_target": {
        "endpoint": "main.home_page", "values": {}, "anchor": ""}}
    assert note.school_id == a["school"].id
    assert len(notifications_of(a["principal"], "team.added")) == 1
    assert notifications_of(a["teacher"], "team.added") == []  # already a member
    assert notifications_of(a["mentor"], "team.added") == []  # removed, not added
    added = client_for(a["teacher2"])
    added.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert "You were added to the team Team A." in added.get("/").text


def test_unticking_everyone_empties_the_team(world, principal_client):
    team = world["a"]["team"]
    response = post_form(principal_client, f"{TEAMS}/{team.id}", {})
    assert response.status_code == 302
    assert member_ids(team) == set()


def test_a_member_from_another_school_is_refused_and_nothing_changes(world, principal_client):
    a, b = world["a"], world["b"]
    team = a["team"]
    before = member_ids(team)

    response = post_form(principal_client, f"{TEAMS}/{team.id}",
                         {"members": [str(a["teacher2"].id), str(b["teacher"].id)]})

    assert response.status_code == 400
    assert member_ids(team) == before
    assert notifications_of(b["teacher"]) == []
    assert notifications_of(a["teacher2"]) == []


@pytest.mark.parametrize("forged", ["abc", "-1", "999999"])
def test_a_forged_member_value_is_refused(world, principal_client, forged):
    team = world["a"]["team"]
    before = member_ids(team)
    response = post_form(principal_client, f"{TEAMS}/{team.id}", {"members": [forged]})
    assert response.status_code == 400
    assert member_ids(team) == before


def test_an_outsider_without_a_school_is_never_added(world, principal_client):
    team = world["a"]["team"]
    response = post_form(principal_client, f"{TEAMS}/{team.id}",
                         {"members": [str(world.outsider.id)]})
    assert response.status_code == 400
    assert world.outsider.id not in member_ids(team)


# ---------------------------------------------------------------- roles


def change_role(principal_client, user, role: str, **kwargs):
    return post_form(principal_client, f"/settings/school/members/{user.id}/role",
                     {"role": role}, page="/settings/school/", **kwargs)


def test_making_a_teacher_principal_ends_their_session_and_tells_them(
    world, client_for, principal_client
):
    teacher = world["a"]["teacher"]
    their_client = client_for(teacher)
    assert their_client.get("/").status_code == 200

    response = change_role(principal_client, teacher, "principal", follow_redirects=True)

    assert response.status_code == 200
    assert ("flash success", "The role of Teacher A is changed.") in flashes(response.text)
    assert role_of(teacher) == "principal"
    stale = their_client.get("/")
    assert stale.status_code == 302
    assert stale.headers["Location"].startswith("/auth/login")
    [note] = notifications_of(teacher, "role.principal")
    assert note.link == "/"
    # Signed in again, the new role applies.
    assert client_for(teacher).get("/settings/school/").status_code == 200


def test_making_a_principal_teacher_again_tells_them_and_closes_the_staff_pages(
    world, client_for, principal_client
):
    teacher = world["a"]["teacher"]
    change_role(principal_client, teacher, "principal")
    change_role(principal_client, teacher, "teacher")

    assert role_of(teacher) == "teacher"
    assert [n.kind for n in notifications_of(teacher)] == ["role.principal", "role.teacher"]
    assert client_for(teacher).get("/settings/school/").status_code == 403


def test_choosing_the_role_a_member_already_has_changes_nothing_and_tells_nobody(
    world, client_for, principal_client
):
    teacher = world["a"]["teacher"]
    their_client = client_for(teacher)

    response = change_role(principal_client, teacher, "teacher", follow_redirects=True)

    assert response.status_code == 200
    assert not any("is changed" in text for _, text in flashes(response.text))
    assert notifications_of(teacher) == []
    assert their_client.get("/").status_code == 200  # their session goes on


def test_a_principal_cannot_change_their_own_role(world, principal_client):
    principal = world["a"]["principal"]

    response = change_role(principal_client, principal, "teacher", follow_redirects=True)

    assert response.status_code == 200
    assert ("flash warning", "You cannot change your own role.") in flashes(response.text)
    assert role_of(principal) == "principal"
    assert notifications_of(principal) == []
    assert principal_client.get("/settings/school/").status_code == 200  # still signed in


def test_an_unknown_role_changes_nothing(world, principal_client):
    teacher = world["a"]["teacher"]
    response = change_role(principal_client, teacher, "admin")
    assert response.status_code == 302
    assert role_of(teacher) == "teacher"
    assert notifications_of(teacher) == []


def test_another_schools_member_cannot_be_given_a_role(world, principal_client):
    other = world["b"]["teacher"]
    response = change_role(principal_client, other, "principal")
    assert response.status_code == 404
    assert role_of(other) == "teacher"


def test_a_teacher_cannot_change_roles(world, client_for):
    teacher = client_for(world["a"]["teacher"])
    token = csrf_token(teacher.get("/").text)
    response = teacher.post(f"/settings/school/members/{world['a']['teacher'].id}/role",
                            data={"csrf_token": token, "role": "principal"})
    assert response.status_code == 403
    assert role_of(world["a"]["teacher"]) == "teacher"
