"""A plan as a file and the files of a plan: Markdown and Word exports, the print view, and
attached worksheets and images (upload, download, remove).

Whoever may read a plan may export, print and download; only its editors attach and remove.
Everything goes through the plan access helpers, so another school's user gets a 404.
"""

from pathlib import Path

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from collab.core.forms import EmptyForm, show_refusal
from collab.extensions import db
from collab.plans import access as access
from collab.plans import bp
from collab.plans import service as plans
from collab.plans import service_attachments as attachments
from collab.plans import service_exports as exports

# A downloaded file is never a page of this site: no script, no plugin, its own origin.
ATTACHMENT_CSP = "default-src 'none'; img-src 'self'; sandbox"
ACCEPT = ".pdf,.docx,.pptx,.xlsx,.png,.jpg,.jpeg,.webp"


class AttachmentForm(FlaskForm):
    file = FileField(
        _l("Add a worksheet or image"),
        description=_l("PDF, Word, PowerPoint, Excel, PNG, JPEG or WebP, up to 10 MB."),
        validators=[FileRequired(message=_l("Choose a file to attach."))],
        render_kw={"accept": ACCEPT},
    )


def remove_stored(stored_names: list[str]) -> None:
    """Remove the files of attachments whose rows are gone (a deleted plan's)."""
    for name in stored_names:
        attachments.remove_file(_directory() / name)


def _directory() -> Path:
    configured = current_app.config.get("ATTACHMENT_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "attachments"


def _facts(plan) -> exports.Facts:
    """The plan's metadata as (label, value) pairs in the reader's language."""
    duration = ""
    if plan.duration_minutes:
        duration = ngettext("%(num)d minute", "%(num)d minutes", plan.duration_minutes)
    authors = ", ".join([plan.owner.name, *(u.name for u in plan.coauthors)])
    return [
        (_("Subject"), plan.subject or ""),
        (_("Grade"), plan.grade or ""),
        (_("Topic"), plan.topic or ""),
        (_("Duration"), duration),
        (_("Author"), authors),
        (_("Revision"), str(plan.revision_number)),
    ]


def view_context(plan, can_attach: bool) -> dict:
    """What the plan page needs for its attachments section (plans/_attachments.html);
    `can_attach`: the reader may edit the plan (access.can_edit)."""
    form = g.get("attachment_form") or (AttachmentForm() if can_attach else None)
    return {
        "attachments": attachments.for_plan(plan),
        "attachment_form": form,
        "can_attach": can_attach,
        "attachment_limit": attachments.MAX_PER_PLAN,
    }


# ---------------------------------------------------------------- exports and print


def _download(data: bytes, content_type: str, title: str, extension: str) -> Response:
    return Response(data, content_type=content_type, headers={
        "Content-Disposition": exports.content_disposition(title, extension),
    })


@bp.route("/<int:plan_id>/export.md")
def export_markdown(plan_id):
    plan = access.readable_plan(plan_id)
    text = exports.markdown_document(plan.title, _facts(plan), plan.body)
    return _download(text.encode("utf-8"), exports.MARKDOWN_MIMETYPE, plan.title, "md")


@bp.route("/<int:plan_id>/export.docx")
def export_docx(plan_id):
    plan = access.readable_plan(plan_id)
    data = exports.docx_document(plan.title, _facts(plan), plans.html_of(plan))
    return _download(data, exports.DOCX_MIMETYPE, plan.title, "docx")


@bp.route("/<int:plan_id>/print")
def print_view(plan_id):
    plan = access.readable_plan(plan_id)
    return render_template("plans/print.html", plan=plan, facts=_facts(plan),
                           html=plans.html_of(plan))


# ---------------------------------------------------------------- attachments


@bp.route("/<int:plan_id>/attachments", methods=["POST"])
def upload_attachment(plan_id):
    plan = access.editable_plan(plan_id)
    form = AttachmentForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            attachments.add(plan, current_user, upload.stream, upload.filename, _directory())
        except attachments.TooLarge:
            db.session.rollback()
            abort(413)
        except attachments.AttachmentError as exc:
            db.session.rollback()
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash(_("The file is attached."), "success")
            return redirect(url_for("plans.view", plan_id=plan.id, _anchor="attachments"))
    # Show the plan again with the message next to the file field (see view_context).
    g.attachment_form = form
    return current_app.view_functions["plans.view"](plan_id=plan.id), 400


@bp.route("/<int:plan_id>/attachments/<int:attachment_id>")
def attachment(plan_id, attachment_id):
    plan = access.readable_plan(plan_id)
    item = attachments.get(plan, attachment_id) or abort(404)
    kind = attachments.kind_of(item)
    # Images are shown with their real type; everything else is only ever a download.
    response = send_from_directory(
        _directory(), item.stored_name, mimetype=kind.content_type,
        as_attachment=not kind.inline, download_name=item.filename, max_age=0,
    )
    response.headers["Content-Security-Policy"] = ATTACHMENT_CSP
    return response


@bp.route("/<int:plan_id>/attachments/<int:attachment_id>/delete", methods=["POST"])
def delete_attachment(plan_id, attachment_id):
    plan = access.editable_plan(plan_id)
    item = attachments.get(plan, attachment_id) or abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    path = attachments.delete(plan, item, current_user, _directory())
    db.session.commit()
    attachments.remove_file(path)
    flash(_("The file is removed."), "success")
    return redirect(url_for("plans.view", plan_id=plan.id, _anchor="attachments"))
