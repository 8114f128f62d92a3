"""The demo data of `flask seed-demo`: two schools, their principals, teachers and teams,
plans, the school calendars and timetables, observations in every state, rooms,
assessments and mentoring pairs.

The content comes from the data files in `collab/demo/data/` (read and checked by
`content.load()` when this module is imported); this module makes the schools and their
people and hands the rest to the other demo modules, which import nothing of this one.

Idempotent: running it again adds only what is missing.
"""

from sqlalchemy import func, select

from collab.demo import assessments as demo_assessments
from collab.demo import content
from collab.demo import mentoring as demo_mentoring
from collab.demo import observations as demo_observations
from collab.demo import plans as demo_plans
from collab.demo import rooms as demo_rooms
from collab.demo import timetables as demo_timetables
from collab.demo.content import DemoContent
from collab.extensions import db
from collab.people.models import Membership, Profile, School, Team, TeamMember, User
from collab.people.service_accounts import hash_password

CONTENT = content.load()
DEMO_PASSWORD = CONTENT.password  # public demo data, documented in the README
SMP = CONTENT.schools["smp"]["name"]
SD = CONTENT.schools["sd"]["name"]
SMP_TEAMS = CONTENT.schools["smp"]["teams"]
SD_TEAMS = CONTENT.schools["sd"]["teams"]
LOGINS_TEXT = CONTENT.logins


def has_any_school() -> bool:
    """True if the database already holds a school."""
    return db.session.scalar(select(func.count(School.id))) > 0


def seed(data: DemoContent = CONTENT) -> None:
    """Add whatever of the demo data is missing; flushes, the caller commits."""
    # One hash for every demo account: they share one public password, and scrypt at
    # N=2^17 costs a third of a second per call.
    password_hash = hash_password(data.password)
    schools = {}
    for role, spec in data.schools.items():
        school = schools[role] = _school(spec["name"], spec["timezone"])
        _member(school, spec["principal"], "principal", password_hash)
        for teacher in spec["teachers"]:
            _member(school, teacher, "teacher", password_hash)
        _teams(school, spec["teams"], data.domain)
    db.session.flush()
    smp, sd = schools["smp"], schools["sd"]
    demo_plans.seed(smp, data)
    demo_timetables.seed(smp, sd, data)
    demo_observations.seed(smp, data)
    demo_rooms.seed(smp, data)
    demo_assessments.seed(smp, data)
    demo_mentoring.seed(smp, data)


def _school(name: str, timezone: str) -> School:
    school = db.session.scalar(select(School).where(School.name == name))
    if school is None:
        school = School(name=name, timezone=timezone)
        db.session.add(school)
        db.session.flush()
    return school


def _member(school: School, person: dict, role: str, password_hash: str) -> User:
    user = db.session.scalar(select(User).where(User.email == person["email"]))
    if user is not None:
        return user
    user = User(email=person["email"], name=person["name"], password_hash=password_hash)
    db.session.add(user)
    db.session.flush()
    db.session.add(Membership(user_id=user.id, school_id=school.id, role=role))
    db.session.add(Profile(user_id=user.id, subjects=list(person["subjects"]),
                           grades=list(person["grades"]),
                           years_teaching=person["years_teaching"]))
    return user


def _teams(school: School, teams: dict[str, list[str]], domain: str) -> None:
    for team_name, locals_ in teams.items():
        team = db.session.scalar(
            select(Team).where(Team.school_id == school.id, Team.name == team_name)
        )
        if team is None:
            team = Team(school_id=school.id, name=team_name)
            db.session.add(team)
            db.session.flush()
        existing = set(db.session.scalars(select(TeamMember.user_id).where(
            TeamMember.team_id == team.id)))
        for local in locals_:
            user = db.session.scalar(select(User).where(User.email == f"{local}@{domain}"))
            if user.id not in existing:
                db.session.add(TeamMember(team_id=team.id, user_id=user.id))
    db.session.flush()
