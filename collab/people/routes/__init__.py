"""The pages of people: signing in (auth.py) and settings (settings.py)."""

from collab.people.routes import auth, settings  # noqa: F401  (their views attach to the blueprints)
