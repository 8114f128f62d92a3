"""Home page, first-run setup, language switch, notifications and the health check."""

from flask import Blueprint

bp = Blueprint("main", __name__)
