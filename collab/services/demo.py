"""The demo data of `flask seed-demo`: two schools, their principals, teachers and teams,
plans, the school calendars and timetables, and observations in every state.

Idempotent: running it again adds only what is missing. Later areas add their own demo data
through `seed()`.
"""

from sqlalchemy import func, select

from collab.extensions import db
from collab.models import Membership, Profile, School, Team, TeamMember, User
from collab.services import (
    demo_assessments,
    demo_observations,
    demo_plans,
    demo_rooms,
    demo_timetables,
)
from collab.services.accounts import hash_password

DEMO_PASSWORD = "rembuk-demo"  # noqa: S105  (public demo data, documented in the README)

SMP = "SMP Negeri 1 Contoh"
SD = "SD Negeri 2 Contoh"

# email, name, subjects, grades, years of teaching
SMP_TEACHERS = [
    ("guru01@demo.sch.id", "Siti Rahmawati", ["Matematika"], ["7", "8"], 18),
    ("guru02@demo.sch.id", "Budi Santoso", ["Matematika"], ["8", "9"], 12),
    ("guru03@demo.sch.id", "Dewi Lestari", ["Bahasa Indonesia"], ["7", "9"], 15),
    ("guru04@demo.sch.id", "Agus Prasetyo", ["IPA"], ["7", "8"], 9),
    ("guru05@demo.sch.id", "Ratna Sari", ["IPA"], ["9"], 21),
    ("guru06@demo.sch.id", "Hendra Wijaya", ["IPS"], ["7", "8", "9"], 7),
    ("guru07@demo.sch.id", "Yuliana Putri", ["Bahasa Inggris"], ["7", "8"], 6),
    ("guru08@demo.sch.id", "Made Suardana", ["Pendidikan Jasmani"], ["7", "8", "9"], 11),
    ("guru09@demo.sch.id", "Rizky Ramadhan", ["Matematika"], ["7"], 1),
    ("guru10@demo.sch.id", "Nur Aini", ["IPA"], ["8"], 2),
    ("guru11@demo.sch.id", "Fajar Nugroho", ["Bahasa Inggris"], ["9"], 0),
    ("guru12@demo.sch.id", "Intan Permata", ["Bahasa Indonesia"], ["8"], 2),
]
SMP_TEAMS = {
    "MGMP Matematika": ["guru01", "guru02", "guru09"],
    "MGMP IPA": ["guru04", "guru05", "guru10"],
    "MGMP Bahasa": ["guru03", "guru07", "guru11", "guru12"],
    "Tim Kelas 7": ["guru01", "guru03", "guru04", "guru06", "guru07", "guru09"],
}
SD_TEACHERS = [
    ("guru.sd01@demo.sch.id", "Sri Wahyuni", ["Guru Kelas"], ["1", "2"], 16),
    ("guru.sd02@demo.sch.id", "Andi Saputra", ["Guru Kelas"], ["4"], 5),
    ("guru.sd03@demo.sch.id", "Lina Marlina", ["Guru Kelas", "Pendidikan Agama"], ["5"], 1),
]
SD_TEAMS = {"KKG Kelas Rendah": ["guru.sd01", "guru.sd03"], "KKG Kelas Tinggi": ["guru.sd02"]}

LOGINS_TEXT = f"""Demo logins (password for all: {DEMO_PASSWORD})
  Principal, {SMP}: kepsek@demo.sch.id
  Teachers:  guru01@demo.sch.id ... guru12@demo.sch.id (guru09-guru12 are novices)
  Principal, {SD}: kepsek.sd@demo.sch.id
  Teachers:  guru.sd01@demo.sch.id ... guru.sd03@demo.sch.id"""


def has_any_school() -> bool:
    """True if the database already holds a school."""
    return db.session.scalar(select(func.count(School.id))) > 0


def seed() -> None:
    """Add whatever of the demo data is missing; flushes, the caller commits."""
    # One hash for every demo account: they share one public password, and scrypt at
    # N=2^17 costs a third of a second per call.
    password_hash = hash_password(DEMO_PASSWORD)
    smp = _school(SMP)
    _member(smp, "kepsek@demo.sch.id", "Bambang Hartono", "principal", password_hash,
            (["Matematika"], ["7", "8", "9"], 25))
    for email, name, subjects, grades, years in SMP_TEACHERS:
        _member(smp, email, name, "teacher", password_hash, (subjects, grades, years))
    _teams(smp, SMP_TEAMS)
    sd = _school(SD)
    _member(sd, "kepsek.sd@demo.sch.id", "Euis Kurniasih", "principal", password_hash,
            (["Guru Kelas"], ["1", "2", "3", "4", "5", "6"], 22))
    for email, name, subjects, grades, years in SD_TEACHERS:
        _member(sd, email, name, "teacher", password_hash, (subjects, grades, years))
    _teams(sd, SD_TEAMS)
    db.session.flush()
    demo_plans.seed()
    demo_timetables.seed(smp, sd, SMP_TEACHERS, SD_TEACHERS)
    demo_observations.seed(smp)
    demo_rooms.seed(smp)
    demo_assessments.seed(smp)


def _school(name: str) -> School:
    school = db.session.scalar(select(School).where(School.name == name))
    if school is None:
        school = School(name=name, timezone="Asia/Jakarta")
        db.session.add(school)
        db.session.flush()
    return school


def _member(school, email, name, role, password_hash, profile) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is not None:
        return user
    subjects, grades, years = profile
    user = User(email=email, name=name, password_hash=password_hash)
    db.session.add(user)
    db.session.flush()
    db.session.add(Membership(user_id=user.id, school_id=school.id, role=role))
    db.session.add(Profile(user_id=user.id, subjects=subjects, grades=grades,
                           years_teaching=years))
    return user


def _teams(school: School, teams: dict[str, list[str]]) -> None:
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
            user = db.session.scalar(select(User).where(User.email == f"{local}@demo.sch.id"))
            if user.id not in existing:
                db.session.add(TeamMember(team_id=team.id, user_id=user.id))
    db.session.flush()


