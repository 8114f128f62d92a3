"""Assessments: asking colleagues for feedback on a plan or an observed lesson, drafts and
submission (final), self-assessment, results with medians, weighted totals and agreement,
growth over time, and reminders before the deadline.

A teacher asks 1–MAX_ASSESSORS colleagues of their school for feedback on one of their own
plans or on a lesson of theirs that was observed (completed or debriefed), on a published
rubric version whose target fits, by a deadline; they may add a self-assessment on the same
rubric. An observer may also start an assessment of a lesson they observed. Each assessor
rates every criterion with a level, a glow (what worked) and a grow (one suggestion); a draft
is saved as it is, a submission needs every criterion rated and is final.
"""

import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from collab.assessments import scoring
from collab.assessments import service_anonymity as anonymity
from collab.assessments.models import (
    Assessment,
    AssessmentRating,
    AssessmentRequest,
    RubricCriterion,
    RubricVersion,
)
from collab.assessments.service_errors import (
    MAX_ASSESSORS,
    MAX_MESSAGE,
    MAX_TEXT,
    AssessmentError,
)
from collab.core import activity, notify
from collab.core.links import Target
from collab.core.models import utcnow
from collab.extensions import db
from collab.mentoring.models import MentorPair
from collab.observations.models import Observation, ObservationObserver
from collab.people.models import Membership, User
from collab.plans.models import Plan

LONGEST_DEADLINE = timedelta(days=90)
REMIND_BEFORE = timedelta(days=1)
CALIBRATE_BELOW = 0.667  # ordinal alpha under this: "discuss to calibrate"
TARGET_RUBRICS = {"plan": ("plan",), "observation": ("observation", "reflection")}


# -- targets ---------------------------------------------------------------------------------

def assessable_plans(teacher: User) -> list[Plan]:
    """My own plans, newest first (feedback on a plan is asked by its owner)."""
    return list(db.session.scalars(select(Plan).where(
        Plan.owner_id == teacher.id, Plan.school_id == teacher.school_id)
        .order_by(Plan.updated_at.desc()).limit(200)))


def assessable_observations(teacher: User) -> list[Observation]:
    """My lessons that colleagues observed (completed or debriefed), newest first."""
    return list(db.session.scalars(select(Observation).where(
        Observation.teacher_id == teacher.id, Observation.school_id == teacher.school_id,
        Observation.state.in_(("completed", "debriefed")))
        .order_by(Observation.lesson_date.desc()).limit(200)))


def usable_versions(school_id: int, target: str) -> list[RubricVersion]:
    """The newest published version of every rubric of the school that fits `target`."""
    from collab.assessments.models import Rubric

    versions = db.session.scalars(
        select(RubricVersion).join(Rubric, Rubric.id == RubricVersion.rubric_id)
        .where(Rubric.school_id == school_id, Rubric.archived_at.is_(None),
               RubricVersion.published_at.is_not(None),
               RubricVersion.target.in_(TARGET_RUBRICS[target]))
        .order_by(RubricVersion.rubric_id, RubricVersion.number.desc()))
    newest: dict[int, RubricVersion] = {}
    for version in versions:
        newest.setdefault(version.rubric_id, version)
    return sorted(newest.values(), key=lambda v: v.title.lower())


def _check_version(version: RubricVersion | None, school_id: int, target: str) -> None:
    if (version is None or version.rubric.school_id != school_id or not version.is_published
            or version.rubric.archived_at is not None
            or version.target not in TARGET_RUBRICS[target]):
        raise AssessmentError("bad_rubric", "rubric")


# -- asking for feedback -------------------------------------------------------------------

@dataclass
class RequestFields:
    rubric_version_id: int
    assessor_ids: list[int]
    due_on: date
    message: str = ""
    with_self: bool = True
    plan_id: int | None = None
    observation_id: int | None = None


def request_feedback(teacher: User, fields: RequestFields, today: date) -> AssessmentRequest:
    """Ask colleagues for feedback on one of my plans or observed lessons; each gets a draft
    to fill in and a notification (in the app and by e-mail). My mentor (of an active
    mentoring pair) assesses as kind "mentor", the others as "peer"."""
    target, plan, observation = _target_of(teacher, fields)
    version = db.session.get(RubricVersion, fields.rubric_version_id)
    _check_version(version, teacher.school_id, target)
    assessors = _colleagues(teacher, fields.assessor_ids)
    if not today <= fields.due_on <= today + LONGEST_DEADLINE:
        raise AssessmentError("bad_deadline", "due_on")
    message = (fields.message or "").strip()
    if len(message) > MAX_MESSAGE:
        raise AssessmentError("message_too_long", "message")
    request = AssessmentRequest(school_id=teacher.school_id, teacher_id=teacher.id,
                                rubric_version_id=version.id, plan_id=fields.plan_id,
                                observation_id=fields.observation_id, message=message,
                                due_on=fields.due_on)
    db.session.add(request)
    db.session.flush()
    mentors = set(db.session.scalars(select(MentorPair.mentor_id).where(
        MentorPair.novice_id == teacher.id, MentorPair.status == "active")))
    people = [(a, "mentor" if a.id in mentors else "peer") for a in assessors] + (
        [(teacher, "self")] if fields.with_self else [])
    drafts = {}
    for assessor, kind in people:
        drafts[assessor.id] = Assessment(
            school_id=teacher.school_id, rubric_version_id=version.id, request_id=request.id,
            assessed_id=teacher.id, assessor_id=assessor.id, kind=kind, plan_id=plan and plan.id,
            observation_id=observation and observation.id, due_on=fields.due_on)
        db.session.add(drafts[assessor.id])
    db.session.flush()
    for assessor in assessors:
        # The assessor is led to their own form: the request's results are the teacher's.
        target = Target("assessments.assessment", {"assessment_id": drafts[assessor.id].id})
        notify.notify(assessor, "assessment.requested", target, email=True, name=teacher.name,
                      title=version.title, date=fields.due_on.isoformat())
    activity.record(teacher.school_id, teacher, "assessment.requested", "assessment_request",
                    request.id)
    return request


def _target_of(teacher: User, fields: RequestFields):
    if (fields.plan_id is None) == (fields.observation_id is None):
        raise AssessmentError("choose_target", "target")
    if fields.plan_id is not None:
        plan = db.session.get(Plan, fields.plan_id)
        if plan is None or plan.owner_id != teacher.id or plan.school_id != teacher.school_id:
            raise AssessmentError("bad_target", "target")
        return "plan", plan, None
    observation = db.session.get(Observation, fields.observation_id)
    if (observation is None or observation.teacher_id != teacher.id
            or observation.state not in ("completed", "debriefed")):
        raise AssessmentError("bad_target", "target")
    return "observation", None, observation


def _colleagues(teacher: User, ids: list[int]) -> list[User]:
    wanted = set(ids) - {teacher.id}
    if not 1 <= len(wanted) <= MAX_ASSESSORS:
        raise AssessmentError("assessor_count", "assessors")
    people = list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(User.id.in_(wanted), Membership.school_id == teacher.school_id)
        .order_by(User.name)))
    if len(people) != len(wanted):
        raise AssessmentError("not_a_colleague", "assessors")
    return people


def start_as_observer(observer: User, observation: Observation,
                      version: RubricVersion | None) -> Assessment:
    """An observer assesses a lesson they observed, on their own initiative (no deadline);
    starting again returns the draft already begun."""
    accepted = db.session.scalar(select(ObservationObserver.id).where(
        ObservationObserver.observation_id == observation.id,
        ObservationObserver.user_id == observer.id, ObservationObserver.status == "accepted"))
    if accepted is None or observation.state not in ("completed", "debriefed"):
        raise AssessmentError("not_an_observer", status=403)
    _check_version(version, observer.school_id, "observation")
    found = db.session.scalar(select(Assessment).where(
        Assessment.assessor_id == observer.id, Assessment.observation_id == observation.id,
        Assessment.rubric_version_id == version.id, Assessment.request_id.is_(None)))
    if found is not None:
        return found
    assessment = Assessment(school_id=observer.school_id, rubric_version_id=version.id,
                            assessed_id=observation.teacher_id, assessor_id=observer.id,
                            kind="peer", observation_id=observation.id)
    db.session.add(assessment)
    db.session.flush()
    activity.record(observer.school_id, observer, "assessment.started", "assessment",
                    assessment.id)
    return assessment


# -- filling in ----------------------------------------------------------------------------

@dataclass
class Rating:
    level_id: int | None = None
    glow: str = ""
    grow: str = ""


def current_ratings(assessment: Assessment) -> dict[int, Rating]:
    """The assessment's ratings by criterion id (empty ones for criteria not yet touched)."""
    stored = {r.criterion_id: r for r in assessment.ratings}
    return {c.id: Rating(stored[c.id].level_id, stored[c.id].glow, stored[c.id].grow)
            if c.id in stored else Rating() for c in assessment.rubric_version.criteria}


def save(assessment: Assessment, user: User, ratings: dict[int, Rating],
         submit: bool = False) -> None:
    """Keep the ratings as a draft; with `submit`, also make the assessment final, which
    needs a level for every criterion (the draft is saved first, so nothing typed is lost)."""
    if assessment.assessor_id != user.id:
        raise AssessmentError("not_yours", status=403)
    if assessment.is_submitted:
        raise AssessmentError("submitted", status=409)
    _check_ratings(assessment.rubric_version, ratings)
    stored = {r.criterion_id: r for r in assessment.ratings}
    for criterion_id, rating in ratings.items():
        row = stored.get(criterion_id)
        if row is None:
            row = AssessmentRating(criterion_id=criterion_id)
            assessment.ratings.append(row)
        row.level_id = rating.level_id
        row.glow = (rating.glow or "").strip()
        row.grow = (rating.grow or "").strip()
    assessment.updated_at = utcnow()
    db.session.flush()
    if submit:
        _submit(assessment, user)


def _check_ratings(version: RubricVersion, ratings: dict[int, Rating]) -> None:
    levels = {level.id for level in version.levels}
    if set(ratings) - {c.id for c in version.criteria}:
        raise AssessmentError("bad_criterion", "ratings")
    for criterion_id, rating in ratings.items():
        if rating.level_id is not None and rating.level_id not in levels:
            raise AssessmentError("bad_level", f"level-{criterion_id}")
        for name in ("glow", "grow"):
            if len(getattr(rating, name) or "") > MAX_TEXT:
                raise AssessmentError("text_too_long", f"{name}-{criterion_id}")


def _submit(assessment: Assessment, user: User) -> None:
    rated = {r.criterion_id for r in assessment.ratings if r.level_id is not None}
    missing = [c.id for c in assessment.rubric_version.criteria if c.id not in rated]
    if missing:
        raise AssessmentError("unrated", missing=missing)
    assessment.status = "submitted"
    assessment.submitted_at = utcnow()
    db.session.flush()
    activity.record(assessment.school_id, user, "assessment.submitted", "assessment",
                    assessment.id)
    if assessment.assessed_id not in (None, user.id) and assessment.kind != "calibration":
        anonymity.tell_assessed(assessment, user, _results_link(assessment))


def _results_link(assessment: Assessment) -> Target:
    if assessment.request_id is not None:
        return Target("assessments.results", {"request_id": assessment.request_id})
    return Target("assessments.assessment", {"assessment_id": assessment.id})


# -- lists ---------------------------------------------------------------------------------

def to_do(user: User) -> list[Assessment]:
    """Assessments I am asked to write and have not submitted, soonest deadline first."""
    rows = db.session.scalars(
        select(Assessment).where(Assessment.assessor_id == user.id,
                                 Assessment.status == "draft",
                                 Assessment.kind.in_(("peer", "mentor", "self")))
        .options(selectinload(Assessment.rubric_version)))
    return sorted(rows, key=lambda a: (a.due_on or date.max, a.id))


def my_requests(user: User) -> list[AssessmentRequest]:
    return list(db.session.scalars(
        select(AssessmentRequest).where(AssessmentRequest.teacher_id == user.id)
        .order_by(AssessmentRequest.created_at.desc())
        .options(selectinload(AssessmentRequest.assessments))))


# -- results -------------------------------------------------------------------------------

@dataclass
class CriterionResult:
    criterion: RubricCriterion
    levels: list[tuple[str, float | None]]  # (who, score) per peer assessor
    self_score: float | None
    median: float | None
    glows: list[tuple[str, str]]
    grows: list[tuple[str, str]]
    agreement: dict | None = None

    @property
    def discuss(self) -> bool:
        agreement = self.agreement or {}
        alpha = agreement.get("alpha_ordinal")
        # One lesson or plan alone says nothing about how a criterion is read.
        return alpha is not None and agreement.get("units", 0) >= 2 and alpha < CALIBRATE_BELOW


@dataclass
class Results:
    version: RubricVersion
    criteria: list[CriterionResult] = field(default_factory=list)
    peers: list[Assessment] = field(default_factory=list)
    self_assessment: Assessment | None = None
    weighted_total: float | None = None  # of the peers' medians, as a share of the maximum
    self_total: float | None = None
    agreement: dict | None = None
    pkg_score: float | None = None
    withheld: int = 0  # answers in but not shown (anonymous, too few yet)


def results(version: RubricVersion, assessments: list[Assessment], anonymous: bool,
            pkg: bool = False) -> Results:
    """What the assessed teacher reads: per criterion each peer's level (named, or "Colleague
    1, 2…" when the school keeps peer feedback anonymous), the median, every glow and grow,
    their self-assessment beside; the weighted total and agreement."""
    submitted = [a for a in assessments if a.is_submitted]
    peers = [a for a in submitted if a.kind in anonymity.PEER_KINDS]
    own = next((a for a in submitted if a.kind == "self"), None)
    withheld = 0
    if anonymous:  # service_anonymity.py: drawn labels, and no answer shown alone
        asked = [a for a in assessments if a.kind in anonymity.PEER_KINDS]
        names = anonymity.labelled(asked)
        peers = sorted(peers, key=lambda a: int(names[a.id][1:]))
        if len(peers) < anonymity.answers_needed(len(asked)):
            peers, withheld = [], len(peers)
    else:
        names = {a.id: a.assessor.name for a in peers}
    scores = {level.id: level.score for level in version.levels}
    by_assessment = {a.id: {r.criterion_id: r for r in a.ratings} for a in submitted}
    out = Results(version=version, peers=peers, self_assessment=own, withheld=withheld)
    matrix = []
    for criterion in version.criteria:
        peer_scores = [(names[a.id], _score(by_assessment[a.id], criterion.id, scores))
                       for a in peers]
        present = [s for _, s in peer_scores if s is not None]
        ratings = [by_assessment[a.id].get(criterion.id) for a in peers]
        out.criteria.append(CriterionResult(
            criterion=criterion, levels=peer_scores,
            self_score=_score(by_assessment[own.id], criterion.id, scores) if own else None,
            median=statistics.median(present) if present else None,
            glows=[(names[a.id], r.glow) for a, r in zip(peers, ratings, strict=True)
                   if r is not None and r.glow],
            grows=[(names[a.id], r.grow) for a, r in zip(peers, ratings, strict=True)
                   if r is not None and r.grow]))
        matrix.append([s for _, s in peer_scores])
    out.weighted_total = weighted_share(version, [c.median for c in out.criteria])
    if own is not None:
        out.self_total = weighted_share(version, [c.self_score for c in out.criteria])
    if len(peers) >= 2:
        # Units: the criteria of this target; raters: the peers.
        raters = [list(column) for column in zip(*matrix, strict=True)]
        out.agreement = scoring.agreement(raters, sorted(set(scores.values())))
        per_criterion = agreement_by_criterion(version)
        for result in out.criteria:
            result.agreement = per_criterion.get(result.criterion.id)
    if pkg:
        out.pkg_score = pkg_score(version, [c.median for c in out.criteria])
    return out


def agreement_by_criterion(version: RubricVersion) -> dict[int, dict]:
    """For each criterion, agreement over every target assessed on this version by two or
    more peers (one unit per target, one rater per assessor; one query). A single target
    gives each criterion one unit, on which alpha says nothing: alpha needs the criterion
    rated on several lessons or plans."""
    rows = db.session.execute(
        select(Assessment.assessor_id, Assessment.request_id, Assessment.plan_id,
               Assessment.observation_id, AssessmentRating.criterion_id,
               AssessmentRating.level_id)
        .join(AssessmentRating, AssessmentRating.assessment_id == Assessment.id)
        .where(Assessment.rubric_version_id == version.id, Assessment.status == "submitted",
               Assessment.kind.in_(("peer", "mentor")))).all()
    scores = {level.id: level.score for level in version.levels}
    cells: dict[int, dict] = {}
    for assessor, request, plan, observation, criterion, level in rows:
        unit = (request, plan, observation)
        cells.setdefault(criterion, {})[(assessor, unit)] = scores.get(level)
    out = {}
    for criterion, values in cells.items():
        assessors = sorted({a for a, _ in values})
        units = sorted({u for _, u in values}, key=repr)
        matrix = [[values.get((a, u)) for u in units] for a in assessors]
        out[criterion] = scoring.agreement(matrix, sorted(set(scores.values())))
    return out


def _score(ratings: dict, criterion_id: int, scores: dict) -> float | None:
    rating = ratings.get(criterion_id)
    return scores.get(rating.level_id) if rating is not None and rating.level_id else None


def weighted_share(version: RubricVersion, values: list[float | None]) -> float | None:
    """Σ weight × value over Σ weight × top score, as a percentage (criteria without a value
    left out); None when nothing is rated."""
    top = max((level.score for level in version.levels), default=0)
    pairs = [(c.weight, v) for c, v in zip(version.criteria, values, strict=True)
             if v is not None]
    if not pairs or top <= 0:
        return None
    return round(100 * sum(w * v for w, v in pairs) / sum(w * top for w, _ in pairs), 1)


def pkg_score(version: RubricVersion, values: list[float | None]) -> float | None:
    """The PKG conversion: the total of the levels (14 criteria × 1–4) / 56 × 100."""
    from collab.assessments.library import pkg_conversion

    if any(v is None for v in values) or not values:
        return None
    top = max(level.score for level in version.levels)
    return pkg_conversion(sum(values), top * len(values))


# -- reminders -----------------------------------------------------------------------------

def send_reminders(now=None) -> int:
    """Remind assessors whose deadline is tomorrow (or today) and who have not submitted;
    once per assessment."""
    today = (now or utcnow()).date()
    due = db.session.scalars(select(Assessment).where(
        Assessment.status == "draft", Assessment.reminded_at.is_(None),
        Assessment.due_on.is_not(None), Assessment.due_on >= today,
        Assessment.due_on <= today + REMIND_BEFORE, Assessment.kind != "self"))
    sent = 0
    for assessment in due:
        notify.notify(assessment.assessor, "assessment.reminder",
                      Target("assessments.assessment", {"assessment_id": assessment.id}),
                      email=True, name=assessment.assessed.name if assessment.assessed else "",
                      date=assessment.due_on.isoformat())
        assessment.reminded_at = utcnow()
        sent += 1
    db.session.flush()
    return sent
