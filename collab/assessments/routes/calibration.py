"""Calibration round pages: start a round, the round (anchor, raters, comparison), close."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from collab.assessments import access as access
from collab.assessments import bp
from collab.assessments import service as assessments
from collab.assessments import service_calibration as calibration
from collab.assessments.forms import RoundForm
from collab.assessments.models import RubricVersion
from collab.assessments.routes.assessments import (
    colleague_choices,
    parse_target,
    rubric_choices,
    target_choices,
)
from collab.assessments.service import AssessmentError
from collab.core.forms import EmptyForm
from collab.extensions import db
from collab.observations.models import Observation
from collab.people.access import school_member_required
from collab.plans.access import visible_to
from collab.plans.models import Plan


def _samples():
    """Plans the whole school can read (every rater can open them), and lessons I taught or
    observed that were completed."""
    plans = list(db.session.scalars(
        select(Plan).where(visible_to(current_user), Plan.visibility == "school")
        .order_by(Plan.updated_at.desc()).limit(100)))
    return plans, assessments.assessable_observations(current_user)


@bp.route("/calibration/new", methods=["GET", "POST"])
@school_member_required
def calibration_new():
    form = RoundForm()
    plans, observations = _samples()
    form.target.choices = target_choices(plans, observations)
    form.rubric.choices = rubric_choices("plan", "observation")
    form.raters.choices = colleague_choices()
    if form.validate_on_submit():
        target = parse_target(form.target.data)
        plan = db.session.get(Plan, target["plan_id"]) if "plan_id" in target else None
        observation = (db.session.get(Observation, target["observation_id"])
                       if "observation_id" in target else None)
        try:
            made = calibration.create_round(
                current_user, db.session.get(RubricVersion, form.rubric.data),
                form.title.data, form.raters.data, plan=plan, observation=observation)
        except AssessmentError as error:
            db.session.rollback()
            field = {"raters": form.raters, "rubric": form.rubric,
                     "title": form.title}.get(error.field, form.target)
            field.errors = [*field.errors, error.message]
        else:
            db.session.commit()
            flash(_("The round is ready. Record your reference levels first; the raters "
                    "are told."), "success")
            return redirect(url_for("assessments.calibration_round", round_id=made.id))
    return render_template("assessments/calibration_new.html", form=form)


@bp.route("/calibration/<int:round_id>")
@school_member_required
def calibration_round(round_id: int):
    round_ = access.calibration_round(round_id)
    everyone = calibration.round_assessments(round_)
    mine = next((a for a in everyone if a.assessor_id == current_user.id), None)
    return render_template(
        "assessments/calibration.html", round=round_, mine=mine,
        view=calibration.view(round_, current_user), everyone=everyone, form=EmptyForm(),
        facilitator=round_.facilitator_id == current_user.id,
        within=calibration.CALIBRATED_WITHIN)


@bp.route("/calibration/<int:round_id>/close", methods=["POST"])
@school_member_required
def calibration_close(round_id: int):
    round_ = access.facilitated_round(round_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    calibration.close(round_, current_user)
    db.session.commit()
    flash(_("The round is closed."), "success")
    return redirect(url_for("assessments.calibration_round", round_id=round_.id,
                            **request.args))
