"""Assessment: rubrics (the school's and the built-in library, the builder, versions, import
and export; `rubrics_bp`, /rubrics) and assessments (asking colleagues for feedback, writing an
assessment, results, calibration rounds; `bp`, /assessments)."""

from flask import Blueprint

bp = Blueprint("assessments", __name__)
rubrics_bp = Blueprint("rubrics", __name__)
