"""The pages of observations: the week and requests (pages.py), calendar feeds and notes."""

from collab.observations.routes import calendar, notes, pages  # noqa: F401  (their views attach to bp)
