"""The rubric builder: one form for a draft's whole grid that works without JavaScript.

Every button posts the whole form with its action ("add_level", "criterion_up-2", "publish",
…). The server applies what was typed plus the action, saves the draft and shows the grid
again, so nothing typed is lost. A draft saved by someone else since the page was opened is
never overwritten silently: the page comes back (409) with the user's text and a warning,
and pressing a button again saves it over the newer draft knowingly.
"""

import hashlib
import json

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from collab.assessments import access_rubrics as access
from collab.assessments import rubric_problems as problems
from collab.assessments import rubrics_bp as bp
from collab.assessments import service_rubrics as rubrics
from collab.assessments.forms_rubrics import (
    MAX_CRITERIA,
    MAX_LEVELS,
    TARGET_CHOICES,
    BuilderForm,
    Grid,
)
from collab.assessments.models import Rubric, RubricVersion
from collab.assessments.service_rubrics import InvalidRubric
from collab.core.database import reads_only_from_now
from collab.extensions import db

STEPS = ("save", "preview", "publish")


def fingerprint(version: RubricVersion) -> str:
    """A short digest of a draft as stored: the base a builder page was opened on."""
    text = json.dumps([version.id, rubrics.version_data(version)], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _page(rubric: Rubric, draft: RubricVersion, grid: Grid, status: int = 200, **extra):
    form = BuilderForm(formdata=None, base=fingerprint(draft))
    if "listed" not in extra:
        extra["listed"] = [(problems.place(place), message)
                           for place, messages in grid.errors.items() for message in messages]
    return render_template(
        "rubrics/builder.html", rubric=rubric, draft=draft, grid=grid, form=form,
        targets=TARGET_CHOICES, max_levels=MAX_LEVELS, max_criteria=MAX_CRITERIA,
        published=rubrics.published(rubric), **extra), status


@bp.route("/<int:rubric_id>/edit", methods=["GET", "POST"])
def edit(rubric_id):
    rubric = access.editable_rubric(rubric_id)
    if request.method == "GET":
        draft = rubrics.draft(rubric)
        if draft is None:
            flash(_("This rubric is published. Press Edit to start its next version."),
                  "warning")
            return redirect(url_for("rubrics.view", rubric_id=rubric.id))
        return _page(rubric, draft, Grid.from_data(rubrics.version_data(draft)))
    form = BuilderForm()
    if not form.validate_on_submit():
        abort(400)
    grid = Grid.from_form(request.form)
    action = request.form.get("action", "save")
    anchor = "" if action in STEPS else grid.apply(action)
    draft = rubrics.draft_to_save(rubric)
    if draft is None or form.base.data != fingerprint(draft):
        # Published, or saved by someone else, since this page was opened.
        draft = rubrics.start_new_version(rubric, current_user)
        db.session.commit()
        return _page(rubric, draft, grid, 409, conflict=True, anchor=anchor)
    return _apply(rubric, draft, grid, action, anchor)


def _apply(rubric: Rubric, draft: RubricVersion, grid: Grid, action: str, anchor: str):
    data = grid.rubric()
    if data is None or grid.errors:
        return _page(rubric, draft, grid, 400, unsaved=True, anchor=anchor)
    try:
        rubrics.save_draft(draft, current_user, data)
    except InvalidRubric as refused:
        db.session.rollback()
        reads_only_from_now()
        return _refused(rubric, draft, grid, refused, unsaved=True, anchor=anchor)
    db.session.commit()
    if action == "publish":
        return _publish(rubric, draft, grid)
    if action == "save":
        flash(_("The draft is saved."), "success")
        return redirect(url_for("rubrics.edit", rubric_id=rubric.id))
    preview = data if action == "preview" else None
    return _page(rubric, draft, grid, saved=True, preview=preview, anchor=anchor)


def _refused(rubric, draft, grid: Grid, refused: InvalidRubric, **extra):
    for place, messages in problems.by_place(refused.problems).items():
        for message in messages:
            grid.add_error(place, message)
    return _page(rubric, draft, grid, 400, listed=problems.listed(refused.problems), **extra)


def _publish(rubric: Rubric, draft: RubricVersion, grid: Grid):
    try:
        rubrics.publish(draft, current_user)
    except InvalidRubric as refused:
        db.session.rollback()  # the draft itself was saved above
        return _refused(rubric, draft, grid, refused, not_published=True)
    db.session.commit()
    flash(_("Version %(number)d is published. Assessments from now on use it.",
            number=draft.number), "success")
    return redirect(url_for("rubrics.view", rubric_id=rubric.id))
