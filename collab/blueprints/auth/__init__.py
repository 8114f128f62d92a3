"""Signing in and out, joining by invitation, and resetting a forgotten password."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from collab.blueprints.auth import routes  # noqa: E402, F401
