"""The principal's view of collaboration (issue 13): who works with whom, who is left alone,
how the lesson-study cycle is going — support, not surveillance. Counts, dates and names
only, read from a rollup of the activity log kept up to date as events are written
(`service_rollup`); every teacher sees what the principal sees about them at /dashboard/me."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__)
