"""My profile, password and timetable; for principals, the school's staff, invitations,
teams, calendar (periods, terms, holidays) and the timetable import."""

from flask import Blueprint

bp = Blueprint("settings", __name__)

from collab.blueprints.settings import routes, timetables  # noqa: E402, F401
