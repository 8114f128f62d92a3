"""The pages of plans: the plan itself (pages.py), comments and files."""

from collab.plans.routes import comments, files, pages  # noqa: F401  (their views attach to bp)
