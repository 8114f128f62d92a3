"""A generated set of lesson plans for benchmarks, of adjustable size.

`generate(count)` adds `count` plans (default 20 000; `REMBUK_BENCH_PLANS` or
`python -m bench.plans_data --plans N --database instance/x.db` change it) to a database that
holds the demo data: most go to the demo schools' teachers, the rest to two generated schools,
so that the demo teacher sees some plans and is refused many others. Visibility is mixed
(school, team, private); each plan has 1-4 revisions, 0-4 tags, 0-3 comments and sometimes a
co-author. Text is Indonesian, put together from word lists with a seeded random generator,
so two runs make the same data.

Rows go in with Core executemany inserts, a few thousand at a time; the migration's triggers
fill the full-text index as they go. 20 000 plans take a few seconds.
"""

import argparse
import os
import random
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select, text

DEFAULT_PLANS = 20_000
SEED = 2026
CHUNK = 2_000
# A word in nearly every plan, and one in about one plan in a thousand (for the benchmark).
COMMON_WORD = "siswa"
RARE_WORD = "tangram"
RARE_SHARE = 0.001

SUBJECTS = {
    "Matematika": ["pecahan", "bilangan bulat", "persamaan linear", "bangun datar",
                   "statistika", "peluang", "perbandingan", "aljabar", "teorema Pythagoras",
                   "lingkaran", "himpunan", "koordinat kartesius"],
    "IPA": ["fotosintesis", "sistem pencernaan", "gaya dan gerak", "energi", "zat dan wujudnya",
            "ekosistem", "listrik statis", "tata surya", "klasifikasi makhluk hidup", "suhu"],
    "Bahasa Indonesia": ["teks deskripsi", "puisi rakyat", "teks prosedur", "cerita fantasi",
                         "surat resmi", "teks eksposisi", "pantun", "berita"],
    "IPS": ["interaksi sosial", "kegiatan ekonomi", "kerajaan Hindu-Buddha", "peta",
            "keragaman budaya", "pasar", "penduduk"],
    "Bahasa Inggris": ["descriptive text", "greeting cards", "procedure text", "simple past",
                       "recount text", "announcement"],
    "Pendidikan Jasmani": ["bola voli", "sepak bola", "atletik", "senam lantai", "pencak silat"],
    "Guru Kelas": ["membaca permulaan", "penjumlahan", "lingkungan sekitar", "hewan dan tumbuhan",
                   "cerita rakyat", "pengukuran panjang", "uang"],
}
GRADES = ["1", "2", "3", "4", "5", "6", "7", "8", "9"]
TAGS = ["diferensiasi", "proyek", "literasi", "numerasi", "kolaboratif", "p5", "asesmen",
        "diskusi", "praktikum", "permainan", "luar kelas", "digital", "remedial", "pengayaan"]
VERBS = ["mengamati", "menjelaskan", "membandingkan", "menganalisis", "menyusun", "mendiskusikan",
         "menyimpulkan", "mempresentasikan", "mengukur", "menghitung", "menulis", "membaca",
         "menggambar", "mencoba", "menanyakan", "mengelompokkan"]
NOUNS = ["contoh", "masalah", "gambar", "tabel", "data", "lembar kerja", "kelompok", "pasangan",
         "benda konkret", "video", "cerita", "soal", "hasil", "pertanyaan", "alat peraga",
         "kartu", "diagram", "laporan", "kegiatan", "lingkungan sekolah"]
PHRASES = ["secara mandiri", "dalam kelompok kecil", "bersama teman sebangku",
           "dengan bimbingan guru", "di depan kelas", "selama sepuluh menit", "dengan teliti",
           "menggunakan alat peraga", "berdasarkan pengamatan", "melalui tanya jawab"]
OPENERS = ["Guru meminta", "Guru mengajak", "Guru membimbing", "Guru memberi kesempatan kepada",
           "Guru menantang", "Guru mendampingi"]
SECTIONS = ["Tujuan Pembelajaran", "Pemahaman Bermakna", "Pertanyaan Pemantik",
            "Kegiatan Pendahuluan", "Kegiatan Inti", "Penutup", "Asesmen", "Refleksi Guru"]
FORMS = ["Rencana", "Modul Ajar", "Eksplorasi", "Belajar", "Proyek", "Pengantar", "Latihan"]
COMMENTS = ["Bagus, bagaimana kalau ditambah asesmen awal?", "Waktunya cukup untuk kelas kita?",
            "Saya coba minggu depan di kelas 8B.", "Pertanyaan pemantiknya menarik.",
            "Perlu lembar kerja untuk siswa yang lambat.", "Setuju, langkahnya jelas."]
VISIBILITY_WEIGHTS = {"school": 60, "team": 25, "private": 15}
GENERATED_SCHOOLS = ("SMP Negeri 9 Bangkit", "SD Negeri 5 Harapan")
# Share of the plans per school: the demo SMP (the benchmark's teacher), the demo SD, and
# the two generated schools.
SCHOOL_WEIGHTS = (55, 15, 15, 15)


@dataclass
class Author:
    user_id: int
    school_id: int
    team_ids: list[int]
    subjects: list[str]


@dataclass
class Generated:
    plans: int
    revisions: int
    tags: int
    comments: int
    coauthors: int
    seconds: float


def sentence(rng: random.Random, topic: str) -> str:
    """One sentence of lesson steps, mentioning the topic now and then."""
    words = [rng.choice(OPENERS), COMMON_WORD, rng.choice(VERBS), rng.choice(NOUNS)]
    if rng.random() < 0.4:
        words += ["tentang", topic]
    words.append(rng.choice(PHRASES))
    return " ".join(words) + "."


def plan_body(rng: random.Random, topic: str, rare: bool) -> str:
    """A Markdown plan of five or six sections of three to six sentences."""
    parts = []
    for heading in rng.sample(SECTIONS, rng.randint(5, 6)):
        sentences = [sentence(rng, topic) for _ in range(rng.randint(3, 6))]
        parts.append(f"## {heading}\n\n" + " ".join(sentences))
    if rare:
        parts.append(f"## Alat\n\nPermainan {RARE_WORD} dari kertas karton.")
    return "\n\n".join(parts)


def _authors(school_ids: list[int]) -> dict[int, list[Author]]:
    from collab.extensions import db
    from collab.people.models import Membership, Profile, TeamMember

    rows = db.session.execute(
        select(Membership.user_id, Membership.school_id, Profile.subjects)
        .join(Profile, Profile.user_id == Membership.user_id)
        .where(Membership.school_id.in_(school_ids), Membership.role == "teacher")
        .order_by(Membership.user_id)
    ).all()
    teams: dict[int, list[int]] = {}
    for team_id, user_id in db.session.execute(select(TeamMember.team_id, TeamMember.user_id)):
        teams.setdefault(user_id, []).append(team_id)
    authors: dict[int, list[Author]] = {school_id: [] for school_id in school_ids}
    for user_id, school_id, subjects in rows:
        known = [s for s in subjects or [] if s in SUBJECTS] or ["Guru Kelas"]
        authors[school_id].append(Author(user_id, school_id, sorted(teams.get(user_id, [])),
                                         known))
    return authors


def _generated_school(name: str, index: int) -> int:
    """A school with six teachers in two teams (no one signs in: the hash is unusable)."""
    from collab.extensions import db
    from collab.people.models import Membership, Profile, School, Team, TeamMember, User

    school = School(name=name, timezone="Asia/Jakarta")
    db.session.add(school)
    db.session.flush()
    teams = [Team(school_id=school.id, name=f"Tim {n}") for n in (1, 2)]
    db.session.add_all(teams)
    subjects = list(SUBJECTS)
    for n in range(6):
        user = User(email=f"guru{n + 1}.gen{index}@bench.sch.id", name=f"Guru {n + 1} {name}",
                    password_hash="!")  # noqa: S106  (no password: never signs in)
        db.session.add(user)
        db.session.flush()
        db.session.add(Membership(user_id=user.id, school_id=school.id, role="teacher"))
        db.session.add(Profile(user_id=user.id, subjects=[subjects[(n + index) % len(subjects)]],
                               grades=["7"], years_teaching=n))
        db.session.add(TeamMember(team_id=teams[n % 2].id, user_id=user.id))
    db.session.flush()
    return school.id


def _schools() -> list[int]:
    from collab.demo.seed import SD, SMP
    from collab.extensions import db
    from collab.people.models import School

    ids = [db.session.scalar(select(School.id).where(School.name == name)) for name in (SMP, SD)]
    if None in ids:
        raise RuntimeError("seed the demo data first (collab.demo.seed.seed)")
    for index, name in enumerate(GENERATED_SCHOOLS):
        found = db.session.scalar(select(School.id).where(School.name == name))
        ids.append(found or _generated_school(name, index))
    return ids


class Rows:
    """The rows of one chunk of plans and everything that hangs from them."""

    KINDS = ("plans", "revisions", "tags", "comments", "coauthors")

    def __init__(self) -> None:
        self.plans: list[dict] = []
        self.revisions: list[dict] = []
        self.tags: list[dict] = []
        self.comments: list[dict] = []
        self.coauthors: list[dict] = []

    def write(self) -> None:
        from collab.extensions import db
        from collab.plans.models import Plan, PlanCoauthor, PlanComment, PlanRevision, PlanTag

        for model, rows in ((Plan, self.plans), (PlanRevision, self.revisions),
                            (PlanTag, self.tags), (PlanComment, self.comments),
                            (PlanCoauthor, self.coauthors)):
            if rows:
                db.session.execute(insert(model.__table__), rows)


class PlanMaker:
    """Makes the rows of one plan at a time, with ids counted from `first_id`."""

    def __init__(self, rng: random.Random, authors: dict[int, list[Author]], first_id: int):
        self.rng = rng
        self.authors = authors
        self.school_ids = list(authors)
        self.next_id = first_id
        self.now = datetime.now(UTC)

    def add(self, rows: Rows) -> None:
        rng = self.rng
        school_id = rng.choices(self.school_ids, weights=SCHOOL_WEIGHTS)[0]
        author = rng.choice(self.authors[school_id])
        subject = rng.choice(author.subjects)
        topic = rng.choice(SUBJECTS[subject])
        plan_id, self.next_id = self.next_id, self.next_id + 1
        visibility = rng.choices(list(VISIBILITY_WEIGHTS), weights=VISIBILITY_WEIGHTS.values())[0]
        team_id = rng.choice(author.team_ids) if author.team_ids else None
        if visibility == "team" and team_id is None:
            visibility = "school"
        title = f"{rng.choice(FORMS)} {topic}" + (f" {rng.choice(PHRASES)}" if rng.random() < 0.3
                                                  else "")
        body = plan_body(rng, topic, rng.random() < RARE_SHARE)
        updated = self.now - timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60))
        revision_count = rng.randint(1, 4)
        rows.plans.append({
            "id": plan_id, "school_id": school_id, "owner_id": author.user_id,
            "team_id": team_id, "title": title, "body": body, "subject": subject,
            "grade": rng.choice(GRADES), "topic": topic, "duration_minutes": 80,
            "visibility": visibility, "is_research_lesson": rng.random() < 0.1,
            "template_key": "modul_ajar", "forked_from_id": None,
            "revision_number": revision_count, "version": revision_count,
            "created_at": updated - timedelta(days=revision_count), "updated_at": updated,
        })
        self._children(rows, plan_id, author, title, body, updated, revision_count)

    def _children(self, rows: Rows, plan_id: int, author: Author, title: str, body: str,
                  updated: datetime, revision_count: int) -> None:
        rng = self.rng
        for number in range(1, revision_count + 1):
            rows.revisions.append({
                "plan_id": plan_id, "number": number, "title": title, "body": body,
                "message": "", "author_id": author.user_id,
                "created_at": updated - timedelta(days=revision_count - number),
            })
        rows.tags += [{"plan_id": plan_id, "tag": tag}
                      for tag in rng.sample(TAGS, rng.randint(0, 4))]
        colleagues = [a for a in self.authors[author.school_id] if a.user_id != author.user_id]
        for _ in range(rng.randint(0, 3)):
            rows.comments.append({
                "plan_id": plan_id, "author_id": rng.choice(colleagues).user_id,
                "parent_id": None, "section": "", "body": rng.choice(COMMENTS),
                "created_at": updated, "resolved_at": None, "resolved_by_id": None,
            })
        if colleagues and rng.random() < 0.1:
            rows.coauthors.append({"plan_id": plan_id,
                                   "user_id": rng.choice(colleagues).user_id})


def generate(count: int = DEFAULT_PLANS, seed: int = SEED) -> Generated:
    """Add `count` generated plans; needs an app context and the demo data. Commits."""
    from collab.extensions import db
    from collab.plans.models import Plan

    start = time.perf_counter()
    authors = _authors(_schools())
    first_id = (db.session.scalar(select(func.max(Plan.id))) or 0) + 1
    maker = PlanMaker(random.Random(seed), authors, first_id)
    totals = dict.fromkeys(Rows.KINDS, 0)
    for done in range(0, count, CHUNK):
        rows = Rows()
        for _ in range(min(CHUNK, count - done)):
            maker.add(rows)
        rows.write()
        for kind in Rows.KINDS:
            totals[kind] += len(getattr(rows, kind))
    db.session.commit()
    if db.session.get_bind().dialect.name == "sqlite":
        # The load went through the write-ahead log in one go (hundreds of MB); a live
        # database checkpoints every 1000 pages. Until the log is checkpointed and reset,
        # every page read searches its index, which is not what a server sees.
        db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.session.commit()
    return Generated(**totals, seconds=round(time.perf_counter() - start, 2))


def plan_count(default: int = DEFAULT_PLANS) -> int:
    """The number of plans to generate: REMBUK_BENCH_PLANS if set, else `default`."""
    value = os.environ.get("REMBUK_BENCH_PLANS", "")
    return int(value) if value.isdigit() else default


def main(argv: list[str] | None = None) -> int:
    """Fill a database (migrated, demo data added if missing) with generated plans."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=plan_count())
    parser.add_argument("--database", required=True,
                        help="SQLAlchemy URL or SQLite file path to fill")
    args = parser.parse_args(argv)
    url = args.database if "://" in args.database else f"sqlite:///{os.path.abspath(args.database)}"
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-that-is-long-enough-0123456789abcdef")
    from flask_migrate import upgrade

    from collab import create_app
    from collab.demo import seed as demo
    from collab.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        demo.seed()
        db.session.commit()
        result = generate(args.plans)
    print(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
