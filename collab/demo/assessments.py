"""Demo assessments in the demo SMP: the three library rubrics and a school rubric; feedback
on guru01's debriefed lesson from four colleagues (with guru01's self-assessment beside
them); feedback on guru01's integer plan twice, weeks apart, so that the results show growth;
feedback asked by guru09 (a novice) on their plan, which guru01 still has to write; and a
finished calibration round of the principal with three raters.

The rubric, the levels and the words of the feedback come from `data/assessments.json`.
Made through the services (requests, drafts, submissions, rounds), so notifications, activity
and agreement are as real ones would be (told in the app only, no e-mails). Idempotent:
nothing is made once the school has a feedback request.
"""

from datetime import timedelta

from sqlalchemy import select

from collab.assessments import service as assessments
from collab.assessments import service_calibration as calibration
from collab.assessments import service_rubrics as rubrics
from collab.assessments.models import AssessmentRequest
from collab.assessments.service import Rating, RequestFields
from collab.core import notify
from collab.core.models import utcnow
from collab.demo.content import DemoContent
from collab.extensions import db
from collab.observations.models import Observation
from collab.people.models import Membership, School, User
from collab.plans.models import Plan


def seed(school: School, data: DemoContent) -> None:
    """Everything above, once; flushes."""
    if db.session.scalar(select(AssessmentRequest.id).where(
            AssessmentRequest.school_id == school.id).limit(1)) is not None:
        return
    spec = data.assessments
    people = {u.email.split("@")[0]: u for u in db.session.scalars(
        select(User).join(Membership).where(Membership.school_id == school.id))}
    principal = people[spec["principal"]]
    library = {key: rubrics.published(rubrics.from_library(school.id, principal, key, "id"))
               for key in spec["library"]}
    rubrics.create(school.id, principal, spec["school_rubric"], publish_now=True)
    today = utcnow().date()
    _lesson_feedback(spec["lesson_feedback"], library, people, today)
    _plan_growth(spec["plan_growth"], library, people, today)
    _novice_request(spec["novice_request"], library, people, today)
    _calibration(spec["calibration"], library, people, principal)
    db.session.flush()
    notify.forget_pending_mail()  # the demo's people are told in the app only


def _rate(assessment, user, spec: dict, submit=True) -> None:
    """Rate at `spec["levels"]` (1-based positions of the rubric's levels, one per
    criterion), with the glow on the first criterion and the grow on the last, as people
    write them; submitted `days_ago` days ago unless `submit` is false."""
    version = assessment.rubric_version
    last = len(version.criteria) - 1
    glow, grow = spec.get("glow", ""), spec.get("grow", "")
    ratings = {c.id: Rating(version.levels[level - 1].id, glow if n == 0 else "",
                            grow if n == last else "")
               for n, (c, level) in enumerate(zip(version.criteria, spec["levels"],
                                                  strict=True))}
    assessments.save(assessment, user, ratings, submit=submit)
    if submit:
        assessment.submitted_at = utcnow() - timedelta(days=spec.get("days_ago", 0))


def _of(request, user):
    return next(a for a in request.assessments if a.assessor_id == user.id)


def _lesson_feedback(spec: dict, library: dict, people: dict, today) -> None:
    """Feedback on the teacher's debriefed lesson from peers, and the teacher's own."""
    teacher = people[spec["teacher"]]
    observation = db.session.scalar(select(Observation).where(
        Observation.teacher_id == teacher.id, Observation.state == "debriefed"))
    if observation is None:
        return
    assessors = [people[peer["assessor"]] for peer in spec["peers"]]
    request = assessments.request_feedback(teacher, RequestFields(
        rubric_version_id=library[spec["rubric"]].id, assessor_ids=[a.id for a in assessors],
        due_on=today + timedelta(days=spec["due_in_days"]), observation_id=observation.id,
        message=spec["message"]), today)
    for assessor, peer in zip(assessors, spec["peers"], strict=True):
        _rate(_of(request, assessor), assessor, peer)
    _rate(_of(request, teacher), teacher, spec["self"])


def _plan_growth(spec: dict, library: dict, people: dict, today) -> None:
    """The teacher's first plan, assessed by the same colleagues weeks ago and again now."""
    teacher = people[spec["teacher"]]
    plan = db.session.scalar(select(Plan).where(Plan.owner_id == teacher.id)
                             .order_by(Plan.id))
    if plan is None:
        return
    assessors = [people[handle] for handle in spec["assessors"]]
    for round_ in spec["rounds"]:
        weeks_ago = round_["weeks_ago"]
        request = assessments.request_feedback(teacher, RequestFields(
            rubric_version_id=library[spec["rubric"]].id,
            assessor_ids=[a.id for a in assessors],
            due_on=today + timedelta(days=spec["due_in_days"]), plan_id=plan.id,
            with_self=False), today)
        request.created_at = utcnow() - timedelta(weeks=weeks_ago)
        rating = {"levels": round_["levels"], "glow": spec["glow"], "grow": spec["grow"],
                  "days_ago": 7 * weeks_ago + 1}
        for assessor in assessors:
            _rate(_of(request, assessor), assessor, rating)


def _novice_request(spec: dict, library: dict, people: dict, today) -> None:
    """A novice asks colleagues about their first plan; some answered, some have a draft."""
    novice = people[spec["teacher"]]
    plan = db.session.scalar(select(Plan).where(Plan.owner_id == novice.id).order_by(Plan.id))
    if plan is None:
        return
    request = assessments.request_feedback(novice, RequestFields(
        rubric_version_id=library[spec["rubric"]].id,
        assessor_ids=[people[handle].id for handle in spec["assessors"]],
        due_on=today + timedelta(days=spec["due_in_days"]), plan_id=plan.id,
        message=spec["message"]), today)
    for answer in spec["answers"]:
        assessor = people[answer["assessor"]]
        _rate(_of(request, assessor), assessor, answer, submit=answer["submitted"])


def _calibration(spec: dict, library: dict, people: dict, principal) -> None:
    """A closed calibration round of the principal and the raters on a school plan."""
    plan = db.session.scalar(select(Plan).where(Plan.school_id == principal.school_id,
                                                Plan.visibility == "school").order_by(Plan.id))
    if plan is None:
        return
    raters = [people[handle] for handle in spec["raters"]]
    round_ = calibration.create_round(principal, library[spec["rubric"]], spec["title"],
                                      [r.id for r in raters], plan=plan)
    levels = {people[handle].id: levels for handle, levels in spec["levels"].items()}
    for assessment in calibration.round_assessments(round_):
        _rate(assessment, assessment.assessor,
              {"levels": levels[assessment.assessor_id], "days_ago": spec["days_ago"]})
    calibration.close(round_, principal)
