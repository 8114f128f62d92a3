"""The mentoring pages: /mentoring/ and the principal's pairing (pages.py), the pair's space
and what the pair does together (pair.py)."""

from collab.mentoring.routes import pages, pair  # noqa: F401  (their views attach to bp)
