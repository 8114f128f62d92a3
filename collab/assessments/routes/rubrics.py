"""Rubric pages: the school's rubrics and the library, a rubric and its versions, new rubrics
(blank, from the library, a duplicate, an imported file), export, and the assessment
settings. The builder has a module of its own (builder.py)."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from collab.assessments import access_rubrics as access
from collab.assessments import library as rubric_library
from collab.assessments import rubric_problems as problems
from collab.assessments import rubrics_bp as bp
from collab.assessments import service_rubrics as rubrics
from collab.assessments.forms_rubrics import AssessmentSettingsForm, ImportForm
from collab.assessments.models import Assessment, Rubric, RubricVersion
from collab.assessments.service_rubrics import InvalidRubric
from collab.core.forms import EmptyForm
from collab.core.numbers import whole_number
from collab.extensions import db
from collab.people.access import current_school, principal_required, school_member_required


def language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else rubric_library.FALLBACK_LANGUAGE


def _usage(school_id: int) -> dict[int, int]:
    """How many assessments use each of the school's rubrics (any version)."""
    rows = db.session.execute(
        select(RubricVersion.rubric_id, func.count(Assessment.id))
        .join(Assessment, Assessment.rubric_version_id == RubricVersion.id)
        .where(Assessment.school_id == school_id)
        .group_by(RubricVersion.rubric_id))
    return dict(rows.all())


def _library(copies: dict[str, Rubric]) -> list[dict]:
    lang = language()
    return [{"key": key, "data": rubric_library.library_rubric(key, lang),
             "school_copy": copies.get(key)} for key in rubric_library.LIBRARY]


@bp.route("/")
@school_member_required
def index():
    school = current_school()
    every = db.session.scalars(
        select(Rubric).where(Rubric.school_id == school.id)
        .options(selectinload(Rubric.versions)).order_by(Rubric.created_at.desc(), Rubric.id.desc())
    ).all()
    school_rubrics = [r for r in every if r.archived_at is None]
    copies = {r.library_key: r for r in school_rubrics if r.library_key}
    return render_template(
        "rubrics/index.html", rubrics=school_rubrics, usage=_usage(school.id),
        archived=[r for r in every if r.archived_at is not None],
        library=_library(copies), action_form=EmptyForm(), latest=rubrics.latest,
        published=rubrics.published)


@bp.route("/new", methods=["POST"])
@school_member_required
def new():
    """A blank draft in the builder (a POST: it makes a rubric)."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    rubric = rubrics.create(current_school().id, current_user, rubrics.blank(language()))
    db.session.commit()
    return redirect(url_for("rubrics.edit", rubric_id=rubric.id))


@bp.route("/library/<key>", methods=["POST"])
@school_member_required
def use_library(key):
    if key not in rubric_library.LIBRARY:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    rubric = rubrics.from_library(current_school().id, current_user, key, language())
    db.session.commit()
    flash(_("The rubric is now one of your school's rubrics."), "success")
    return redirect(url_for("rubrics.view", rubric_id=rubric.id))


def _shown(rubric: Rubric, number: int | None = None) -> RubricVersion:
    """The version asked for, else the newest published one, else the draft."""
    if number is not None:
        version = next((v for v in rubric.versions if v.number == number), None)
        if version is None:
            abort(404)
        return version
    return rubrics.published(rubric) or rubrics.latest(rubric)


def _view(rubric: Rubric, version: RubricVersion):
    school = current_school()
    return render_template(
        "rubrics/view.html", rubric=rubric, version=version, data=rubrics.version_data(version),
        versions=list(reversed(rubric.versions)), draft=rubrics.draft(rubric),
        newest_published=rubrics.published(rubric),
        can_edit=access.can_edit(current_user, rubric), action_form=EmptyForm(),
        used=_usage(school.id).get(rubric.id, 0), pkg_shown=school.pkg_conversion,
        is_pkg=rubric.library_key is not None
        and rubric_library.LIBRARY.get(rubric.library_key) is not None
        and rubric_library.LIBRARY[rubric.library_key].pkg)


@bp.route("/<int:rubric_id>")
def view(rubric_id):
    rubric = access.rubric_of_my_school(rubric_id)
    return _view(rubric, _shown(rubric))


@bp.route("/<int:rubric_id>/versions/<int:number>")
def version(rubric_id, number):
    rubric = access.rubric_of_my_school(rubric_id)
    return _view(rubric, _shown(rubric, number))


@bp.route("/<int:rubric_id>/versions/new", methods=["POST"])
def new_version(rubric_id):
    """Editing a published rubric starts its next version (or goes on with the draft)."""
    rubric = access.editable_rubric(rubric_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    rubrics.start_new_version(rubric, current_user)
    db.session.commit()
    return redirect(url_for("rubrics.edit", rubric_id=rubric.id))


@bp.route("/<int:rubric_id>/archive", methods=["POST"], endpoint="archive")
@bp.route("/<int:rubric_id>/restore", methods=["POST"], endpoint="restore")
def archive_or_restore(rubric_id):
    """Archive a rubric (no longer offered for new assessments) or bring it back."""
    rubric = access.editable_rubric(rubric_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if request.endpoint == "rubrics.archive":
        rubrics.archive(rubric, current_user)
        message = _("The rubric is archived. It is no longer offered for new assessments; "
                    "assessments made with it keep it.")
    else:
        rubrics.restore(rubric, current_user)
        message = _("The rubric is back among the school's rubrics.")
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("rubrics.view", rubric_id=rubric.id))


@bp.route("/<int:rubric_id>/duplicate", methods=["POST"])
def duplicate(rubric_id):
    rubric = access.rubric_of_my_school(rubric_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    source = _shown(rubric)
    title = _("Copy of %(title)s", title=source.title or _("untitled rubric"))
    copy = rubrics.duplicate(source, current_user, title[:200])
    db.session.commit()
    flash(_("This is your own copy. Change it as you need."), "success")
    return redirect(url_for("rubrics.edit", rubric_id=copy.id))


def _download(text: str, rubric: Rubric, version: RubricVersion, extension: str,
              mimetype: str) -> Response:
    name = f"rubric-{rubric.id}-v{version.number}.{extension}"
    return Response(text, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/<int:rubric_id>/export.json")
def export_json(rubric_id):
    rubric = access.rubric_of_my_school(rubric_id)
    shown = _shown(rubric, request.args.get("version", type=whole_number))
    return _download(rubrics.to_json(shown), rubric, shown, "json", "application/json")


@bp.route("/<int:rubric_id>/export.csv")
def export_csv(rubric_id):
    rubric = access.rubric_of_my_school(rubric_id)
    shown = _shown(rubric, request.args.get("version", type=whole_number))
    # to_csv writes a byte-order mark, so Excel opens the UTF-8 file with its accents intact.
    return _download(rubrics.to_csv(shown), rubric, shown, "csv",
                     "text/csv; charset=utf-8")


def _read_rubric_file(upload) -> dict:
    """The rubric in an uploaded file; JSON or CSV by its name, else by its first byte."""
    raw = upload.read(rubrics.MAX_IMPORT_BYTES + 1)
    name = (upload.filename or "").lower()
    looks_like_json = raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")
    if name.endswith(".json") or (not name.endswith(".csv") and looks_like_json):
        return rubrics.from_json(raw)
    return rubrics.from_csv(raw)


@bp.route("/import", methods=["GET", "POST"])
@school_member_required
def import_rubric():
    form = ImportForm()
    found: list[tuple[str, str]] = []
    if form.validate_on_submit():
        upload = form.file.data
        if not upload or not getattr(upload, "filename", ""):
            form.file.errors = [*form.file.errors, _("Choose a JSON or CSV file.")]
        else:
            try:
                data = _read_rubric_file(upload)
            except InvalidRubric as exc:
                found = problems.listed(exc.problems)
            else:
                rubric = rubrics.create(current_school().id, current_user, data)
                db.session.commit()
                flash(_("The rubric is imported as a draft. Check it, then publish it."),
                      "success")
                return redirect(url_for("rubrics.edit", rubric_id=rubric.id))
    status = 400 if form.errors or found else 200
    return render_template("rubrics/import.html", form=form, problems=found), status


@bp.route("/settings", methods=["GET", "POST"])
@principal_required
def settings():
    school = current_school()
    form = AssessmentSettingsForm(obj=school)
    if form.validate_on_submit():
        school.anonymous_peer_feedback = form.anonymous_peer_feedback.data
        school.pkg_conversion = form.pkg_conversion.data
        db.session.commit()
        flash(_("The assessment settings are saved."), "success")
        return redirect(url_for("rubrics.settings"))
    return render_template("rubrics/settings.html", form=form), 400 if form.errors else 200
