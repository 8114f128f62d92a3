"""Lesson plans: write from a template, edit without losing a colleague's work, history,
diff and restore, co-authors, adaptation."""

from flask import Blueprint

bp = Blueprint("plans", __name__)

from collab.blueprints.plans import comments, files, routes  # noqa: E402, F401
