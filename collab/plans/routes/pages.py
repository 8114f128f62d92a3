"""Lesson-plan pages: list, write, view, edit (409 on a stale base), history, diff, restore,
adapt and co-authors."""

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from collab.core import notify
from collab.core.database import reads_only_from_now
from collab.core.errors import render_error
from collab.core.forms import EmptyForm, show_refusal
from collab.core.links import Target
from collab.core.numbers import whole_number
from collab.core.page_cache import cached_page
from collab.core.rendering import render_markdown, stored_html
from collab.extensions import db, limiter
from collab.people import service as schools
from collab.people.access import current_school, school_member_required
from collab.people.models import Team
from collab.plans import access as access
from collab.plans import bp
from collab.plans import service as plans
from collab.plans import service_page as plan_page
from collab.plans import service_search as plan_search
from collab.plans import service_templates as plan_templates
from collab.plans.forms import CoauthorsForm, NewPlanForm, PlanForm
from collab.plans.routes import comments, files


def _team_choices(school_id: int) -> list[SelectChoice]:
    teams = db.session.scalars(
        select(Team).where(Team.school_id == school_id).order_by(Team.name))
    return [SelectChoice("", _("No team"))] + [SelectChoice(t.id, t.name) for t in teams]


def _previewer_key() -> str:
    return f"previewer:{current_user.id}" if current_user.is_authenticated else "previewer:-"


def _not_a_preview() -> bool:
    return request.endpoint != "plans.preview" and not request.form.get("preview")


def _too_many_previews(_limit):
    """The answer over PREVIEW_LIMIT: for the live preview, a sentence in the preview area
    (the editor shows it in place of the rendered text); for the form's Preview button, the
    error page with the same sentence."""
    sentence = _("You asked for many previews in a short time. The preview comes back in a "
                 "minute; your text is kept.")
    if request.endpoint == "plans.preview":
        return make_response(render_template("plans/_preview_limited.html",
                                             sentence=sentence), 429)
    return make_response(render_error(429, sentence))


# Markdown previews, per user (the live preview and the form's Preview button count
# together): rendering a long plan costs CPU, and the editor asks on every pause in typing.
preview_limit = limiter.shared_limit(
    lambda: current_app.config["PREVIEW_LIMIT"], scope="plan-preview",
    key_func=_previewer_key, methods=["POST"], exempt_when=_not_a_preview,
    on_breach=_too_many_previews)


def _fields(form: PlanForm) -> plans.PlanFields:
    return plans.PlanFields(
        title=form.title.data or "", body=form.body.data or "", subject=form.subject.data or "",
        grade=form.grade.data or "", topic=form.topic.data or "",
        duration_minutes=form.duration_minutes.data, tags=form.tags.items,
        visibility=form.visibility.data, team_id=form.team_id.data,
        is_research_lesson=form.is_research_lesson.data,
    )


def _form_data(plan) -> dict:
    names = ("title", "body", "subject", "grade", "topic", "duration_minutes", "visibility",
             "team_id", "is_research_lesson")
    return {**{name: getattr(plan, name) for name in names}, "tags": plan.tag_names,
            "base_revision": plan.revision_number}


@bp.route("/")
@cached_page
@school_member_required
def index():
    query = plan_search.PlanQuery.from_args(request.args)
    page = plan_search.search(current_user, query)
    return render_template("plans/index.html", page=page, query=query,
                           facets=plan_search.facets(current_user))


@bp.route("/new", methods=["GET", "POST"])
@school_member_required
@preview_limit
def new():
    school = current_school()
    templates = plan_templates.choices(school.id)
    form = NewPlanForm()
    form.template.choices = [SelectChoice(t.key, t.name) for t in templates]
    form.team_id.choices = _team_choices(school.id)
    if request.method == "GET":
        chosen = request.args.get("template", "modul_ajar")
        form.template.data = chosen
        form.body.data = plan_templates.body_for(school.id, chosen) or ""
    preview = None
    if request.method == "POST" and request.form.get("preview"):
        form.validate()
        preview = _preview_html(form.body.data)
    elif form.validate_on_submit():
        try:
            plan = plans.create(current_user, _fields(form), form.template.data,
                                form.message.data or "")
        except plans.PlanError as exc:
            db.session.rollback()
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash(_("The plan is saved."), "success plan-saved")
            return redirect(url_for("plans.view", plan_id=plan.id))
    status = 400 if form.errors and not preview else 200
    return render_template("plans/edit.html", form=form, plan=None, preview=preview,
                           templates=templates), status


@bp.route("/<int:plan_id>")
@cached_page
def view(plan_id):
    plan, stored = access.readable_plan_page(plan_id)
    related = plan_page.relatives(plan, current_user)
    html, sections = plan_page.page_html(stored, plan.body)
    editor = access.can_edit(current_user, plan)
    return render_template(
        "plans/view.html", plan=plan, html=html,
        can_edit=editor, is_owner=access.is_owner(current_user, plan),
        fork_count=related.fork_count, forks=related.forks, original=related.original,
        action_form=EmptyForm(), sections=sections,
        # Attachments and comments have route modules of their own beside this one.
        **files.view_context(plan, editor), **comments.view_context(plan, editor),
    )


@bp.route("/<int:plan_id>/edit", methods=["GET", "POST"])
@preview_limit
def edit(plan_id):
    plan = access.editable_plan(plan_id)
    form = PlanForm() if request.method == "POST" else PlanForm(**_form_data(plan))
    form.team_id.choices = _team_choices(plan.school_id)
    preview = None
    if request.method == "POST" and request.form.get("preview"):
        form.validate()
        preview = _preview_html(form.body.data)
    elif form.validate_on_submit():
        response = _save(plan, form)
        if response is not None:
            return response
    status = 400 if form.errors and not preview else 200
    return render_template("plans/edit.html", form=form, plan=plan, preview=preview,
                           is_owner=access.is_owner(current_user, plan)), status


def _save(plan, form):
    try:
        base = int(form.base_revision.data or -1)
    except ValueError:
        base = -1
    fields = _fields(form)
    if not access.is_owner(current_user, plan):
        # Co-authors edit the text; who can see the plan stays the owner's choice.
        fields.visibility, fields.team_id = plan.visibility, plan.team_id
    try:
        plans.save(plan, current_user, fields, base, form.message.data or "")
    except plans.StaleEdit as stale:
        db.session.rollback()
        reads_only_from_now()
        return _conflict(plan, form=form, base=base, latest=stale.latest)
    except plans.PlanError as exc:
        db.session.rollback()
        reads_only_from_now()
        show_refusal(form, exc)
        return None
    db.session.commit()
    flash(_("The plan is saved."), "success plan-saved")
    return redirect(url_for("plans.view", plan_id=plan.id))


def _conflict(plan, form, base, latest):
    # The plan was checked by edit(); the save was rolled back and the rest of the request
    # reads without SQLite's write lock, so concurrent savers do not wait for this page.
    base_revision = plans.revision(plan, base)
    theirs = plans.diff(base_revision.body if base_revision else "", latest.body)
    mine_vs_latest = plans.diff(latest.body, form.body.data or "")
    form.base_revision.data = latest.number
    return render_template(
        "plans/conflict.html", plan=plan, form=form, latest=latest, theirs=theirs,
        mine=mine_vs_latest, is_owner=access.is_owner(current_user, plan),
    ), 409


@bp.route("/preview", methods=["POST"])
@school_member_required
@preview_limit
def preview():
    body = request.form.get("body", "")
    if len(body) > plans.MAX_BODY:
        abort(413)
    return render_template("plans/_preview.html", html=_preview_html(body))


def _preview_html(body: str | None):
    """A preview writes nothing: on SQLite a POST's transaction holds the write lock from its
    first statement, so it is ended before the Markdown is rendered (a long text takes
    seconds, and every writer would wait; bench/loop_stall.py's five previews of a 199,000-
    character table failed with "database is locked" while they held it)."""
    db.session.rollback()
    reads_only_from_now()
    return render_markdown(body or "")


@bp.route("/<int:plan_id>/history")
def history(plan_id):
    plan = access.readable_plan(plan_id)
    return render_template("plans/history.html", plan=plan, revisions=plans.revisions(plan),
                           can_edit=access.can_edit(current_user, plan),
                           action_form=EmptyForm())


@bp.route("/<int:plan_id>/revisions/<int:number>")
def revision(plan_id, number):
    plan = access.readable_plan(plan_id)
    rev = plans.revision(plan, number) or abort(404)
    return render_template("plans/revision.html", plan=plan, revision=rev,
                           html=stored_html(rev.html, rev.body))


@bp.route("/<int:plan_id>/diff")
def diff(plan_id):
    plan = access.readable_plan(plan_id)
    newer = request.args.get("b", type=whole_number) or plan.revision_number
    older = request.args.get("a", type=whole_number) or max(newer - 1, 1)
    old, new = plans.revision(plan, older), plans.revision(plan, newer)
    if old is None or new is None:
        abort(404)
    return render_template("plans/diff.html", plan=plan, old=old, new=new,
                           lines=plans.diff(old.body, new.body),
                           title_changed=old.title != new.title)


@bp.route("/<int:plan_id>/revisions/<int:number>/restore", methods=["POST"])
def restore(plan_id, number):
    plan = access.editable_plan(plan_id)
    if plans.revision(plan, number) is None:
        abort(404)
    if EmptyForm().validate_on_submit():
        plans.restore(plan, current_user, number)
        db.session.commit()
        flash(_("Revision %(number)d is restored as the newest revision.", number=number),
              "success")
    return redirect(url_for("plans.view", plan_id=plan.id))


@bp.route("/<int:plan_id>/fork", methods=["POST"])
def fork(plan_id):
    plan = access.readable_plan(plan_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    copy = plans.fork(plan, current_user)
    db.session.commit()
    flash(_("This is your own copy. Adapt it to your class."), "success")
    return redirect(url_for("plans.edit", plan_id=copy.id))


@bp.route("/<int:plan_id>/delete", methods=["GET", "POST"])
def delete(plan_id):
    """Only the owner deletes a plan, after a page that says what goes with it."""
    plan = access.owned_plan(plan_id)
    form = EmptyForm()
    if form.validate_on_submit():
        title = plan.title
        stored = plans.delete(plan, current_user)
        db.session.commit()
        files.remove_stored(stored)
        flash(_("The plan “%(title)s” is deleted.", title=title), "success")
        return redirect(url_for("plans.index"))
    return render_template("plans/delete.html", plan=plan, form=form,
                           facts=plans.deletion_facts(plan)), 400 if form.errors else 200


@bp.route("/<int:plan_id>/coauthors", methods=["GET", "POST"])
def coauthors(plan_id):
    plan = access.owned_plan(plan_id)
    colleagues = [u for u in schools.staff(plan.school_id) if u.id != plan.owner_id]
    form = CoauthorsForm(coauthors=[u.id for u in plan.coauthors])
    form.coauthors.choices = [SelectChoice(u.id, u.name) for u in colleagues]
    if form.validate_on_submit():
        added = plans.set_coauthors(plan, set(form.coauthors.data), current_user)
        for user in colleagues:
            if user.id in added:
                notify.notify(user, "plan.coauthor_added",
                              Target("plans.view", {"plan_id": plan.id}), title=plan.title)
        db.session.commit()
        flash(_("The co-authors are saved."), "success")
        return redirect(url_for("plans.view", plan_id=plan.id))
    return render_template("plans/coauthors.html", plan=plan, form=form), (
        400 if form.errors else 200)

