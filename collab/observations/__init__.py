"""Observations: my week, asking colleagues to observe a lesson, answering, notes on the
phone, debrief, calendar feed."""

from flask import Blueprint

bp = Blueprint("observations", __name__)
