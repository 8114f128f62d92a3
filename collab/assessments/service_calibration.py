"""Calibration rounds: colleagues learn to read a rubric the same way.

The facilitator picks a rubric version and a sample (a plan or an observed lesson), records a
reference assessment (the anchor levels) and names the raters. Each rater assesses the same
sample without seeing the anchor or anyone else's ratings; once they have submitted, they see
where they differ from the anchor (within one level counts as calibrated), the spread of the
group and its agreement. The facilitator sees who is calibrated on which criteria.
"""

import statistics
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from collab.assessments import scoring
from collab.assessments.models import Assessment, CalibrationRound, RubricCriterion, RubricVersion
from collab.assessments.service import TARGET_RUBRICS, AssessmentError
from collab.core import activity, notify
from collab.core.links import Target
from collab.core.models import utcnow
from collab.extensions import db
from collab.observations.models import Observation
from collab.people.models import Membership, User
from collab.plans.access import can_read
from collab.plans.models import Plan

CALIBRATED_WITHIN = 1  # levels
MAX_RATERS = 40
MAX_TITLE = 200


class CalibrationError(AssessmentError):
    """A refused calibration round: an AssessmentError with the round's own sentences."""

    MESSAGES = {
        **AssessmentError.MESSAGES,
        "sample_hidden": _l("Some raters cannot open this plan. Choose a plan shared with "
                            "the whole school."),
        "rater_count": _l("Choose one to %(max)d colleagues.", max=MAX_RATERS),
        "bad_title": _l("Give the round a title."),
    }


def create_round(facilitator: User, version: RubricVersion | None, title: str,
                 rater_ids: list[int], plan: Plan | None = None,
                 observation: Observation | None = None) -> CalibrationRound:
    """A new round with the facilitator's anchor (a draft to fill in first) and one blind
    assessment per rater; the raters are told."""
    title = " ".join((title or "").split())
    if not title or len(title) > MAX_TITLE:
        raise CalibrationError("bad_title", "title")
    if (plan is None) == (observation is None):
        raise CalibrationError("choose_target", "target")
    target = "plan" if plan is not None else "observation"
    sample = plan or observation
    if sample.school_id != facilitator.school_id:
        raise CalibrationError("bad_target", "target")
    if (version is None or version.rubric.school_id != facilitator.school_id
            or not version.is_published or version.target not in TARGET_RUBRICS[target]):
        raise CalibrationError("bad_rubric", "rubric")
    raters = _raters(facilitator, rater_ids)
    if plan is not None and not all(can_read(r, plan) for r in raters):
        raise CalibrationError("sample_hidden", "target")
    round_ = CalibrationRound(school_id=facilitator.school_id, facilitator_id=facilitator.id,
                              rubric_version_id=version.id, title=title,
                              plan_id=plan and plan.id,
                              observation_id=observation and observation.id)
    db.session.add(round_)
    db.session.flush()
    for person, kind in [(facilitator, "anchor"), *((r, "calibration") for r in raters)]:
        db.session.add(Assessment(
            school_id=facilitator.school_id, rubric_version_id=version.id, round_id=round_.id,
            assessor_id=person.id, kind=kind, plan_id=round_.plan_id,
            observation_id=round_.observation_id))
    db.session.flush()
    for rater in raters:
        notify.notify(rater, "calibration.invited",
                      Target("assessments.calibration_round", {"round_id": round_.id}),
                      name=facilitator.name, title=title)
    activity.record(facilitator.school_id, facilitator, "calibration.started",
                    "calibration_round", round_.id)
    return round_


def _raters(facilitator: User, ids: list[int]) -> list[User]:
    wanted = set(ids) - {facilitator.id}
    if not 1 <= len(wanted) <= MAX_RATERS:
        raise CalibrationError("rater_count", "raters")
    people = list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(User.id.in_(wanted), Membership.school_id == facilitator.school_id)
        .order_by(User.name)))
    if len(people) != len(wanted):
        raise CalibrationError("not_a_colleague", "raters")
    return people


def round_assessments(round_: CalibrationRound) -> list[Assessment]:
    return list(db.session.scalars(
        select(Assessment).where(Assessment.round_id == round_.id)
        .options(selectinload(Assessment.ratings), selectinload(Assessment.assessor))
        .order_by(Assessment.id)))


def anchor_of(assessments: list[Assessment]) -> Assessment:
    return next(a for a in assessments if a.kind == "anchor")


def close(round_: CalibrationRound, user: User) -> None:
    if user.id != round_.facilitator_id:
        raise CalibrationError("not_facilitator", status=403)
    round_.closed_at = utcnow()
    db.session.flush()
    activity.record(round_.school_id, user, "calibration.closed", "calibration_round",
                    round_.id)


@dataclass
class CriterionCalibration:
    criterion: RubricCriterion
    anchor: float | None
    mine: float | None = None
    low: float | None = None
    high: float | None = None
    median: float | None = None
    # rater name -> calibrated (within one level of the anchor), for the facilitator
    raters: dict[str, bool | None] = field(default_factory=dict)

    @property
    def difference(self) -> float | None:
        if self.anchor is None or self.mine is None:
            return None
        return self.mine - self.anchor

    @property
    def calibrated(self) -> bool | None:
        return None if self.difference is None else abs(self.difference) <= CALIBRATED_WITHIN


@dataclass
class RoundView:
    round: CalibrationRound
    criteria: list[CriterionCalibration]
    submitted: int
    raters: int
    agreement: dict | None
    anchor_ready: bool


def view(round_: CalibrationRound, viewer: User) -> RoundView:
    """The round as `viewer` may see it: the facilitator everything once the anchor is
    submitted; a rater their own comparison once they have submitted (before that, nothing
    of the others: the rating is blind)."""
    version = round_.rubric_version
    everyone = round_assessments(round_)
    anchor = anchor_of(everyone)
    raters = [a for a in everyone if a.kind == "calibration"]
    done = [a for a in raters if a.is_submitted]
    scores = {level.id: level.score for level in version.levels}

    def level_of(assessment, criterion_id):
        rating = next((r for r in assessment.ratings if r.criterion_id == criterion_id), None)
        return scores.get(rating.level_id) if rating and rating.level_id else None

    mine = next((a for a in raters if a.assessor_id == viewer.id), None)
    is_facilitator = viewer.id == round_.facilitator_id
    may_see = anchor.is_submitted and (is_facilitator or (mine is not None
                                                          and mine.is_submitted))
    criteria = []
    for criterion in version.criteria:
        item = CriterionCalibration(criterion, level_of(anchor, criterion.id) if may_see
                                    else None)
        if may_see:
            values = [v for v in (level_of(a, criterion.id) for a in done) if v is not None]
            if values:
                item.low, item.high = min(values), max(values)
                item.median = statistics.median(values)
            if mine is not None:
                item.mine = level_of(mine, criterion.id)
            if is_facilitator:
                for a in done:
                    value = level_of(a, criterion.id)
                    item.raters[a.assessor.name] = (
                        None if value is None or item.anchor is None
                        else abs(value - item.anchor) <= CALIBRATED_WITHIN)
        criteria.append(item)
    agreement = None
    if may_see and len(done) >= 2:
        matrix = [[level_of(a, c.id) for c in version.criteria] for a in done]
        agreement = scoring.agreement(matrix, sorted(set(scores.values())))
    return RoundView(round_, criteria, len(done), len(raters), agreement, anchor.is_submitted)


def my_rounds(user: User) -> list[CalibrationRound]:
    """Rounds I facilitate or rate in, newest first."""
    return list(db.session.scalars(
        select(CalibrationRound).join(Assessment, Assessment.round_id == CalibrationRound.id)
        .where(Assessment.assessor_id == user.id)
        .order_by(CalibrationRound.created_at.desc()).distinct()))
