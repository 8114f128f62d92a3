"""Finding plans at /plans/: full-text search (FTS5 on SQLite, tsvector on PostgreSQL), ranking,
filters, pages, visibility in results, counts and facets, hostile queries, the index following
edits and deletes, and a query count that does not grow with the data."""

import re

import pytest

from collab.extensions import db
from collab.plans import service as plans
from collab.plans import service_search as plan_search
from collab.plans.models import Plan, PlanComment
from collab.plans.service import PlanFields
from collab.plans.service_search import PlanQuery

pytestmark = pytest.mark.dialect  # full-text search: SQLite FTS5 / PostgreSQL tsvector


def make_plan(user, title, body="", **fields) -> Plan:
    """A plan saved through the service, committed (visible to the whole school by default)."""
    fields.setdefault("visibility", "school")
    plan = plans.create(user, PlanFields(title=title, body=body, **fields))
    db.session.commit()
    return plan


def found(user, **args) -> list[str]:
    """Titles of the first page of the search, in order."""
    page = plan_search.search(user, PlanQuery.from_args(args))
    return [p.title for p in page.items]


def listed(response) -> list[str]:
    """Titles of the plans a rendered /plans/ page lists, in order."""
    assert response.status_code == 200, response.status_code
    return re.findall(r'<h2><a href="/plans/\d+">([^<]*)</a></h2>', response.text)


def shown_total(response) -> int:
    match = re.search(r'<p role="status">\s*(\d+)', response.text)
    assert match, "the page states how many plans match"
    return int(match.group(1))


# ---------------------------------------------------------------- matching and ranking


def test_a_title_match_ranks_above_a_body_only_match(app, world):
    teacher = world["a"]["teacher"]
    make_plan(teacher, "Kegiatan kelompok", body="Siswa mengukur keliling lingkaran.")
    make_plan(teacher, "Keliling lingkaran", body="Siswa bekerja dalam kelompok.")
    make_plan(teacher, "Bangun datar", body="Tanpa kata yang dicari.")
    assert found(teacher, q="lingkaran") == ["Keliling lingkaran", "Kegiatan kelompok"]


def test_ranking_beats_recency_and_without_words_the_newest_comes_first(app, world):
    teacher = world["a"]["teacher"]
    make_plan(teacher, "Fotosintesis", body="Daun dan cahaya.")
    make_plan(teacher, "Ekosistem sawah", body="Rantai makanan; sedikit tentang fotosintesis.")
    assert found(teacher, q="fotosintesis") == ["Fotosintesis", "Ekosistem sawah"]
    assert found(teacher) == ["Ekosistem sawah", "Fotosintesis"]


def test_matches_beyond_the_ranked_ones_are_still_found_and_counted(app, world, monkeypatch):
    """SQLite ranks only the newest RANKED_MATCHES matches; older ones follow, newest first."""
    monkeypatch.setattr(plan_search, "RANKED_MATCHES", 1)
    teacher = world["a"]["teacher"]
    make_plan(teacher, "Gempa bumi", body="Mitigasi.")
    make_plan(teacher, "Mitigasi bencana", body="Gempa dan banjir.")
    make_plan(teacher, "Banjir", body="Sedikit tentang gempa.")
    page = plan_search.search(teacher, PlanQuery.from_args({"q": "gempa"}))
    assert page.total == 3
    assert sorted(p.title for p in page.items) == ["Banjir", "Gempa bumi", "Mitigasi bencana"]


def test_a_word_in_very_many_plans_lists_the_newest_and_says_there_are_more(
        app, world, client_for, monkeypatch):
    """Past MAX_MATCHES matches the search stops counting: the newest MAX_MATCHES are ranked
    and listed, the page says there are more and asks for another word or a filter."""
    monkeypatch.setattr(plan_search, "MAX_MATCHES", 2)
    teacher = world["a"]["teacher"]
    make_plan(teacher, "Banjir", body="Sedikit tentang gempa.")
    make_plan(teacher, "Mitigasi bencana", body="Gempa dan banjir.")
    make_plan(teacher, "Gempa bumi", body="Mitigasi.")
    page = plan_search.search(teacher, PlanQuery.from_args({"q": "gempa"}))
    assert (page.total, page.capped) == (2, True)
    assert [p.title for p in page.items] == ["Gempa bumi", "Mitigasi bencana"]
    assert plan_search.search(teacher, PlanQuery.from_args({"q": "banjir"})).capped is False
    text = client_for(teacher).get("/plans/?q=gempa").text
    assert "Lebih dari 2 rencana cocok" in text or "More than 2 plans match" in text


def test_a_word_start_finds_the_longer_indonesian_words(app, world):
    teacher = world["a"]["teacher"]
    make_plan(teacher, "Pecahan senilai", body="Menyederhanakan pecahan.")
    make_plan(teacher, "Bilangan bulat", body="Operasi hitung.")
    assert found(teacher, q="pecah") == ["Pecahan senilai"]
    assert found(teacher, q="PECAHAN") == ["Pecahan senilai"]


def test_every_word_must_match_anywhere_in_title_topic_or_text(app, world):
    teacher = world["a"]["teacher"]
    make_plan(teacher, "Bangun datar", topic="Keliling persegi", body="Siswa mengukur meja.")
    make_plan(teacher, "Bangun ruang", body="Siswa membuat kubus dari karton.")
    assert found(teacher, q="bangun mengukur") == ["Bangun datar"]
    assert found(teacher, q="persegi") == ["Bangun datar"]
    assert found(teacher, q="bangun") == ["Bangun ruang", "Bangun datar"]
    assert found(teacher, q="kubus persegi") == []


def test_anak_anak_and_other_words_joined_by_a_hyphen_are_found(app, world):
    teacher = world["a"]["teacher"]
    make_plan(teacher, "Permainan tradisional", body="Anak-anak bermain congklak di halaman.")
    assert found(teacher, q="anak-anak") == ["Permainan tradisional"]
    assert found(teacher, q="congklak, halaman!") == ["Permainan tradisional"]


def test_letters_with_diacritics_match_without_them(app, world):
    teacher = world["a"]["teacher"]
    make_plan(teacher, "Lagu daerah", body="Musik gamelan dan kecapi.")
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the 'simple' configuration keeps diacritics (no unaccent extension)")
    assert found(teacher, q="gamelán") == ["Lagu daerah"]


# ---------------------------------------------------------------- filters and pages


@pytest.fixture
def catalogue(world):
    """Plans of two teachers of school A with different subjects, grades, tags and sharing."""
    a = world["a"]
    teacher, colleague = a["teacher"], a["teacher2"]
    make_plan(teacher, "Pecahan di pasar", subject="Matematika", grade="7",
              tags=["numerasi", "proyek"])
    make_plan(teacher, "Fotosintesis", subject="IPA", grade="8", tags=["praktikum"])
    shared = make_plan(colleague, "Pecahan desimal", subject="Matematika", grade="8",
                       tags=["numerasi"])
    plans.set_coauthors(shared, {teacher.id}, colleague)
    make_plan(colleague, "Teks prosedur", subject="Bahasa Indonesia", grade="7")
    db.session.commit()
    return a


@pytest.mark.parametrize(("args", "titles"), [
    ({"subject": "Matematika"}, ["Pecahan desimal", "Pecahan di pasar"]),
    ({"grade": "7"}, ["Teks prosedur", "Pecahan di pasar"]),
    ({"tag": "numerasi"}, ["Pecahan desimal", "Pecahan di pasar"]),
    ({"tag": "NUMERASI", "grade": "8"}, ["Pecahan desimal"]),
    ({"scope": "mine"}, ["Fotosintesis", "Pecahan di pasar"]),
    ({"scope": "shared"}, ["Pecahan desimal"]),
    ({"q": "pecahan", "subject": "Matematika", "grade": "7"}, ["Pecahan di pasar"]),
    ({"q": "pecahan", "tag": "praktikum"}, []),
])
def test_filters_narrow_the_list_and_the_search(catalogue, args, titles):
    assert found(catalogue["teacher"], **args) == titles


def test_the_author_filter_shows_one_colleagues_plans(catalogue):
    colleague = catalogue["teacher2"]
    assert found(catalogue["teacher"], author=str(colleague.id)) == ["Teks prosedur",
                                                                     "Pecahan desimal"]


def test_the_page_filters_and_lists_the_facets(catalogue, client_for):
    client = client_for(catalogue["teacher"])
    response = client.get("/plans/?subject=Matematika&tag=numerasi")
    assert listed(response) == ["Pecahan desimal", "Pecahan di pasar"]
    assert shown_total(response) == 2
    facets = plan_search.facets(catalogue["teacher"])
    assert facets["subjects"] == ["Bahasa Indonesia", "IPA", "Matematika"]
    assert facets["grades"] == ["7", "8"]
    assert facets["tags"] == ["numerasi", "praktikum", "proyek"]
    assert [name for _, name in facets["authors"]] == ["Second A", "Teacher A"]


def test_the_twenty_first_plan_is_on_page_two(app, world, client_for):
    teacher = world["a"]["teacher"]
    for number in range(1, 22):
        make_plan(teacher, f"Modul {number:02d}", body="Satuan panjang dan berat.")
    client = client_for(teacher)
    first = client.get("/plans/")
    assert shown_total(first) == 21
    assert listed(first) == [f"Modul {n:02d}" for n in range(21, 1, -1)]
    assert 'rel="next"' in first.text
    assert listed(client.get("/plans/?page=2")) == ["Modul 01"]
    searched = client.get("/plans/?q=satuan&page=2")
    assert len(listed(searched)) == 1 and shown_total(searched) == 21
    past_the_end = client.get("/plans/?page=9")
    assert listed(past_the_end) == [] and shown_total(past_the_end) == 21


# ---------------------------------------------------------------- visibility


@pytest.fixture
def hidden(world, make):
    """Plans the teacher of school A may not see, each holding a word no other plan has."""
    a, b = world["a"], world["b"]
    other_team = make.team(a["school"], "Team Other", [a["teacher2"]])
    make_plan(b["teacher"], "Rahasia Beta", body="Kata zamrud hanya di sekolah lain.",
              subject="Seni Beta", tags=["tagbeta"])
    make_plan(a["teacher2"], "Draf pribadi", body="Kata safir di draf pribadi.",
              visibility="private", subject="Seni Privat", tags=["tagprivat"])
    make_plan(a["teacher2"], "Tim lain", body="Kata mirah untuk tim lain.",
              visibility="team", team_id=other_team.id, tags=["tagtim"])
    make_plan(a["mentor"], "Terbuka", body="Kata intan untuk semua.", tags=["tagterbuka"])
    return a


@pytest.mark.parametrize("word", ["zamrud", "safir", "mirah", "rahasia", "draf"])
def test_plans_the_user_may_not_see_are_never_found_nor_counted(hidden, client_for, word):
    response = client_for(hidden["teacher"]).get(f"/plans/?q={word}")
    assert listed(response) == []
    assert shown_total(response) == 0
    assert found(hidden["teacher"], q=word) == []


def test_visible_plans_and_facets_leave_out_what_the_user_may_not_see(hidden, world, client_for):
    teacher = hidden["teacher"]
    response = client_for(teacher).get("/plans/")
    assert listed(response) == ["Terbuka"] and shown_total(response) == 1
    assert found(teacher, q="intan") == ["Terbuka"]
    facets = plan_search.facets(teacher)
    assert facets["tags"] == ["tagterbuka"]
    assert facets["subjects"] == []
    assert [name for _, name in facets["authors"]] == ["Mentor A"]
    for secret in ("tagbeta", "tagprivat", "tagtim", "Seni Beta", "Seni Privat", "Second A",
                   "Teacher B"):
        assert secret not in response.text
    # The owner and the other school's teacher do see their own.
    assert found(hidden["teacher2"], q="safir") == ["Draf pribadi"]
    assert found(world["b"]["teacher"], q="zamrud") == ["Rahasia Beta"]
    assert found(world["b"]["teacher"], q="intan") == []


def test_personal_facets_follow_co_authorships_and_teams_at_once(app, world):
    """What only some members see (team and co-authored plans) is kept per user between
    requests: being added or removed must still show at once."""
    from collab.people.models import TeamMember

    a = world["a"]
    team_plan = make_plan(a["teacher"], "Rahasia tim", subject="Seni Tim", visibility="team",
                          team_id=a["team"].id)
    private = make_plan(a["teacher"], "Draf", subject="Seni Draf", visibility="private")
    reader = a["teacher2"]
    assert plan_search.facets(reader)["subjects"] == []
    db.session.add(TeamMember(team_id=a["team"].id, user_id=reader.id))
    db.session.commit()
    assert plan_search.facets(reader)["subjects"] == ["Seni Tim"]
    plans.set_coauthors(private, {reader.id}, a["teacher"])
    db.session.commit()
    assert plan_search.facets(reader)["subjects"] == ["Seni Draf", "Seni Tim"]
    plans.set_coauthors(private, set(), a["teacher"])
    db.session.delete(db.session.get(TeamMember, (a["team"].id, reader.id)))
    db.session.commit()
    assert plan_search.facets(reader)["subjects"] == [], team_plan.title


def test_facets_follow_every_change_of_the_plans_at_once(app, world):
    """The facet values of school-wide plans are kept between requests: a change of
    visibility, tags or a deletion must still show at once."""
    owner, colleague = world["a"]["teacher"], world["a"]["teacher2"]
    plan = make_plan(owner, "Ekosistem", subject="IPA", tags=["lama"])
    assert plan_search.facets(colleague)["tags"] == ["lama"]
    plans.save(plan, owner, PlanFields(title="Ekosistem", subject="IPA", tags=["baru"],
                                       visibility="school"), base_revision=1)
    db.session.commit()
    assert plan_search.facets(colleague)["tags"] == ["baru"]
    plans.save(plan, owner, PlanFields(title="Ekosistem", subject="IPA", tags=["baru"],
                                       visibility="private"), base_revision=2)
    db.session.commit()
    assert plan_search.facets(colleague) == {"subjects": [], "grades": [], "tags": [],
                                             "authors": []}
    assert plan_search.facets(owner)["tags"] == ["baru"]
    other = make_plan(owner, "Tata surya", subject="IPA", tags=["planet"])
    assert plan_search.facets(colleague)["tags"] == ["planet"]
    db.session.delete(other)
    db.session.commit()
    assert plan_search.facets(colleague)["tags"] == []


def test_a_team_plan_is_found_by_the_team_and_not_by_others(app, world):
    a = world["a"]
    make_plan(a["teacher"], "Lesson study kelas 7", body="Rencana tim tentang batik.",
              visibility="team", team_id=a["team"].id)
    assert found(a["mentor"], q="batik") == ["Lesson study kelas 7"]
    assert found(a["teacher2"], q="batik") == []
    assert found(a["principal"], q="batik") == []


def test_someone_without_a_school_finds_nothing(app, world):
    make_plan(world["a"]["teacher"], "Terbuka", body="Kata intan.")
    assert found(world.outsider, q="intan") == []
    assert plan_search.facets(world.outsider)["tags"] == []


# ---------------------------------------------------------------- hostile input


HOSTILE = [
    '"', '""', '"pecahan', "*", "pecahan*", "* *", "NEAR(", "NEAR(pecahan senilai, 2)",
    "pecahan NEAR/2 senilai", "-", "-pecahan", "pecahan -senilai", ":", "title:pecahan",
    "{title}: pecahan", "title : x", "(", ")", "((pecahan)", "pecahan)", "^pecahan", "+",
    "AND", "OR", "NOT", "pecahan OR", "NOT pecahan", "a AND OR NOT b", "'", "''", "\\",
    "%", "_", "%_%", "pecahan & | ! <-> :*", "pecahan:*", "!!", "<->", "'; DROP TABLE plans;--",
    "\u00a0", "🙂", "ﬁ", "e\u0301", "١٢٣", "x" * 10_000, "pecahan " * 2_000, "a" * 300,
]


@pytest.mark.parametrize("q", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_searches_answer_200(app, world, client_for, q):
    make_plan(world["a"]["teacher"], "Pecahan senilai", body="Menyederhanakan pecahan.")
    client = client_for(world["a"]["teacher"])
    response = client.get("/plans/", query_string={"q": q})
    assert response.status_code == 200
    assert plan_search.search(world["a"]["teacher"], PlanQuery.from_args({"q": q})) is not None


@pytest.mark.parametrize("args", [
    {"page": "-1"}, {"page": "0"}, {"page": "99999999999"}, {"page": "x"},
    {"author": "99999999999999999999"}, {"author": "-3"}, {"scope": "everyone"},
    {"tag": "x" * 500}, {"subject": "'"}, {"grade": "%"},
])
def test_hostile_filters_answer_200(app, world, client_for, args):
    make_plan(world["a"]["teacher"], "Pecahan senilai")
    response = client_for(world["a"]["teacher"]).get("/plans/", query_string=args)
    assert response.status_code == 200


def test_search_words_reach_the_index_as_quoted_terms_only():
    assert plan_search.search_terms('NEAR("a" b*) -c title:d ^e') == [
        "near", "a", "b", "c", "title", "d", "e"]
    assert plan_search.search_terms("(f) g'h Ünïcode_x") == ["f", "g", "h", "ünïcode", "x"]
    assert plan_search.fts5_query(["pecah", "7", "a"]) == '"pecah"* "7" "a"'
    assert plan_search.tsquery(["pecah", "7"]) == "pecah:* & 7"
    assert plan_search.search_terms("x " * 100) == ["x"]
    assert len(plan_search.search_terms(" ".join(f"w{n}" for n in range(50)))) == 8


# ---------------------------------------------------------------- the index follows the plans


def test_the_index_follows_a_new_revision(app, world, client_for):
    teacher = world["a"]["teacher"]
    plan = make_plan(teacher, "Energi", body="Sumber energi: matahari.")
    plans.save(plan, teacher, PlanFields(title="Energi terbarukan", body="Kincir angin.",
                                         visibility="school"), base_revision=1)
    db.session.commit()
    assert found(teacher, q="kincir") == ["Energi terbarukan"]
    assert found(teacher, q="terbarukan") == ["Energi terbarukan"]
    assert found(teacher, q="matahari") == []
    assert listed(client_for(teacher).get("/plans/?q=matahari")) == []


def test_the_index_follows_a_restore_and_a_fork(app, world):
    teacher, colleague = world["a"]["teacher"], world["a"]["teacher2"]
    plan = make_plan(teacher, "Energi", body="Sumber energi: matahari.")
    plans.save(plan, teacher, PlanFields(title="Energi", body="Kincir angin.",
                                         visibility="school"), base_revision=1)
    plans.restore(plan, teacher, 1)
    db.session.commit()
    assert found(teacher, q="matahari") == ["Energi"]
    assert found(teacher, q="kincir") == []
    plans.fork(plan, colleague)
    db.session.commit()
    assert found(colleague, q="matahari") == ["Energi", "Energi"]
    assert found(teacher, q="matahari") == ["Energi"]  # the fork is private


def test_the_index_forgets_a_deleted_plan(app, world):
    teacher = world["a"]["teacher"]
    plan = make_plan(teacher, "Gerhana", body="Bulan dan matahari.")
    make_plan(teacher, "Tata surya", body="Planet dan matahari.")
    db.session.delete(plan)
    db.session.commit()
    assert found(teacher, q="gerhana") == []
    assert found(teacher, q="matahari") == ["Tata surya"]
    if db.engine.dialect.name == "sqlite":
        # FTS5 checks its index against the plans table.
        db.session.execute(db.text(
            "INSERT INTO plans_fts(plans_fts, rank) VALUES ('integrity-check', 1)"))


def test_the_index_forgets_the_plans_of_a_deleted_school(app, world):
    b = world["b"]
    make_plan(b["teacher"], "Sekolah Beta", body="Kata kecubung.")
    db.session.delete(b["school"])
    db.session.commit()
    make_plan(world["a"]["teacher"], "Sekolah Alpha", body="Kata kecubung.")
    assert found(world["a"]["teacher"], q="kecubung") == ["Sekolah Alpha"]
    if db.engine.dialect.name == "sqlite":
        db.session.execute(db.text(
            "INSERT INTO plans_fts(plans_fts, rank) VALUES ('integrity-check', 1)"))


# ---------------------------------------------------------------- queries per page


QUERY_BUDGET = 8
PAGES = ["/plans/", "/plans/?q=pecahan", "/plans/?q=pecahan&subject=Matematika&tag=numerasi",
         "/plans/?scope=mine&grade=7", "/plans/?page=2"]


def _statements_per_page(client, count_queries) -> dict[str, tuple[int, int]]:
    """Statements of a first and a second GET of every page. The first request after the
    plans changed reads the school-wide facets again (one more query); later ones reuse
    them."""
    counts = {}
    for url in PAGES:
        with count_queries() as first:
            assert client.get(url).status_code == 200
        with count_queries() as again:
            assert client.get(url).status_code == 200
        counts[url] = (len(first), len(again))
    return counts


def _grow(world, count: int) -> None:
    """`count` more plans by several authors, with revisions, tags, comments, co-authors."""
    a = world["a"]
    authors = [a["teacher"], a["teacher2"], a["mentor"]]
    for n in range(count):
        owner = authors[n % 3]
        plan = plans.create(owner, PlanFields(
            title=f"Pecahan {n}", body=f"Langkah {n}: pecahan dan numerasi.",
            subject="Matematika" if n % 2 else "IPA", grade=str(7 + n % 3),
            tags=["numerasi", f"tag{n % 7}"], visibility=("school", "team", "private")[n % 3],
            team_id=a["team"].id))
        for revision in range(1, 1 + n % 3):
            plans.save(plan, owner, PlanFields(
                title=plan.title, body=f"Revisi {revision}: pecahan.", subject=plan.subject,
                grade=plan.grade, tags=plan.tag_names, visibility=plan.visibility,
                team_id=plan.team_id), base_revision=revision)
        for _ in range(n % 4):
            db.session.add(PlanComment(plan_id=plan.id, author_id=a["mentor"].id, body="Bagus"))
        if n % 5 == 0 and owner.id != a["teacher"].id:
            plans.set_coauthors(plan, {a["teacher"].id}, owner)
    db.session.commit()


def test_a_page_takes_the_same_few_queries_with_5_or_200_plans(app, world, client_for,
                                                                count_queries):
    _grow(world, 5)
    client = client_for(world["a"]["teacher"])
    client.get("/")  # the client's first request loads what later ones reuse
    few = _statements_per_page(client, count_queries)
    _grow(world, 195)
    many = _statements_per_page(client, count_queries)
    assert many == few
    assert max(max(pair) for pair in many.values()) <= QUERY_BUDGET, many
