"""Growth over time: a teacher's results on one rubric (all its versions), one point per
feedback request, drawn as an inline SVG chart on the results page.

With anonymous peer feedback (service_anonymity.py) a point is dated by the request, not by
the latest submission, and carries the colleagues' total only once enough of them answered:
the chart must not tell what the results page withholds.
"""

import statistics
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from collab.assessments import service_anonymity as anonymity
from collab.assessments.models import (
    Assessment,
    AssessmentRating,
    AssessmentRequest,
    RubricVersion,
)
from collab.assessments.service import weighted_share
from collab.extensions import db
from collab.people.models import User


@dataclass
class GrowthPoint:
    on: date
    total: float | None  # peers: weighted share of the medians, %
    self_total: float | None
    x: float = 0.0
    y: float | None = None
    self_y: float | None = None


CHART_WIDTH, CHART_HEIGHT = 300, 100


def growth(teacher: User, rubric, anonymous: bool = False) -> list[GrowthPoint]:
    """My results on one rubric (all its versions) over time, one point per feedback request
    with a submitted assessment, oldest first, placed on a CHART_WIDTH × CHART_HEIGHT chart.
    Read as plain rows (three queries whatever the number of assessments; five when
    anonymous)."""
    rows = db.session.execute(
        select(Assessment.request_id, Assessment.id, Assessment.kind, Assessment.submitted_at,
               Assessment.rubric_version_id, AssessmentRating.criterion_id,
               AssessmentRating.level_id)
        .join(RubricVersion, RubricVersion.id == Assessment.rubric_version_id)
        .join(AssessmentRating, AssessmentRating.assessment_id == Assessment.id)
        .where(Assessment.assessed_id == teacher.id, RubricVersion.rubric_id == rubric.id,
               Assessment.status == "submitted", Assessment.request_id.is_not(None))).all()
    versions = {v.id: v for v in db.session.scalars(
        select(RubricVersion).where(RubricVersion.rubric_id == rubric.id)
        .options(selectinload(RubricVersion.levels), selectinload(RubricVersion.criteria)))}
    groups: dict[int, dict] = {}
    for request_id, assessment_id, kind, submitted_at, version_id, criterion_id, level_id \
            in rows:
        group = groups.setdefault(request_id, {"version": version_id, "on": submitted_at,
                                               "peers": {}, "self": {}, "answered": set()})
        group["on"] = max(group["on"], submitted_at)
        side = group["self"] if kind == "self" else group["peers"]
        side.setdefault(criterion_id, []).append(level_id)
        if kind in anonymity.PEER_KINDS:
            group["answered"].add(assessment_id)
    if anonymous and groups:
        _anonymise(groups)
    points = []
    for group in groups.values():
        version = versions[group["version"]]
        points.append(GrowthPoint(on=group["on"].date(),
                                  total=_share_of(version, group["peers"]),
                                  self_total=_share_of(version, group["self"])))
    points.sort(key=lambda p: p.on)
    step = CHART_WIDTH / max(len(points) - 1, 1)
    for n, point in enumerate(points):
        point.x = round(n * step if len(points) > 1 else CHART_WIDTH / 2, 1)
        point.y = None if point.total is None else round(CHART_HEIGHT - point.total, 1)
        point.self_y = (None if point.self_total is None
                        else round(CHART_HEIGHT - point.self_total, 1))
    return points


def _anonymise(groups: dict[int, dict]) -> None:
    """Date each point by its request; drop the peers' part while too few answered."""
    asked = dict(db.session.execute(
        select(Assessment.request_id, func.count(Assessment.id))
        .where(Assessment.request_id.in_(groups), Assessment.kind.in_(anonymity.PEER_KINDS))
        .group_by(Assessment.request_id)).all())
    created = dict(db.session.execute(
        select(AssessmentRequest.id, AssessmentRequest.created_at)
        .where(AssessmentRequest.id.in_(groups))).all())
    for request_id, group in groups.items():
        group["on"] = created[request_id]
        if len(group["answered"]) < anonymity.answers_needed(asked.get(request_id, 0)):
            group["peers"] = {}


def _share_of(version: RubricVersion, levels_by_criterion: dict) -> float | None:
    """The weighted share of the medians of the levels given per criterion."""
    if not levels_by_criterion:
        return None
    scores = {level.id: level.score for level in version.levels}
    medians = []
    for criterion in version.criteria:
        values = [scores[i] for i in levels_by_criterion.get(criterion.id, []) if i in scores]
        medians.append(statistics.median(values) if values else None)
    return weighted_share(version, medians)
