"""Who may see an assessment, a feedback request's results and a calibration round. Every
assessment route goes through here.

An assessor sees and writes their own assessments. The assessed teacher sees the results of
their requests (and each submitted assessment of them). The principal sees counts only,
unless the teacher shares a request's results. A calibration round is for its facilitator
and its raters. Anyone else, and anyone from another school, gets a 404.
"""

from flask import abort
from flask_login import current_user

from collab.assessments import service_anonymity as anonymity
from collab.assessments.models import Assessment, AssessmentRequest, CalibrationRound
from collab.extensions import db
from collab.people.access import current_school, is_principal


def _of_my_school(model, row_id: int):
    school = current_school()
    row = db.session.get(model, row_id)
    if row is None or row.school_id != school.id:
        abort(404)
    return row


def own_assessment(assessment_id: int) -> Assessment:
    """An assessment I write (or wrote), else 404."""
    assessment = _of_my_school(Assessment, assessment_id)
    if assessment.assessor_id != current_user.id:
        abort(404)
    return assessment


def readable_assessment(assessment_id: int) -> Assessment:
    """An assessment I wrote, or a submitted one of me (not a calibration's, nor, when the
    school keeps peer feedback anonymous, a colleague's answer to my request), else 404."""
    assessment = _of_my_school(Assessment, assessment_id)
    if assessment.assessor_id == current_user.id:
        return assessment
    if (assessment.assessed_id == current_user.id and assessment.is_submitted
            and assessment.round_id is None
            and not anonymity.hidden_from_assessed(assessment)):
        return assessment
    abort(404)


def can_read_results(user, request: AssessmentRequest) -> bool:
    """The teacher who asked; the principal only when the teacher shared the results."""
    if request.school_id != getattr(user, "school_id", None):
        return False
    return request.teacher_id == user.id or (
        request.shared_with_principal and getattr(user, "is_principal", False))


def request_results(request_id: int) -> AssessmentRequest:
    """A request whose results I may read; an assessor of it or the principal without a
    share get 403 (they know it exists), anyone else 404."""
    request = _of_my_school(AssessmentRequest, request_id)
    if can_read_results(current_user, request):
        return request
    if is_principal() or any(a.assessor_id == current_user.id for a in request.assessments):
        abort(403)
    abort(404)


def my_request(request_id: int) -> AssessmentRequest:
    """A request I made (to share or change it), else 404."""
    request = _of_my_school(AssessmentRequest, request_id)
    if request.teacher_id != current_user.id:
        abort(404)
    return request


def calibration_round(round_id: int) -> CalibrationRound:
    """A round I facilitate or rate in, else 404."""
    round_ = _of_my_school(CalibrationRound, round_id)
    if round_.facilitator_id == current_user.id:
        return round_
    taking_part = db.session.query(Assessment.id).filter(
        Assessment.round_id == round_.id, Assessment.assessor_id == current_user.id).first()
    if taking_part is None:
        abort(404)
    return round_


def facilitated_round(round_id: int) -> CalibrationRound:
    round_ = calibration_round(round_id)
    if round_.facilitator_id != current_user.id:
        abort(403)
    return round_
