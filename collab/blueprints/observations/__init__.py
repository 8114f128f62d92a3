"""Observations: my week, asking colleagues to observe a lesson, answering, notes on the
phone, debrief, calendar feed."""

from flask import Blueprint

bp = Blueprint("observations", __name__)

from collab.blueprints.observations import calendar, notes, routes  # noqa: E402, F401
