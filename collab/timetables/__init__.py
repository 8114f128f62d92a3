"""Timetables: the school calendar (teaching periods, terms, holidays), classes, every
teacher's weekly timetable and the principal's CSV import (pages under /settings)."""

from flask import Blueprint

bp = Blueprint("timetables", __name__)
