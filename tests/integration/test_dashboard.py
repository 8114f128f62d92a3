"""The principal's dashboard on a hand-counted school: each figure equals the count of what
was done, the flags appear and clear at their thresholds, periods end at midnight in the
school's time zone, the denials, the CSV files, the privacy rules and the query budget."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from collab.dashboard import service as periods
from collab.dashboard import service_figures as figures
from collab.extensions import db
from collab.mentoring.models import CheckIn, MentorPair
from collab.plans import service_comments as comments
from collab.timetables.models import Term
from tests.integration.dashboard_activity import Acts, Clock

# Today, in Jakarta (UTC+7): Wednesday 18 November 2026, 10:00.
NOW = datetime(2026, 11, 18, 3, 0, tzinfo=UTC)
TODAY = date(2026, 11, 18)

# Upserts, date arithmetic and the rollup's sums differ between SQLite and PostgreSQL.
pytestmark = pytest.mark.dialect


@pytest.fixture
def school(make, monkeypatch):
    """SMP Hitung: six teachers (two novices), two teams, a principal; nothing done yet."""
    made = make.school("SMP Hitung")  # Asia/Jakarta
    ani = make.user(made, name="Ani", years=10)
    budi = make.user(made, name="Budi", years=12)
    citra = make.user(made, name="Citra", years=1)  # novice
    dodi = make.user(made, name="Dodi", years=2)  # novice
    eka = make.user(made, name="Eka", years=8)
    fitri = make.user(made, name="Fitri", years=20)
    principal = make.user(made, role="principal", name="Kepala Hitung")
    make.team(made, "MGMP Matematika", [ani, budi, citra])
    make.team(made, "Tim Kelas 8", [dodi, eka])
    monkeypatch.setattr(periods, "utcnow", lambda: NOW)
    clock = Clock(monkeypatch, NOW - timedelta(days=10))
    people = {"ani": ani, "budi": budi, "citra": citra, "dodi": dodi, "eka": eka,
              "fitri": fitri, "principal": principal}
    return made, people, Acts(made, principal, clock), clock


def _period(days=30):
    return periods.last_days(TODAY, days)


def _rows(found):
    return {row.teacher.name: row for row in found.rows}


def _hand_counted_activity(school):
    """What happened in the last 30 days, counted by hand in the assertions below."""
    _made, p, acts, clock = school
    clock.at(NOW - timedelta(days=10))
    plan = acts.plan(p["ani"], "Pecahan", research=True)  # Ani writes (shared with school)
    acts.save(plan, p["budi"])  # Budi co-writes: 1
    obs = acts.observation(p["ani"], [p["budi"], p["citra"]], plan=plan)  # Ani asks: 1
    clock.at(NOW - timedelta(days=9))
    acts.submit(obs, p["budi"])  # Budi observes: 1
    acts.submit(obs, p["citra"])  # Citra observes: 1
    clock.at(NOW - timedelta(days=8))
    acts.debrief(obs)  # Ani debriefs: 1
    clock.at(NOW - timedelta(days=7))
    acts.save(plan, p["ani"])  # Ani revises after the debrief: a cycle, and co-writing: 1
    comments.add(plan, p["eka"], "Bagus sekali")  # Eka comments on a colleague's plan: 1
    acts.feedback(p["budi"], p["ani"], kind="mentor")  # Budi gives, Ani receives: 1
    pair = acts.pair(p["citra"], p["fitri"])  # Fitri mentors Citra
    acts.check_in(pair, p["citra"])  # Citra logs a check-in: 1
    acts.message(p["eka"], room_id=5)
    acts.message(p["eka"], room_id=5)
    acts.message(p["budi"], room_id=6)  # three messages, two rooms
    # Forty days ago: the previous period.
    clock.at(NOW - timedelta(days=40))
    acts.feedback(p["eka"], p["dodi"], kind="mentor")
    db.session.commit()
    return plan, obs, pair


def test_the_figures_equal_a_hand_count_for_each_kind(school):
    made, p, _acts, _clock = school
    _hand_counted_activity(school)

    found = figures.dashboard(made, p["principal"].id, _period(), TODAY)

    rows = _rows(found)
    assert rows["Ani"].figures == {
        "plans_shared": 1, "plan_cowritten": 1, "comment_given": 0,
        "observation_requested": 1, "observation_given": 0, "observation_debriefed": 1,
        "feedback_given": 0, "feedback_received": 1, "room_message": 0, "check_in": 0}
    assert rows["Budi"].figures["plan_cowritten"] == 1
    assert rows["Budi"].figures["observation_given"] == 1
    assert rows["Budi"].figures["feedback_given"] == 1
    assert rows["Budi"].figures["room_message"] == 1
    assert rows["Budi"].figures["plans_shared"] == 0  # he wrote in it, he is no co-author
    assert rows["Citra"].figures["observation_given"] == 1
    assert rows["Citra"].figures["check_in"] == 1
    assert rows["Eka"].figures["comment_given"] == 1
    assert rows["Eka"].figures["room_message"] == 2
    assert rows["Eka"].figures["feedback_given"] == 0  # forty days ago: previous period
    school_figures = {f.key: (f.now, f.before) for f in found.figures}
    assert school_figures == {
        "cycles": (1, 0), "cowritten": (2, 0), "adapted": (0, 0), "comments": (1, 0),
        "observed": (2, 0), "feedback": (1, 1), "rooms": (2, 0), "check_ins": (1, 0)}
    states = {state: (now, before) for state, now, before in found.states}
    assert states["debriefed"] == (1, 0)
    assert [row.teacher.name for row in found.rows] == ["Ani", "Budi", "Citra", "Dodi", "Eka",
                                                        "Fitri"]
    assert [t.name for t in found.isolated] == ["Dodi", "Eka"]  # a comment is no edge
    edges = {(e.first.name, e.second.name): e.kinds for e in found.edges}
    assert edges[("Ani", "Budi")] == {"cowrite": 2, "observe": 1, "debrief": 1, "feedback": 1}
    assert edges[("Ani", "Citra")] == {"observe": 1, "debrief": 1}
    assert edges[("Budi", "Citra")] == {"debrief": 1}
    assert edges[("Citra", "Fitri")] == {"mentoring": 2}
    teams = {name: (members, sums["observation_given"], alone)
             for name, members, sums, alone in found.teams}
    assert teams == {"MGMP Matematika": (3, 2, 0), "Tim Kelas 8": (2, 0, 2)}
    assert [p.title for p in found.plans] == ["Pecahan"]


def test_the_previous_period_has_the_same_length_just_before(school):
    period = periods.dates_period(date(2026, 11, 1), date(2026, 11, 10))
    assert (period.previous.start, period.previous.end) == (date(2026, 10, 22),
                                                           date(2026, 10, 31))


def test_this_term_runs_from_its_first_day_to_today_and_between_terms_it_is_30_days(school):
    made, *_ = school
    db.session.add(Term(school_id=made.id, name="Semester 1", starts_on=date(2026, 7, 13),
                        ends_on=date(2026, 12, 18)))
    db.session.commit()
    found = periods.term_period(periods.terms(made.id), TODAY)
    assert (found.start, found.end, found.term) == (date(2026, 7, 13), TODAY, "Semester 1")
    between = periods.term_period(periods.terms(made.id), date(2027, 1, 2))
    assert between.no_term and between.days == 30


def test_a_period_ends_at_midnight_in_the_schools_time_zone(school):
    made, p, acts, clock = school
    # 16:59 UTC on 31 October is 23:59 in Jakarta; 17:00 UTC is already 1 November.
    clock.at(datetime(2026, 10, 31, 16, 59, tzinfo=UTC))
    acts.message(p["ani"])
    clock.at(datetime(2026, 10, 31, 17, 0, tzinfo=UTC))
    acts.message(p["budi"])
    db.session.commit()

    october = periods.dates_period(date(2026, 10, 1), date(2026, 10, 31))
    found = _rows(figures.dashboard(made, p["principal"].id, october, TODAY))
    assert found["Ani"].figures["room_message"] == 1
    assert found["Budi"].figures["room_message"] == 0
    november = periods.dates_period(date(2026, 11, 1), date(2026, 11, 30))
    found = _rows(figures.dashboard(made, p["principal"].id, november, TODAY))
    assert found["Budi"].figures["room_message"] == 1


def test_a_period_of_whole_weeks_and_cut_days_adds_up_like_its_days(school):
    made, p, acts, clock = school
    for day in range(1, 31):  # one message a day in November
        clock.at(datetime(2026, 11, day, 5, tzinfo=UTC))
        acts.message(p["ani"])
    db.session.commit()
    for first, last in ((1, 30), (4, 17), (9, 15), (10, 12), (2, 29)):
        period = periods.dates_period(date(2026, 11, first), date(2026, 11, last))
        counts = periods.counts(made.id, period)
        assert counts.of(p["ani"].id, "room_message") == last - first + 1, (first, last)


def test_a_period_of_months_weeks_and_days_adds_up_like_its_days(school):
    made, p, acts, clock = school
    first_day = date(2026, 8, 25)
    for n in range(100):  # one message a day from 25 August to 2 December
        clock.at(datetime.combine(first_day + timedelta(days=n), datetime.min.time(),
                                  UTC).replace(hour=5))
        acts.message(p["ani"])
    db.session.commit()
    for first, last in ((date(2026, 9, 1), date(2026, 11, 30)),  # whole months
                        (date(2026, 8, 28), date(2026, 11, 3)),  # cut at both ends
                        (date(2026, 9, 30), date(2026, 10, 1)),  # no whole week
                        (date(2026, 8, 25), date(2026, 12, 2))):
        period = periods.dates_period(first, last)
        spans = {span for span, _a, _b in periods.ranges(first, last)}
        counts = periods.counts(made.id, period)
        days = (last - first).days + 1
        assert counts.of(p["ani"].id, "room_message") == days, (first, last, spans)
        assert counts.total("room_message") == days
        before = min(days, max((period.previous.end - first_day).days + 1, 0))
        assert counts.total("room_message", previous=True) == before, (first, last)
        parts = periods.ranges(first, last)
        covered = sorted(d for _span, a, b in parts for d in _days_of(_span, a, b))
        assert covered == [first + timedelta(days=n) for n in range(days)], parts


def _days_of(span, first, last):
    """The days the rows first..last of a span cover."""
    day, found = first, []
    while day <= last:
        if span == "d":
            found.append(day)
            day += timedelta(days=1)
        elif span == "w":
            found += [day + timedelta(days=n) for n in range(7)]
            day += timedelta(weeks=1)
        else:
            after = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
            found += [day + timedelta(days=n) for n in range((after - day).days)]
            day = after
    return found


def _flag_codes(made, p, name, quiet=30):
    rows = _rows(figures.dashboard(made, p["principal"].id, _period(), TODAY, quiet))
    return {f.code for f in rows[name].flags}


def test_the_quiet_flag_appears_after_n_days_without_a_colleague_and_clears(school):
    made, p, acts, clock = school
    clock.at(NOW - timedelta(days=10))
    acts.pair(p["ani"], p["budi"])  # their last act with a colleague: 10 days ago
    db.session.commit()
    assert "quiet" in _flag_codes(made, p, "Eka")  # never
    assert "quiet" in _flag_codes(made, p, "Ani", quiet=10)
    assert "quiet" not in _flag_codes(made, p, "Ani", quiet=11)
    clock.at(NOW)
    acts.check_in(db.session.scalars(select(MentorPair)).one(), p["ani"])
    db.session.commit()
    assert "quiet" not in _flag_codes(made, p, "Ani", quiet=1)


def test_novice_without_a_mentor_is_flagged_until_paired(school):
    made, p, acts, _clock = school
    assert "no_mentor" in _flag_codes(made, p, "Dodi")
    assert "no_mentor" not in _flag_codes(made, p, "Eka")  # not a novice
    acts.pair(p["dodi"], p["fitri"])
    db.session.commit()
    assert "no_mentor" not in _flag_codes(made, p, "Dodi")


def test_a_pair_without_a_check_in_for_14_days_is_flagged_and_a_check_in_clears_it(school):
    made, p, acts, clock = school
    clock.at(NOW - timedelta(days=13))
    pair = acts.pair(p["citra"], p["fitri"])
    db.session.commit()
    assert "check_in" not in _flag_codes(made, p, "Citra")  # 13 days
    clock.at(NOW - timedelta(days=14))
    pair.started_at = NOW - timedelta(days=14)
    db.session.commit()
    assert "check_in" in _flag_codes(made, p, "Citra")
    assert "check_in" in _flag_codes(made, p, "Fitri")
    db.session.add(CheckIn(pair_id=pair.id, author_id=p["citra"].id, held_on=TODAY,
                           talked="rahasia"))
    db.session.commit()
    assert "check_in" not in _flag_codes(made, p, "Citra")


def test_observed_but_not_debriefed_for_7_days_is_flagged_and_the_debrief_clears_it(school):
    made, p, acts, clock = school
    clock.at(NOW - timedelta(days=6))
    obs = acts.observation(p["ani"], [p["budi"]])
    acts.submit(obs, p["budi"])
    db.session.commit()
    assert "debrief" not in _flag_codes(made, p, "Ani")  # observed 6 days ago
    obs.completed_at = NOW - timedelta(days=7)
    db.session.commit()
    assert "debrief" in _flag_codes(made, p, "Ani")
    acts.debrief(obs)
    db.session.commit()
    assert "debrief" not in _flag_codes(made, p, "Ani")


# ---------------------------------------------------------------- pages and files


def test_a_teacher_gets_403_on_the_school_view_and_its_files(school, client_for):
    _made, p, *_ = school
    teacher = client_for(p["ani"])
    for url in ("/dashboard/", "/dashboard/print", "/dashboard/teachers.csv",
                "/dashboard/weekly.csv", f"/dashboard/teachers/{p['budi'].id}"):
        assert teacher.get(url).status_code == 403, url


def test_another_schools_principal_sees_nothing_of_this_one(school, make, client_for):
    _made, p, *_ = school
    _hand_counted_activity(school)
    other_school = make.school("SMP Lain")
    other = client_for(make.user(other_school, role="principal", name="Kepala Lain"))
    assert other.get(f"/dashboard/teachers/{p['ani'].id}").status_code == 404
    page = other.get("/dashboard/?period=last").text
    csv_text = other.get("/dashboard/teachers.csv").text
    for name in ("Ani", "Budi", "Citra", "Pecahan", "SMP Hitung"):
        assert name not in page and name not in csv_text


def test_me_shows_only_the_teacher_and_says_it_is_what_the_principal_sees(school, client_for):
    _made, p, *_ = school
    _hand_counted_activity(school)
    page = client_for(p["eka"]).get("/dashboard/me?period=last")
    assert page.status_code == 200
    text = page.text
    assert "Eka" in text and "kepala sekolah" in text.lower()
    for name in ("Ani", "Budi", "Citra", "Dodi", "Fitri"):  # Eka worked with nobody
        assert name not in text
    citra = client_for(p["citra"]).get("/dashboard/me?period=last").text
    assert "Fitri" in citra and "Ani" in citra  # her mentor, her observed colleague
    assert "Dodi" not in citra and "Eka" not in citra


def test_the_principals_page_of_a_teacher_is_the_teachers_own_page(school, client_for):
    _made, p, *_ = school
    _hand_counted_activity(school)

    def row(text):
        return text.split('id="row-title"')[1].split("</h2>", 1)[1].split("</section>")[0]

    own = client_for(p["budi"]).get("/dashboard/me?period=last").text
    seen = client_for(p["principal"]).get(f"/dashboard/teachers/{p['budi'].id}?period=last")
    assert row(own) == row(seen.text)
    assert "Ani" in row(own) or "Ani" in own  # his colleagues are named on both


def _csv_rows(response):
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_teachers_csv_has_one_row_per_teacher_and_neutralised_formulas(school, make,
                                                                            client_for):
    made, p, *_ = school
    _hand_counted_activity(school)
    make.user(made, name="=HYPERLINK(\"http://evil\")", email="evil@test.sch.id")
    rows = _csv_rows(client_for(p["principal"]).get(
        "/dashboard/teachers.csv?period=dates&start=2026-10-19&end=2026-11-18"))
    header = rows[0]
    assert header[:2] == ["email", "name"]
    by_name = {row[1]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert len(rows) == 1 + 7
    assert by_name["Ani"]["observation_requested"] == "1"
    assert by_name["Budi"]["observation_given"] == "1"
    assert by_name["Citra"]["mentored_by"] == "Fitri"
    assert by_name["Eka"]["room_message"] == "2"
    assert "'=HYPERLINK(\"http://evil\")" in by_name
    assert "no_mentor" in by_name["Dodi"]["flags"]


def test_the_weekly_csv_has_a_row_per_week_of_the_period(school, client_for):
    _made, p, *_ = school
    _hand_counted_activity(school)
    rows = _csv_rows(client_for(p["principal"]).get(
        "/dashboard/weekly.csv?period=dates&start=2026-11-02&end=2026-11-15"))
    assert rows[0][0] == "week"
    assert [r[0] for r in rows[1:]] == ["2026-11-02", "2026-11-09"]
    column = rows[0].index("room_message")
    assert [r[column] for r in rows[1:]] == ["0", "3"]


def test_wrong_dates_are_explained_and_kept_and_this_term_is_shown(school, client_for):
    _made, p, *_ = school
    principal = client_for(p["principal"])
    page = principal.get("/dashboard/?period=dates&start=2026-11-10&end=2026-11-01")
    assert page.status_code == 200
    assert "Tanggal pertama tidak boleh sesudah tanggal terakhir." in page.text
    assert 'value="2026-11-10"' in page.text
    for bad in ("?period=dates&start=kemarin", "?quiet=-3", "?quiet=99999999999999999999",
                "?period=%00", "?sort=__class__", "?period=dates&start=2000-01-01&end=2026-01-01"):
        assert principal.get(f"/dashboard/{bad}").status_code in (200, 400), bad


def test_the_period_choice_is_named_a_period_of_time_not_a_lesson_period(school, client_for):
    """Its legend read "Jam ke-" (a lesson's period, the timetable's word) in Indonesian."""
    _made, p, *_ = school
    page = client_for(p["principal"]).get("/dashboard/").text
    legend = page[page.index("<legend>"):page.index("</legend>")]
    assert "Periode" in legend and "Jam ke-" not in legend, legend


def test_private_content_never_reaches_the_dashboard(school, client_for):
    _made, p, acts, _clock = school
    _plan, obs, pair = _hand_counted_activity(school)
    obs.reflection = "REFLEKSI-RAHASIA"
    db.session.add(CheckIn(pair_id=pair.id, author_id=p["citra"].id, held_on=TODAY,
                           talked="CHECKIN-RAHASIA"))
    acts.plan(p["dodi"], "RENCANA-PRIBADI", visibility="private")
    db.session.commit()
    principal = client_for(p["principal"])
    for url in ("/dashboard/?period=last", "/dashboard/print?period=last",
                "/dashboard/teachers.csv?period=last", f"/dashboard/teachers/{p['citra'].id}"):
        text = principal.get(url).text
        for secret in ("REFLEKSI-RAHASIA", "CHECKIN-RAHASIA", "RENCANA-PRIBADI", "Bagus sekali"):
            assert secret not in text, (url, secret)


def test_anonymous_peer_feedback_names_no_assessor(school, client_for):
    made, p, acts, _clock = school
    made.anonymous_peer_feedback = True
    acts.feedback(p["eka"], p["dodi"], kind="peer")
    db.session.commit()
    found = figures.dashboard(made, p["principal"].id, _period(), TODAY)
    rows = _rows(found)
    assert rows["Dodi"].figures["feedback_received"] == 1
    assert rows["Eka"].figures["feedback_given"] == 0
    assert found.edges == []
    page = client_for(p["dodi"]).get("/dashboard/me?period=last").text
    assert "Eka" not in page
    made.anonymous_peer_feedback = False
    db.session.commit()
    found = figures.dashboard(made, p["principal"].id, _period(), TODAY)
    assert _rows(found)["Eka"].figures["feedback_given"] == 1
    assert [(e.first.name, e.second.name) for e in found.edges] == [("Dodi", "Eka")]


def test_the_school_page_takes_at_most_ten_queries(school, client_for, count_queries):
    made, p, *_ = school
    _hand_counted_activity(school)
    db.session.add(Term(school_id=made.id, name="Semester 1", starts_on=date(2026, 7, 13),
                        ends_on=date(2026, 12, 18)))
    db.session.commit()
    principal = client_for(p["principal"])
    principal.get("/dashboard/")
    with count_queries() as statements:
        response = principal.get("/dashboard/")
    assert response.status_code == 200
    assert "Pecahan" in response.text
    assert len(statements) <= 10, statements
    ani = client_for(p["ani"])
    ani.get("/dashboard/me")
    with count_queries() as statements:
        assert ani.get("/dashboard/me").status_code == 200
    assert len(statements) <= 10, "\n".join(statements)


def test_the_same_data_draws_the_same_network(school, client_for):
    _made, p, *_ = school
    _hand_counted_activity(school)
    principal = client_for(p["principal"])
    first = principal.get("/dashboard/?period=last").text
    again = principal.get("/dashboard/?period=last").text
    svg = first.split('<figure class="network">')[1].split("</figure>")[0]
    assert svg == again.split('<figure class="network">')[1].split("</figure>")[0]
    assert svg.count("<circle") >= 6 and "<line" in svg


def test_the_demo_school_shows_an_isolated_teacher_a_novice_without_mentor_and_a_cycle(
        demo_data, monkeypatch):
    from collab.demo import seed as demo
    from collab.people.models import Membership, School, User

    monkeypatch.undo()  # the demo's own today
    smp = db.session.scalar(select(School).where(School.name == demo.SMP))
    principal = db.session.scalar(select(User).join(Membership).where(
        Membership.school_id == smp.id, Membership.role == "principal"))
    today = periods.school_today(smp)
    found = figures.dashboard(smp, principal.id, periods.last_days(today), today)

    assert found.isolated
    novices = {row.teacher.email.split("@")[0] for row in found.rows
               if any(f.code == "no_mentor" for f in row.flags)}
    assert {"guru11", "guru12"} <= novices
    assert next(f for f in found.figures if f.key == "cycles").now == 1
