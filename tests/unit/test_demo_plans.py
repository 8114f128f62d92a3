"""The demo plans: eight plans in SMP Negeri 1 Contoh across subjects, each with more than one
revision, comments with a reply, co-authors on two plans, one research lesson, one private
draft, one adaptation by the novice guru09; seeding again adds nothing; the pages open."""

import pytest
from sqlalchemy import func, select

from collab.core.activity import ActivityEvent
from collab.core.notify import Notification
from collab.demo import plans as demo_plans
from collab.demo import seed as demo
from collab.extensions import db
from collab.people.models import School, User
from collab.plans.access import visible_to
from collab.plans.models import Plan, PlanCoauthor, PlanComment, PlanRevision, PlanTemplate
from tests.conftest import login

TABLES = (Plan, PlanRevision, PlanComment, PlanCoauthor, PlanTemplate, Notification,
          ActivityEvent)


def row_counts() -> dict[str, int]:
    return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in TABLES}


@pytest.fixture
def seeded(demo_data):
    """demo.seed() and a commit: seeded once per worker, restored per test (conftest.py)."""


def smp_plans() -> list[Plan]:
    school = db.session.scalar(select(School).where(School.name == demo.SMP))
    return list(db.session.scalars(select(Plan).where(Plan.school_id == school.id)))


def user(local: str) -> User:
    return db.session.scalar(select(User).where(User.email == f"{local}@demo.sch.id"))


def test_seeding_twice_adds_nothing_the_second_time(seeded):
    counts = row_counts()

    demo.seed()
    db.session.commit()
    demo_plans.seed()
    db.session.commit()

    assert row_counts() == counts


@pytest.mark.smoke
def test_the_seed_command_runs_twice(runner):
    for _ in range(2):
        result = runner.invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert len(smp_plans()) == 8


def test_eight_plans_across_subjects_each_with_several_revisions(seeded):
    found = smp_plans()

    assert len(found) == 8
    assert {"Matematika", "IPA", "Bahasa Indonesia", "Bahasa Inggris", "IPS"} <= {
        p.subject for p in found}
    for plan in found:
        stored = db.session.scalar(select(func.count(PlanRevision.id)).where(
            PlanRevision.plan_id == plan.id))
        assert plan.revision_number == stored > 1, plan.title
        assert plan.body.startswith("## "), plan.title


def test_the_plans_are_written_from_the_templates_with_mixed_visibility(seeded):
    found = smp_plans()

    assert {p.template_key for p in found} == {"modul_ajar", "research_lesson"}
    visibilities = [p.visibility for p in found]
    assert visibilities.count("private") == 1
    assert {"school", "team"} <= set(visibilities)
    assert all(p.team_id is not None for p in found if p.visibility == "team")
    research = [p for p in found if p.is_research_lesson]
    assert len(research) == 1
    assert "## Fokus observasi" in research[0].body


def test_comments_with_a_reply_and_a_resolved_thread(seeded):
    comments = db.session.scalars(select(PlanComment)).all()

    assert len([c for c in comments if c.parent_id is None]) >= 4
    assert any(c.parent_id is not None for c in comments)
    assert any(c.resolved_at is not None for c in comments)
    assert any(c.section for c in comments)
    plans_by_id = {p.id: p for p in smp_plans()}
    assert all(c.plan_id in plans_by_id for c in comments)


def test_comments_told_the_authors(seeded):
    owner_notes = db.session.scalars(select(Notification.kind).where(
        Notification.recipient_id == user("guru01").id)).all()
    assert "plan.commented" in owner_notes
    mentioned = db.session.scalars(select(Notification.kind).where(
        Notification.recipient_id == user("guru09").id)).all()
    assert "plan.mentioned" in mentioned


def test_two_plans_have_coauthors(seeded):
    with_coauthors = db.session.scalars(select(PlanCoauthor.plan_id).distinct()).all()
    assert len(with_coauthors) == 2


def test_guru09_adapted_a_colleagues_plan(seeded):
    forks = [p for p in smp_plans() if p.forked_from_id is not None]

    assert len(forks) == 1
    adaptation = forks[0]
    assert adaptation.owner_id == user("guru09").id
    original = db.session.get(Plan, adaptation.forked_from_id)
    assert original.owner_id == user("guru01").id
    assert adaptation.body != original.body
    assert adaptation.revision_number > 1


def test_a_principal_template_is_there(seeded):
    assert db.session.scalar(select(func.count(PlanTemplate.id))) == 1


def test_the_revisions_are_spread_over_past_days(seeded):
    for plan in smp_plans():
        revisions = db.session.scalars(select(PlanRevision).where(
            PlanRevision.plan_id == plan.id).order_by(PlanRevision.number)).all()
        times = [r.created_at for r in revisions]
        assert times == sorted(times)
        assert (times[-1] - times[0]).days >= 1


@pytest.mark.parametrize(("email", "expected"), [
    ("guru09@demo.sch.id", 5),   # the four school plans and his adaptation
    ("guru02@demo.sch.id", 6),   # also his private draft and the MGMP Matematika adaptation
    ("guru11@demo.sch.id", 5),   # the school plans and the MGMP Bahasa plan
])
def test_demo_teachers_open_the_plans_they_may_read(app, seeded, email, expected):
    client = app.test_client()
    assert login(client, email, demo.DEMO_PASSWORD).status_code == 302

    readable = db.session.scalars(select(Plan).where(visible_to(
        db.session.scalar(select(User).where(User.email == email))))).all()
    assert len(readable) == expected
    for plan in readable:
        assert client.get(f"/plans/{plan.id}").status_code == 200, plan.title
