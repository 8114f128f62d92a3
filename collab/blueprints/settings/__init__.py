"""My profile and password; for principals, the school's staff, invitations and teams."""

from flask import Blueprint

bp = Blueprint("settings", __name__)

from collab.blueprints.settings import routes  # noqa: E402, F401
