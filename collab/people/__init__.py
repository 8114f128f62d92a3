"""People: schools, accounts, invitations, teams and roles. Signing in and out, joining by
invitation and resetting a password (`auth_bp`, /auth); my profile and password, and for
principals the school's staff, invitations and teams (`settings_bp`, /settings)."""

from flask import Blueprint

auth_bp = Blueprint("auth", __name__)
settings_bp = Blueprint("settings", __name__)
