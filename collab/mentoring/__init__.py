"""Mentoring: novice teachers paired with experienced colleagues (issue 12): offers to
mentor and novices' wishes, explained suggestions, the school-wide pairing the principal
proposes (`pairing.assign`), and the pair's space with goals and check-ins."""

from flask import Blueprint

bp = Blueprint("mentoring", __name__)
