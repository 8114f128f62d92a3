"""Comments on a plan (add, reply, resolve, reopen, delete one's own, hide on one's plan) and
the school's own plan templates, which a principal adds."""

from flask import abort, current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from collab.core.forms import EmptyForm, show_refusal
from collab.core.numbers import whole_number
from collab.core.rendering import stored_html
from collab.extensions import db
from collab.people.access import current_school, principal_required
from collab.plans import access as access
from collab.plans import bp
from collab.plans import service_comments as plan_comments
from collab.plans import service_page as plan_page
from collab.plans import service_templates as plan_templates
from collab.plans.forms import CommentForm, SchoolTemplateForm
from collab.plans.models import Plan, PlanTemplate


def view_context(plan: Plan, editor: bool) -> dict:
    """What the plan page needs to show its comments (see templates/plans/_comments.html);
    `editor`: the reader may edit the plan (access.can_edit)."""
    threads = plan_comments.threads(plan)
    # After a refused comment the page shows the form as it was sent (see add_comment), in
    # the reply box of its thread or else in the new-comment box.
    form = g.pop("comment_form", None)
    failed_reply = _reply_target(form, {t.id for t in threads})
    comments = [c for t in threads for c in (t.comment, *t.replies)]
    return {
        "comment_threads": threads,
        # Rendered when each comment was written; a hidden one's text goes to nobody.
        "comment_html": {c.id: plan_page.comment_html(c.html, c.body) for c in comments
                         if c.hidden_at is None},
        "comment_owner": access.is_owner(current_user, plan),
        "comment_form": form or CommentForm(formdata=None),
        "failed_reply": failed_reply,
        "resolvable": {t.id for t in threads if editor or t.comment.author_id == current_user.id},
    }


def _id_of(value: str | None) -> int | None:
    """A posted id as an int, None if it is not one (ASCII digits that fit a database id)."""
    return whole_number(value)


def _reply_target(form: CommentForm | None, thread_ids: set[int]) -> int | None:
    if form is None:
        return None
    target = _id_of(form.parent_id.data)
    return target if target in thread_ids else None


def _parent_id(form: CommentForm) -> int | None:
    if not (form.parent_id.data or "").strip():
        return None
    parent_id = _id_of(form.parent_id.data)
    if parent_id is None:
        raise plan_comments.CommentError("parent", "body")
    return parent_id


def _add(plan: Plan, form: CommentForm):
    """The new comment, or None with the service's complaint put on the form."""
    try:
        comment = plan_comments.add(
            plan, current_user, form.body.data or "", section=form.section.data or "",
            parent_id=_parent_id(form))
    except plan_comments.CommentError as exc:
        db.session.rollback()
        show_refusal(form, exc)
        return None
    return comment


@bp.route("/<int:plan_id>/comments", methods=["POST"])
def add_comment(plan_id):
    plan = access.readable_plan(plan_id)
    form = CommentForm()
    comment = _add(plan, form) if form.validate_on_submit() else None
    if comment is None:
        # Show the plan again with the form as sent (see view_context); through the view
        # function's registry, since pages.py imports this module.
        g.comment_form = form
        return current_app.view_functions["plans.view"](plan_id=plan_id), 400
    db.session.commit()
    flash(_("Your comment is added."), "success")
    return redirect(url_for("plans.view", plan_id=plan.id, _anchor=f"comment-{comment.id}"))


def _thread_for_change(plan_id: int, comment_id: int):
    plan = access.readable_plan(plan_id)
    comment = plan_comments.comment_of(plan, comment_id)
    if comment is None or comment.parent_id is not None:
        abort(404)
    if not plan_comments.may_resolve(current_user, plan, comment):
        abort(403)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return plan, comment


@bp.route("/<int:plan_id>/comments/<int:comment_id>/resolve", methods=["POST"])
def resolve_comment(plan_id, comment_id):
    plan, comment = _thread_for_change(plan_id, comment_id)
    plan_comments.resolve(comment, current_user)
    db.session.commit()
    flash(_("The comment is marked resolved."), "success")
    return redirect(url_for("plans.view", plan_id=plan.id, _anchor=f"comment-{comment.id}"))


@bp.route("/<int:plan_id>/comments/<int:comment_id>/reopen", methods=["POST"])
def reopen_comment(plan_id, comment_id):
    plan, comment = _thread_for_change(plan_id, comment_id)
    plan_comments.reopen(comment)
    db.session.commit()
    flash(_("The comment is open again."), "success")
    return redirect(url_for("plans.view", plan_id=plan.id, _anchor=f"comment-{comment.id}"))


def _comment(plan_id: int, comment_id: int, allowed) -> tuple[Plan, object]:
    """The plan and its comment: 404 unless the user may read the plan and the comment is
    on it, 403 unless `allowed(user, plan, comment)` (a rule of plans.access)."""
    plan = access.readable_plan(plan_id)
    comment = plan_comments.comment_of(plan, comment_id)
    if comment is None:
        abort(404)
    if not allowed(current_user, plan, comment):
        abort(403)
    return plan, comment


@bp.route("/<int:plan_id>/comments/<int:comment_id>/delete", methods=["GET", "POST"])
def delete_comment(plan_id, comment_id):
    """The author deletes their comment, after a page that says what goes with it."""
    plan, comment = _comment(plan_id, comment_id, access.may_delete_comment)
    form = EmptyForm()
    if form.validate_on_submit():
        plan_comments.delete(comment, current_user)
        db.session.commit()
        flash(_("Your comment is deleted."), "success")
        return redirect(url_for("plans.view", plan_id=plan.id, _anchor="comments-title"))
    return render_template(
        "plans/delete_comment.html", plan=plan, comment=comment, form=form,
        html=None if comment.hidden_at else stored_html(comment.html, comment.body),
        replies=0 if comment.parent_id else plan_comments.reply_count(comment),
    ), 400 if form.errors else 200


def _hiding(plan_id: int, comment_id: int):
    plan, comment = _comment(plan_id, comment_id, access.may_hide_comment)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return plan, comment


@bp.route("/<int:plan_id>/comments/<int:comment_id>/hide", methods=["POST"])
def hide_comment(plan_id, comment_id):
    plan, comment = _hiding(plan_id, comment_id)
    plan_comments.hide(comment, current_user)
    db.session.commit()
    flash(_("The comment is hidden. Nobody sees its text until you show it again."),
          "success")
    return redirect(url_for("plans.view", plan_id=plan.id, _anchor=f"comment-{comment.id}"))


@bp.route("/<int:plan_id>/comments/<int:comment_id>/show", methods=["POST"])
def show_comment(plan_id, comment_id):
    plan, comment = _hiding(plan_id, comment_id)
    plan_comments.show(comment)
    db.session.commit()
    flash(_("The comment is shown again."), "success")
    return redirect(url_for("plans.view", plan_id=plan.id, _anchor=f"comment-{comment.id}"))


# ---------------------------------------------------------------- school templates


def _template_name_taken(school_id: int, name: str) -> bool:
    return db.session.scalar(select(PlanTemplate.id).where(
        PlanTemplate.school_id == school_id,
        func.lower(PlanTemplate.name) == name.strip().lower())) is not None


@bp.route("/templates", methods=["GET", "POST"])
@principal_required
def templates():
    school = current_school()
    form = SchoolTemplateForm()
    if form.validate_on_submit():
        if _template_name_taken(school.id, form.name.data):
            form.name.errors = [*form.name.errors,
                                _("The school already has a template with this name.")]
        else:
            template = plan_templates.add_school_template(school.id, form.name.data,
                                                          form.body.data, current_user)
            db.session.commit()
            flash(_("The template “%(name)s” is added.", name=template.name), "success")
            return redirect(url_for("plans.templates"))
    own = db.session.scalars(select(PlanTemplate).where(PlanTemplate.school_id == school.id)
                             .order_by(PlanTemplate.name)).all()
    return render_template("plans/templates.html", form=form, school_templates=own), (
        400 if form.errors else 200)
