"""The pages of assessments and rubrics."""

from collab.assessments.routes import (  # noqa: F401  (their views attach to the blueprints)
    assessments,
    calibration,
    rubric_builder,
    rubrics,
)
