"""Assessment: asking colleagues for feedback, writing an assessment, reading results,
calibration rounds (the rubrics themselves are the rubrics area)."""

from flask import Blueprint

bp = Blueprint("assessments", __name__)

from collab.blueprints.assessments import calibration, routes  # noqa: E402, F401
