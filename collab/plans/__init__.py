"""Lesson plans: write from a template, edit without losing a colleague's work, history,
diff and restore, co-authors, comments, attachments, adaptation, search and export."""

from flask import Blueprint

bp = Blueprint("plans", __name__)
