"""Rubrics and assessments on a real database: drafts, publishing, immutable versions, the
library, JSON and CSV round trips and their problems; feedback requests, drafts and
submission, results with medians, weighted totals, anonymity and agreement; reminders."""

import json
from datetime import date, timedelta

import pytest
from flask import has_request_context
from sqlalchemy import select

from collab.assessments import library as rubric_library
from collab.assessments import service as assessments
from collab.assessments import service_rubrics as rubrics
from collab.assessments.models import Assessment
from collab.assessments.service import AssessmentError, Rating, RequestFields
from collab.assessments.service_rubrics import InvalidRubric, RubricError
from collab.core.models import utcnow
from collab.core.notify import Notification
from collab.extensions import db
from collab.observations.models import Observation, ObservationObserver
from collab.plans import service as plans

TODAY = date(2026, 11, 30)


def small_rubric(target="plan", title="Kualitas RPP"):
    return {"title": title, "target": target,
            "levels": [{"score": 1, "label": "Belum"}, {"score": 2, "label": "Cukup"},
                       {"score": 3, "label": "Baik"}],
            "criteria": [{"title": "Tujuan", "weight": 2, "descriptors": ["a", "b", "c"]},
                         {"title": "Asesmen", "weight": 1, "descriptors": ["d", "e", "f"]}]}


@pytest.fixture
def rubric(world):
    made = rubrics.create(world["a"]["school"].id, world["a"]["principal"], small_rubric(),
                          publish_now=True)
    db.session.commit()
    return made


@pytest.fixture
def plan(world):
    made = plans.create(world["a"]["teacher"], plans.PlanFields(title="Pecahan", body="x"))
    db.session.commit()
    return made


# -- rubrics -------------------------------------------------------------------------------

def test_a_published_version_never_changes_and_editing_starts_the_next(world, rubric):
    principal = world["a"]["principal"]
    first = rubrics.latest(rubric)
    with pytest.raises(RubricError):
        rubrics.save_draft(first, principal, small_rubric(title="Lain"))
    second = rubrics.start_new_version(rubric, principal)
    assert second.number == 2 and not second.is_published
    assert rubrics.start_new_version(rubric, principal) is second  # one draft at a time
    changed = small_rubric(title="Kualitas RPP v2")
    changed["criteria"].append({"title": "Waktu", "weight": 1, "descriptors": ["g", "h", "i"]})
    rubrics.save_draft(second, principal, changed)
    rubrics.publish(second, principal)
    db.session.commit()
    assert rubrics.version_data(first) == {**small_rubric(), "description": "",
                                           "criteria": [{**c, "description": "", "group": ""}
                                                        for c in small_rubric()["criteria"]]}
    assert [c["title"] for c in rubrics.version_data(second)["criteria"]] == [
        "Tujuan", "Asesmen", "Waktu"]
    assert rubrics.published(rubric) is second


def test_a_draft_may_be_unfinished_but_is_not_published_so(world):
    principal = world["a"]["principal"]
    unfinished = {"title": "", "levels": [{"score": 1, "label": ""}], "criteria": []}
    rubric = rubrics.create(world["a"]["school"].id, principal, small_rubric())
    draft = rubrics.draft(rubric)
    rubrics.save_draft(draft, principal, unfinished)
    with pytest.raises(InvalidRubric) as refused:
        rubrics.publish(draft, principal)
    places = {p.place for p in refused.value.problems}
    assert {"title", "levels", "criteria"} <= places


def test_json_and_csv_round_trip(world, rubric):
    version = rubrics.latest(rubric)
    data = rubrics.version_data(version)
    assert rubrics.from_json(rubrics.to_json(version).encode()) == data
    from_csv = rubrics.from_csv(rubrics.to_csv(version).encode())
    assert from_csv["title"] == data["title"] and from_csv["target"] == data["target"]
    assert [c["descriptors"] for c in from_csv["criteria"]] == [
        c["descriptors"] for c in data["criteria"]]
    assert [level["score"] for level in from_csv["levels"]] == [1, 2, 3]


def test_a_semicolon_csv_from_excel_reads_too():
    raw = (b"criterion;description;group;weight;1: Belum;2: Sudah\n"
           b"Keterlibatan;;;1;Sedikit;Semua\n\n# title;Observasi\n")
    data = rubrics.from_csv(raw)
    assert data["title"] == "Observasi" and data["criteria"][0]["descriptors"] == [
        "Sedikit", "Semua"]


@pytest.mark.parametrize("raw, place, code", [
    (b"{not json", "", "not_json"),
    (b"[1, 2]", "", "not_object"),
    (json.dumps({"title": "x", "levels": [{"score": 2, "label": "a"},
                                          {"score": 1, "label": "b"}],
                 "criteria": [{"title": "c", "descriptors": ["1", "2"]}]}).encode(),
     "levels[1].score", "not_ascending"),
    (json.dumps({"title": "x", "levels": [{"score": 1, "label": "a"},
                                          {"score": 2, "label": "b"}],
                 "criteria": [{"title": "c", "descriptors": ["1"]}]}).encode(),
     "criteria[0].descriptors", "wrong_count"),
    (b"\xff\xfe", "", "not_json"),
    (b"x" * (rubrics.MAX_IMPORT_BYTES + 1), "", "too_long"),
])
def test_a_bad_json_import_names_each_problem_and_its_place(raw, place, code):
    with pytest.raises(InvalidRubric) as refused:
        rubrics.from_json(raw)
    assert (place, code) in {(p.place, p.code) for p in refused.value.problems}


def test_a_bad_csv_import_names_row_and_column():
    raw = b"criterion,description,group,weight,1: a,x: b\nTujuan,,,dua,p,q\n"
    with pytest.raises(InvalidRubric) as refused:
        rubrics.from_csv(raw)
    assert {(p.place, p.code) for p in refused.value.problems} == {
        ("row 1, column 6", "not_number"), ("row 2, column 4", "not_number")}
    with pytest.raises(InvalidRubric):
        rubrics.from_csv(b"nama,nilai\n")


@pytest.mark.dialect
def test_the_library_copy_is_made_once_per_school(world):
    a = world["a"]
    pkg = rubrics.from_library(a["school"].id, a["principal"], "pkg", "id")
    again = rubrics.from_library(a["school"].id, a["teacher"], "pkg", "en")
    assert again.id == pkg.id and rubrics.published(pkg) is not None
    assert len(rubrics.published(pkg).criteria) == 14


# -- assessments ---------------------------------------------------------------------------

def ask(world, rubric, plan, assessors=("teacher2", "mentor"), with_self=True):
    a = world["a"]
    request = assessments.request_feedback(a["teacher"], RequestFields(
        rubric_version_id=rubrics.published(rubric).id,
        assessor_ids=[a[name].id for name in assessors], due_on=TODAY + timedelta(days=7),
        message="Mohon masukan", with_self=with_self, plan_id=plan.id), TODAY)
    db.session.commit()
    return request


def rate(assessment, user, scores, submit=True, glow="Bagus", grow="Coba"):
    version = assessment.rubric_version
    levels = {level.score: level.id for level in version.levels}
    ratings = {c.id: Rating(levels[s] if s else None, glow, grow)
               for c, s in zip(version.criteria, scores, strict=True)}
    assessments.save(assessment, user, ratings, submit=submit)
    db.session.commit()


def of(request, user):
    return next(x for x in request.assessments if x.assessor_id == user.id)


def test_asking_makes_a_draft_for_each_colleague_and_me_and_notifies_them(world, rubric, plan):
    a = world["a"]
    request = ask(world, rubric, plan)
    kinds = sorted((x.assessor_id, x.kind) for x in request.assessments)
    assert kinds == sorted([(a["teacher2"].id, "peer"), (a["mentor"].id, "peer"),
                            (a["teacher"].id, "self")])
    told = set(db.session.scalars(select(Notification.recipient_id).where(
        Notification.kind == "assessment.requested")))
    assert told == {a["teacher2"].id, a["mentor"].id}
    assert [x.id for x in assessments.to_do(a["mentor"])] == [of(request, a["mentor"]).id]


@pytest.mark.parametrize("change, code", [
    ({"assessor_ids": []}, "assessor_count"),
    ({"due_on": TODAY - timedelta(days=1)}, "bad_deadline"),
    ({"due_on": TODAY + timedelta(days=91)}, "bad_deadline"),
    ({"plan_id": None}, "choose_target"),
])
def test_a_bad_request_is_refused(world, rubric, plan, change, code):
    a = world["a"]
    fields = RequestFields(rubric_version_id=rubrics.published(rubric).id,
                           assessor_ids=[a["mentor"].id], due_on=TODAY, plan_id=plan.id)
    for name, value in change.items():
        setattr(fields, name, value)
    with pytest.raises(AssessmentError) as refused:
        assessments.request_feedback(a["teacher"], fields, TODAY)
    assert refused.value.code == code


def test_nobody_from_another_school_and_no_other_schools_rubric(world, rubric, plan):
    a, b = world["a"], world["b"]
    fields = RequestFields(rubric_version_id=rubrics.published(rubric).id,
                           assessor_ids=[b["teacher"].id], due_on=TODAY, plan_id=plan.id)
    with pytest.raises(AssessmentError) as refused:
        assessments.request_feedback(a["teacher"], fields, TODAY)
    assert refused.value.code == "not_a_colleague"
    foreign = rubrics.create(b["school"].id, b["principal"], small_rubric(), publish_now=True)
    fields = RequestFields(rubric_version_id=rubrics.published(foreign).id,
                           assessor_ids=[a["mentor"].id], due_on=TODAY, plan_id=plan.id)
    with pytest.raises(AssessmentError) as refused:
        assessments.request_feedback(a["teacher"], fields, TODAY)
    assert refused.value.code == "bad_rubric"


def test_only_my_own_plan_can_be_assessed_at_my_request(world, rubric):
    a = world["a"]
    theirs = plans.create(a["mentor"], plans.PlanFields(title="Milik mentor", body="x"))
    fields = RequestFields(rubric_version_id=rubrics.published(rubric).id,
                           assessor_ids=[a["teacher2"].id], due_on=TODAY, plan_id=theirs.id)
    with pytest.raises(AssessmentError) as refused:
        assessments.request_feedback(a["teacher"], fields, TODAY)
    assert refused.value.code == "bad_target"


def test_submitting_with_a_criterion_unrated_keeps_the_draft_and_names_it(world, rubric, plan):
    a = world["a"]
    request = ask(world, rubric, plan)
    mine = of(request, a["mentor"])
    with pytest.raises(AssessmentError) as refused:
        rate(mine, a["mentor"], [3, None])
    db.session.commit()
    assert refused.value.code == "unrated"
    assert refused.value.missing == [rubrics.published(rubric).criteria[1].id]
    assert mine.status == "draft"
    kept = assessments.current_ratings(mine)
    assert [r.glow for r in kept.values()] == ["Bagus", "Bagus"]  # nothing typed is lost
    rate(mine, a["mentor"], [3, 2])
    assert mine.is_submitted
    with pytest.raises(AssessmentError) as final:
        rate(mine, a["mentor"], [1, 1])
    assert final.value.code == "submitted"
    with pytest.raises(AssessmentError):
        rate(of(request, a["teacher2"]), a["mentor"], [1, 1])  # not theirs


@pytest.mark.dialect
def test_results_show_medians_weighted_totals_self_and_agreement(world, rubric, plan):
    a = world["a"]
    request = ask(world, rubric, plan)
    rate(of(request, a["mentor"]), a["mentor"], [3, 2], glow="Tujuan jelas")
    rate(of(request, a["teacher2"]), a["teacher2"], [2, 2], grow="Tambah rubrik")
    rate(of(request, a["teacher"]), a["teacher"], [3, 3])
    result = assessments.results(rubrics.published(rubric), request.assessments, anonymous=False)
    assert [c.median for c in result.criteria] == [2.5, 2]
    # (2 × 2.5 + 1 × 2) / (3 × 3) = 7 / 9
    assert result.weighted_total == pytest.approx(77.8)
    assert result.self_total == 100.0
    assert result.criteria[0].levels == [(a["mentor"].name, 3), (a["teacher2"].name, 2)] or \
        result.criteria[0].levels == [(a["teacher2"].name, 2), (a["mentor"].name, 3)]
    assert ("Mentor A", "Tujuan jelas") in result.criteria[0].glows
    assert result.agreement["exact_agreement"] == 0.5
    assert result.agreement["adjacent_agreement"] == 1.0
    anonymous = assessments.results(rubrics.published(rubric), request.assessments,
                                    anonymous=True)
    shown = {name for c in anonymous.criteria for name, _ in c.levels + c.glows + c.grows}
    assert shown <= {"#1", "#2"}


@pytest.mark.dialect
def test_per_criterion_agreement_spans_every_target_of_the_version(world, rubric, plan):
    a = world["a"]
    other = plans.create(a["teacher"], plans.PlanFields(title="Lain", body="x"))
    first, second = ask(world, rubric, plan, with_self=False), None
    second = assessments.request_feedback(a["teacher"], RequestFields(
        rubric_version_id=rubrics.published(rubric).id,
        assessor_ids=[a["mentor"].id, a["teacher2"].id], due_on=TODAY, plan_id=other.id),
        TODAY)
    for request, mentor, teacher2 in ((first, [3, 1], [3, 3]), (second, [1, 1], [1, 3])):
        rate(of(request, a["mentor"]), a["mentor"], mentor)
        rate(of(request, a["teacher2"]), a["teacher2"], teacher2)
    result = assessments.results(rubrics.published(rubric), first.assessments, False)
    agreeing, disagreeing = result.criteria
    assert agreeing.agreement["alpha_ordinal"] == 1.0 and not agreeing.discuss
    assert disagreeing.agreement["alpha_ordinal"] < 0.667 and disagreeing.discuss


def test_an_observer_may_assess_the_lesson_they_observed(world):
    a = world["a"]
    version = rubrics.published(rubrics.from_library(a["school"].id, a["principal"],
                                                     "lesson_study_observation", "id"))
    now = utcnow()
    observation = Observation(school_id=a["school"].id, teacher_id=a["teacher"].id,
                              lesson_date=now.date(), period=1, class_name="7A",
                              subject="Matematika", starts_at=now - timedelta(hours=2),
                              ends_at=now - timedelta(hours=1), focus="Fokus",
                              state="completed")
    observation.observers.append(ObservationObserver(user_id=a["mentor"].id, status="accepted"))
    db.session.add(observation)
    db.session.commit()
    mine = assessments.start_as_observer(a["mentor"], observation, version)
    assert mine.assessed_id == a["teacher"].id
    assert assessments.start_as_observer(a["mentor"], observation, version) is mine
    with pytest.raises(AssessmentError):
        assessments.start_as_observer(a["teacher2"], observation, version)


def test_send_reminders_needs_no_request_and_stores_each_link_as_a_target(
        world, rubric, plan, runner):
    request = ask(world, rubric, plan)
    for each in request.assessments:
        each.due_on = utcnow().date() + timedelta(days=1)
    db.session.commit()
    assert not has_request_context()

    result = runner.invoke(args=["send-reminders"])

    assert result.exit_code == 0, result.output
    assert "2 reminder(s) sent." in result.output
    notes = db.session.scalars(select(Notification).where(
        Notification.kind == "assessment.reminder")).all()
    assert len(notes) == 2
    for note in notes:
        [assessment] = [x for x in request.assessments if x.assessor_id == note.recipient_id]
        assert note.params["_target"] == {"endpoint": "assessments.assessment",
                                          "values": {"assessment_id": assessment.id},
                                          "anchor": ""}
        assert note.link == note.href == f"/assessments/{assessment.id}"


def test_reminders_go_once_the_day_before_and_late_ones_are_marked(world, rubric, plan):
    a = world["a"]
    request = ask(world, rubric, plan)
    for each in request.assessments:
        each.due_on = utcnow().date() + timedelta(days=1)
    db.session.commit()
    assert assessments.send_reminders() == 2  # not the self-assessment
    assert assessments.send_reminders() == 0
    late = of(request, a["mentor"])
    late.due_on = utcnow().date() - timedelta(days=1)
    assert late.is_late


def test_pkg_conversion_of_the_library_rubric(world):
    a = world["a"]
    version = rubrics.published(rubrics.from_library(a["school"].id, a["principal"], "pkg",
                                                     "id"))
    assert assessments.pkg_score(version, [4] * 14) == 100.0
    assert assessments.pkg_score(version, [3] * 14) == 75.0
    assert rubric_library.pkg_band(75.0) == "cukup"
    assert assessments.pkg_score(version, [3] * 13 + [None]) is None


@pytest.mark.dialect
def test_assessment_rows_are_kept_per_request_and_assessor(world, rubric, plan):
    request = ask(world, rubric, plan)
    assert db.session.scalar(select(Assessment).where(
        Assessment.request_id == request.id,
        Assessment.assessor_id == world["a"]["mentor"].id)) is not None
