"""Assessment pages through HTTP: asking for feedback, writing and submitting (an unrated
criterion keeps the draft and says which), results for the teacher only (the principal with a
share), anonymous feedback, the print view, an observer's own assessment, calibration rounds
(blind until submitted), every refusal, and a constant number of queries on the results."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from collab.assessments import service_rubrics as rubrics
from collab.assessments.models import Assessment, AssessmentRequest
from collab.extensions import db
from collab.plans import service as plans
from tests.conftest import csrf_token
from tests.integration.test_assessment_service import small_rubric


@pytest.fixture
def setup(world):
    a = world["a"]
    rubric = rubrics.create(a["school"].id, a["principal"], small_rubric(), publish_now=True)
    plan = plans.create(a["teacher"], plans.PlanFields(title="Pecahan senilai", body="x",
                                                       visibility="school"))
    db.session.commit()
    return {"rubric": rubric, "version": rubrics.published(rubric), "plan": plan}


@pytest.fixture
def client_for(client_for):
    """The pages in English, the language these tests read."""

    def make(user):
        client = client_for(user)
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make


def text(response) -> str:
    return BeautifulSoup(response.text, "html.parser").get_text(" ", strip=True)


def post(client, url, data, page=None):
    token = csrf_token(client.get(page or url).text)
    return client.post(url, data={**data, "csrf_token": token})


def ask(client, world, setup, **extra):
    a = world["a"]
    data = {"target": f"plan:{setup['plan'].id}", "rubric": setup["version"].id,
            "assessors": [a["mentor"].id, a["teacher2"].id],
            "due_on": "2099-01-01", "message": "Tolong cek tujuan", "with_self": "y", **extra}
    return post(client, "/assessments/new", data)


def the_request():
    return db.session.scalar(select(AssessmentRequest).order_by(AssessmentRequest.id.desc()))


def mine(request, user):
    return next(x for x in request.assessments if x.assessor_id == user.id)


def rate_form(version, scores, action="submit", glow="Jelas", grow="Tambah contoh"):
    data = {"action": action}
    levels = {level.score: level.id for level in version.levels}
    for criterion, score in zip(version.criteria, scores, strict=True):
        if score is not None:
            data[f"level-{criterion.id}"] = levels[score]
        data[f"glow-{criterion.id}"] = glow
        data[f"grow-{criterion.id}"] = grow
    return data


@pytest.fixture(autouse=True)
def deadline_today(monkeypatch):
    """The request form's deadline must lie within 90 days of the school's today."""
    from datetime import date

    from collab.assessments.routes import assessments as routes

    monkeypatch.setattr(routes, "school_today", lambda school: date(2098, 12, 1))


@pytest.mark.smoke
def test_the_whole_flow_request_assess_read(world, setup, client_for):
    a = world["a"]
    teacher, mentor = client_for(a["teacher"]), client_for(a["mentor"])
    response = ask(teacher, world, setup)
    assert response.status_code == 302
    request = the_request()
    assert "/assessments/requests/" in response.headers["Location"]
    assert "Pecahan senilai" in text(mentor.get("/assessments/"))

    url = f"/assessments/{mine(request, a['mentor']).id}"
    page = mentor.get(url)
    assert page.status_code == 200 and "Tujuan" in text(page)
    response = post(mentor, url, rate_form(setup["version"], [3, 2]))
    assert response.status_code == 302
    results = text(teacher.get(f"/assessments/requests/{request.id}"))
    assert "Jelas" in results and "Tambah contoh" in results and a["mentor"].name in results
    assert teacher.get(f"/assessments/requests/{request.id}/print").status_code == 200


def test_an_unrated_criterion_keeps_the_draft_and_is_named(world, setup, client_for):
    a = world["a"]
    ask(client_for(a["teacher"]), world, setup)
    request = the_request()
    mentor = client_for(a["mentor"])
    item = mine(request, a["mentor"])
    response = post(mentor, f"/assessments/{item.id}",
                    rate_form(setup["version"], [3, None], glow="Tetap tersimpan"))
    assert response.status_code == 200
    soup = BeautifulSoup(response.text, "html.parser")
    unrated = setup["version"].criteria[1].id
    assert soup.find(id=f"e{unrated}") is not None
    assert soup.find(id=f"glow-{unrated}").get_text() == "Tetap tersimpan"
    # Said once at the top, listing the criterion; beside it, a sentence that names it.
    title = setup["version"].criteria[1].title
    assert soup.find(id=f"e{unrated}").get_text(strip=True) == f"Choose a level for “{title}”."
    summary = soup.select_one(".error-summary")
    assert [a.get_text(strip=True) for a in summary.select("a")] == [title]
    assert summary.select_one("a")["href"] == f"#c{unrated}"
    assert response.text.count("Choose a level for every criterion") == 1
    db.session.expire_all()
    assert db.session.get(Assessment, item.id).status == "draft"
    assert {r.glow for r in db.session.get(Assessment, item.id).ratings} == {"Tetap tersimpan"}


def test_a_submitted_assessment_is_final(world, setup, client_for):
    a = world["a"]
    ask(client_for(a["teacher"]), world, setup)
    item = mine(the_request(), a["mentor"])
    mentor = client_for(a["mentor"])
    post(mentor, f"/assessments/{item.id}", rate_form(setup["version"], [3, 3]))
    page = mentor.get(f"/assessments/{item.id}")
    assert 'name="level-' not in page.text  # read-only now
    response = mentor.post(f"/assessments/{item.id}",
                           data={**rate_form(setup["version"], [1, 1]),
                                 "csrf_token": csrf_token(mentor.get("/").text)})
    assert response.status_code == 200 and "already submitted" in text(response)
    db.session.expire_all()
    assert {r.level_id for r in db.session.get(Assessment, item.id).ratings} == {
        setup["version"].levels[2].id}


def test_results_are_the_teachers_and_the_principals_only_when_shared(world, setup,
                                                                     client_for):
    a, b = world["a"], world["b"]
    teacher = client_for(a["teacher"])
    ask(teacher, world, setup)
    request = the_request()
    url = f"/assessments/requests/{request.id}"
    assert client_for(a["principal"]).get(url).status_code == 403
    assert client_for(a["mentor"]).get(url).status_code == 403  # an assessor
    assert client_for(b["principal"]).get(url).status_code == 404
    assert client_for(world.outsider).get(url).status_code in (403, 404)
    assert post(teacher, f"{url}/share", {"share": "1"}, page=url).status_code == 302
    assert client_for(a["principal"]).get(url).status_code == 200
    assert post(client_for(a["mentor"]), f"{url}/share", {"share": "0"},
                page="/assessments/").status_code == 404


def test_someone_elses_assessment_is_404(world, setup, client_for):
    a, b = world["a"], world["b"]
    ask(client_for(a["teacher"]), world, setup)
    item = mine(the_request(), a["mentor"])
    for user in (a["teacher2"], a["principal"], b["teacher"]):
        assert client_for(user).get(f"/assessments/{item.id}").status_code == 404
    # the assessed teacher reads it only once it is submitted
    assert client_for(a["teacher"]).get(f"/assessments/{item.id}").status_code == 404


def test_anonymous_peer_feedback_hides_names(world, setup, client_for):
    a = world["a"]
    a["school"].anonymous_peer_feedback = True
    db.session.commit()
    teacher = client_for(a["teacher"])
    ask(teacher, world, setup)
    request = the_request()
    for colleague in (a["mentor"], a["teacher2"]):  # one answer alone is not shown
        post(client_for(colleague), f"/assessments/{mine(request, colleague).id}",
             rate_form(setup["version"], [3, 2]))
    results = text(teacher.get(f"/assessments/requests/{request.id}"))
    assert a["mentor"].name not in results and "#1" in results and "#2" in results


@pytest.mark.parametrize("change, message", [
    ({"assessors": []}, "Choose at least one colleague."),
    ({"due_on": "2097-01-01"}, "90 days"),
    ({"target": "plan:999999"}, "Not a valid choice"),
    ({"due_on": "besok"}, "date"),
])
def test_a_bad_request_keeps_the_form_and_says_why(world, setup, client_for, change, message):
    teacher = client_for(world["a"]["teacher"])
    response = ask(teacher, world, setup, **change)
    assert response.status_code == 200
    assert message.lower() in text(response).lower() or "not a valid" in text(response).lower()
    assert "Tolong cek tujuan" in response.text
    assert the_request() is None


@pytest.mark.dialect
def test_the_results_page_costs_the_same_queries_for_more_assessments(world, setup,
                                                                      client_for, make,
                                                                      count_queries):
    a = world["a"]
    teacher = client_for(a["teacher"])
    colleagues = [make.user(a["school"], name=f"Rekan {n}") for n in range(8)]
    db.session.commit()

    def asked_and_answered(people):
        response = ask(teacher, world, setup, assessors=[p.id for p in people])
        assert response.status_code == 302
        request = the_request()
        for person in people:
            post(client_for(person), f"/assessments/{mine(request, person).id}",
                 rate_form(setup["version"], [2, 3]))
        return f"/assessments/requests/{request.id}"

    small, large = asked_and_answered(colleagues[:2]), asked_and_answered(colleagues)
    with count_queries() as few:
        assert teacher.get(small).status_code == 200
    with count_queries() as many:
        assert teacher.get(large).status_code == 200
    assert len(many) == len(few), set(many) ^ set(few)


@pytest.mark.dialect
def test_a_calibration_round_is_blind_until_submitted(world, setup, client_for):
    a = world["a"]
    facilitator, rater = client_for(a["mentor"]), client_for(a["teacher2"])
    response = post(facilitator, "/assessments/calibration/new", {
        "title": "Kalibrasi RPP", "target": f"plan:{setup['plan'].id}",
        "rubric": setup["version"].id, "raters": [a["teacher2"].id, a["teacher"].id]})
    assert response.status_code == 302
    round_url = response.headers["Location"]
    everyone = db.session.scalars(select(Assessment).where(Assessment.round_id.is_not(None)))
    by = {x.assessor_id: x for x in everyone}
    post(facilitator, f"/assessments/{by[a['mentor'].id].id}",
         rate_form(setup["version"], [3, 3]))
    page = text(rater.get(round_url))
    assert "Compared with the reference" not in page
    post(rater, f"/assessments/{by[a['teacher2'].id].id}", rate_form(setup["version"], [1, 3]))
    page = text(rater.get(round_url))
    assert "Compared with the reference" in page and "calibrated" in page
    assert "-2 levels from the reference" in page
    assert client_for(a["principal"]).get(round_url).status_code == 404
    assert client_for(world["b"]["teacher"]).get(round_url).status_code == 404
    overview = text(facilitator.get(round_url))
    assert a["teacher2"].name in overview
    assert post(rater, round_url + "/close", {}, page=round_url).status_code == 403
    assert post(facilitator, round_url + "/close", {}, page=round_url).status_code == 302


def test_an_observer_starts_an_assessment_of_the_lesson(world, client_for):
    from collab.core.models import utcnow
    from tests.integration.test_rooms_service import _completed_observation

    a = world["a"]
    version = rubrics.published(rubrics.from_library(a["school"].id, a["principal"],
                                                     "lesson_study_observation", "id"))
    observation = _completed_observation(world)
    db.session.commit()
    mentor = client_for(a["mentor"])
    url = f"/assessments/observations/{observation.id}/start"
    response = post(mentor, url, {"rubric": version.id})
    assert response.status_code == 302
    assert utcnow() - timedelta(minutes=1) < db.session.scalar(
        select(Assessment.created_at).where(Assessment.assessor_id == a["mentor"].id))
    assert post(client_for(a["teacher2"]), url, {"rubric": version.id},
                page="/assessments/").status_code == 404


@pytest.mark.dialect
def test_the_principal_sees_counts_only(world, setup, client_for):
    a = world["a"]
    ask(client_for(a["teacher"]), world, setup)
    page = text(client_for(a["principal"]).get("/assessments/"))
    assert "Feedback in the school" in page and a["teacher"].name in page
    assert "Tolong cek tujuan" not in page


def test_the_feedback_list_tells_two_requests_on_one_plan_apart(demo_data, client_for):
    """The demo teacher asked twice about the same plan, weeks apart: each line says when."""
    teacher = db.session.scalars(select(AssessmentRequest).where(
        AssessmentRequest.plan_id.is_not(None))).first().teacher
    page = BeautifulSoup(client_for(teacher).get("/assessments/").text, "html.parser")
    lines = page.select("#requests-title ~ ul li")
    titles = [li.a.get_text(strip=True) for li in lines]
    twice = {t for t in titles if titles.count(t) > 1}
    assert twice, "the demo has two requests on one plan"
    texts = [li.get_text(" ", strip=True) for li in lines if li.a.get_text(strip=True) in twice]
    assert all("asked on" in t for t in texts)
    assert len(set(texts)) == len(texts)
