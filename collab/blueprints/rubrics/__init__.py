"""Rubrics: the school's rubrics and the built-in library, the builder that works without
JavaScript, versions, duplicates, import and export, and the school's assessment settings."""

from flask import Blueprint

bp = Blueprint("rubrics", __name__)

from collab.blueprints.rubrics import builder, routes  # noqa: E402, F401
