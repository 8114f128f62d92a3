"""The demo data of `flask seed-demo`: two schools with 13 and 4 people, novices, teams;
running it again changes nothing, `--if-empty` leaves a used database alone, the logins work."""

import pytest
from sqlalchemy import func, select

from collab.extensions import db
from collab.models import Membership, Profile, School, Team, TeamMember, User
from collab.services import demo
from tests.conftest import login

TABLES = (School, User, Membership, Profile, Team, TeamMember)


def row_counts() -> dict[str, int]:
    return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in TABLES}


def seed(runner, *options):
    result = runner.invoke(args=["seed-demo", *options])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result


def school_named(name: str) -> School:
    return db.session.scalar(select(School).where(School.name == name))


def people_of(school: School) -> list[User]:
    return list(db.session.scalars(
        select(User).join(Membership).where(Membership.school_id == school.id)))


def test_seeding_twice_gives_the_same_rows(runner):
    first = seed(runner)
    counts = row_counts()

    seed(runner)

    assert row_counts() == counts
    assert "Demo data ready." in first.output
    assert "rembuk-demo" in first.output  # the logins are printed for the newcomer


def test_the_demo_has_two_schools_with_13_and_4_people(runner):
    seed(runner)

    smp, sd = school_named(demo.SMP), school_named(demo.SD)
    assert row_counts()["schools"] == 2
    assert smp.timezone == sd.timezone == "Asia/Jakarta"
    smp_people, sd_people = people_of(smp), people_of(sd)
    assert len(smp_people) == 13
    assert len(sd_people) == 4
    principals = {u.email for u in smp_people + sd_people if u.is_principal}
    assert principals == {"kepsek@demo.sch.id", "kepsek.sd@demo.sch.id"}


def test_guru09_to_guru12_are_the_smp_novices(runner):
    seed(runner)

    smp = people_of(school_named(demo.SMP))
    novices = {u.email for u in smp if u.profile.is_novice}
    assert novices == {f"guru{n:02}@demo.sch.id" for n in range(9, 13)}
    assert all(u.profile.years_teaching < 3 for u in smp if u.email in novices)
    assert all(u.profile.years_teaching >= 3 for u in smp if u.email not in novices)


def test_both_schools_have_teams_of_their_own_teachers(runner):
    seed(runner)

    for school_name, teams in ((demo.SMP, demo.SMP_TEAMS), (demo.SD, demo.SD_TEAMS)):
        school = school_named(school_name)
        found = db.session.scalars(select(Team).where(Team.school_id == school.id)).all()
        assert {t.name for t in found} == set(teams)
        for team in found:
            assert {m.email.split("@")[0] for m in team.members} == set(teams[team.name])
            assert all(m.school_id == school.id for m in team.members)


def test_if_empty_does_nothing_on_a_seeded_database(runner):
    seed(runner)
    counts = row_counts()

    result = seed(runner, "--if-empty")

    assert "demo not seeded" in result.output
    assert row_counts() == counts


def test_if_empty_does_nothing_on_a_database_with_a_real_school(runner, make):
    make.user(make.school("SMP Sungguhan"), role="principal")
    counts = row_counts()

    seed(runner, "--if-empty")

    assert row_counts() == counts
    assert school_named(demo.SMP) is None


def test_if_empty_seeds_an_empty_database(runner):
    result = seed(runner, "--if-empty")
    assert "Demo data ready." in result.output
    assert school_named(demo.SMP) is not None


def test_seeding_again_restores_what_was_deleted(runner):
    seed(runner)
    counts = row_counts()
    team = db.session.scalar(select(Team).where(Team.name == "MGMP IPA"))
    db.session.delete(db.session.get(TeamMember, (team.id, team.members[0].id)))
    db.session.commit()

    seed(runner)

    assert row_counts() == counts


@pytest.mark.parametrize(("email", "principal"), [
    ("kepsek@demo.sch.id", True),
    ("guru09@demo.sch.id", False),
    ("guru.sd03@demo.sch.id", False),
])
def test_demo_logins_work_with_the_demo_password(app, runner, email, principal):
    seed(runner)
    client = app.test_client()

    response = login(client, email, demo.DEMO_PASSWORD)

    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert client.get("/settings/school/").status_code == (200 if principal else 403)


def test_a_wrong_password_does_not_open_a_demo_account(app, runner):
    seed(runner)
    assert login(app.test_client(), "guru01@demo.sch.id", "rembuk-demo-x").status_code == 400
