"""The rooms' HTTP pages: thin adapters over collab.services.rooms."""

from collab.blueprints.rooms import bp  # noqa: F401
