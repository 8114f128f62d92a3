"""Observation notes on the observer's phone: the notes page, the JSON sync of a batch of
notes kept in the browser first, the same without JavaScript (one form a note), submitting
the notes, and the service worker that keeps the page openable offline."""

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from collab.core.database import reads_only_from_now
from collab.core.forms import EmptyForm
from collab.core.models import utcnow
from collab.extensions import db
from collab.observations import access as access
from collab.observations import bp
from collab.observations import service as observations
from collab.observations import service_notes as observation_notes
from collab.observations.forms import NoteForm
from collab.observations.models import CLASS_MODES, NOTE_TAGS
from collab.observations.routes.pages import _refused
from collab.observations.service import IllegalMove, NotAllowed, ObservationError
from collab.observations.service_notes import NoteError
from collab.people.access import school_member_required

# Which field of the no-JavaScript form a refused note's error belongs to.
ERROR_FIELDS = {"tag": "tag", "seat": "seat", "step": "step", "mode": "mode"}


@bp.route("/<int:observation_id>/notes")
@school_member_required
def notes(observation_id):
    """My notes of a lesson I observe: write, tag, place on a seat or a plan step, mark how
    the class works; read-only once I submitted them."""
    observation, invite = access.observer_of(observation_id)
    if observation.state not in ("scheduled", "completed"):
        return _refused(observation, IllegalMove("state"))
    return _page(observation, invite)


def _page(observation, invite, form=None, editing=None, status=200):
    """The notes page; `form` is a refused new note, `editing` (note id, form) a refused
    edit, both shown with their errors and what was typed."""
    mine = observation_notes.of_author(observation, current_user)
    steps = observation_notes.plan_steps(observation)
    form = form or NoteForm(formdata=None)
    _choices(form, steps)
    return render_template(
        "observations/notes.html", observation=observation, invite=invite, form=form,
        notes=mine, note_data=[observation_notes.as_dict(n) for n in mine],
        seats=observation_notes.seating(observation), steps=steps, editing=editing,
        elapsed=int((utcnow() - observation.starts_at).total_seconds()), now=utcnow(),
        running=utcnow() < observation.ends_at,
        labels=_labels(), tags=_tag_names(), modes=_mode_names(),
    ), status


def _choices(form: NoteForm, steps: list[str]) -> None:
    form.tag.choices = [("", _("No tag")), *_tag_names().items()]
    form.step.choices = [("", _("No step")), *((s, s) for s in steps)]


def _tag_names() -> dict:
    names = {"learning": _("Student learning"), "teacher_move": _("Teacher move"),
             "question": _("Question"), "evidence": _("Evidence for the focus")}
    return {tag: names[tag] for tag in NOTE_TAGS}


def _mode_names() -> dict:
    names = {"whole_class": _("Whole class"), "groups": _("Groups"),
             "individual": _("Individual work")}
    return {mode: names[mode] for mode in CLASS_MODES}


def _labels() -> dict:
    """The words observation-notes.js shows, in the page's language."""
    return {
        "one": ngettext("%(count)s note waiting to sync", "%(count)s notes waiting to sync", 1,
                        count="{n}"),
        "many": ngettext("%(count)s note waiting to sync", "%(count)s notes waiting to sync", 2,
                         count="{n}"),
        "saved": _("All notes saved."),
        "saving": _("Saving…"),
        "offline": _("Offline: your notes are kept on this phone and sent when the "
                     "connection returns."),
        "refused": _("A note was not saved:"),
        "closed": _("Your notes are already submitted; later changes are not saved."),
        "since": _("since the lesson began"),
        "until": _("until the lesson begins"),
        "edit": _("Edit"),
        "delete": _("Delete"),
        "cancel": _("Cancel"),
        "save": _("Save note"),
        "change": _("Save changes"),
        "seat": _("row %(row)s, seat %(seat)s", row="{row}", seat="{seat}"),
        "now": _("Now:"),
        "empty": _("No notes yet."),
        "wait": _("Some notes still wait to sync. Connect to the internet, then submit."),
        "sent": _("sent"),
        "pending": _("waiting to sync"),
    }


@bp.route("/<int:observation_id>/notes", methods=["POST"])
@school_member_required
def sync_notes(observation_id):
    """A batch of notes from the phone (JSON, CSRF token in the X-CSRFToken header):
    answers {"saved": [{"client_id", "id"}]}; the same batch again stores nothing twice."""
    observation, _invite = access.observer_of(observation_id)
    payload = request.get_json(silent=True)
    if payload is None:
        return _json_refusal(NoteError("json"), 400)
    try:
        saved = observation_notes.save(observation, current_user, payload)
    except NoteError as error:
        return _json_refusal(error, 400)
    except NotAllowed as error:
        return _json_refusal(error, 403)
    except IllegalMove as error:
        return _json_refusal(error, 409)
    db.session.commit()
    # `at`: the server's time of storing, which the phone compares with the page's
    # data-rendered-at to know which of its sent notes a kept copy of the page lacks.
    return jsonify(saved=saved, at=utcnow().isoformat())


def _json_refusal(error: NoteError | ObservationError, status: int):
    db.session.rollback()
    reads_only_from_now()
    return jsonify(error=str(error.message), code=error.code,
                   index=getattr(error, "index", None)), status


@bp.route("/<int:observation_id>/notes/add", methods=["POST"])
@school_member_required
def add_note(observation_id):
    """One note, or a class-mode marker, from the page without JavaScript."""
    observation, invite = access.observer_of(observation_id)
    form = NoteForm()
    mode = (form.mode.data or "").strip()
    item = {"client_id": observation_notes.new_client_id(),
            "at_seconds": observation_notes.seconds_since_start(observation)}
    if mode:
        item.update(kind="mode", text=mode)
    else:
        item.update(text=form.text.data or "", tag=form.tag.data or "",
                    seat=form.seat.data or "", step=form.step.data or "")
    refusal = _store(observation, invite, item, form)
    if refusal is not None:
        return refusal
    flash(_("Class mode marked.") if mode else _("Note saved."), "success")
    return redirect(url_for("observations.notes", observation_id=observation.id))


@bp.route("/<int:observation_id>/notes/<int:note_id>/edit", methods=["POST"])
@school_member_required
def edit_note(observation_id, note_id):
    """A changed text or tag of one of my notes (without JavaScript)."""
    observation, invite = access.observer_of(observation_id)
    note = observation_notes.own_note(observation, current_user, note_id)
    if note is None:
        abort(404)
    form = NoteForm()
    item = observation_notes.as_dict(note, text=form.text.data or "", tag=form.tag.data or "")
    refusal = _store(observation, invite, item, form, editing=note.id)
    if refusal is not None:
        return refusal
    flash(_("Note saved."), "success")
    return redirect(url_for("observations.notes", observation_id=observation.id))


@bp.route("/<int:observation_id>/notes/<int:note_id>/delete", methods=["POST"])
@school_member_required
def delete_note(observation_id, note_id):
    observation, invite = access.observer_of(observation_id)
    note = observation_notes.own_note(observation, current_user, note_id)
    if note is None:
        abort(404)
    refusal = _store(observation, invite, observation_notes.as_dict(note, deleted=True))
    if refusal is not None:
        return refusal
    flash(_("Note deleted."), "success")
    return redirect(url_for("observations.notes", observation_id=observation.id))


def _store(observation, invite, item: dict, form=None, editing=None):
    """Save one note through the same service as the phone's batches; the page again with
    the error next to the field (400), or the refusal (409), when it cannot be stored."""
    try:
        observation_notes.save(observation, current_user, {"notes": [item]})
    except NoteError as error:
        db.session.rollback()
        reads_only_from_now()
        form = form or NoteForm()
        field = getattr(form, ERROR_FIELDS.get(error.code, "text"))
        field.errors = [*field.errors, error.message]
        observation = db.session.get(type(observation), observation.id)
        invite = next(i for i in observation.observers if i.user_id == current_user.id)
        if editing is not None:
            return _page(observation, invite, editing=(editing, form), status=400)
        return _page(observation, invite, form=form, status=400)
    except (ObservationError, StaleDataError) as error:
        return _refused(observation, error)
    db.session.commit()
    return None


@bp.route("/<int:observation_id>/submit", methods=["POST"])
@school_member_required
def submit(observation_id):
    """My notes are final: the observation is completed and the teacher is told."""
    observation, _invite = access.observer_of(observation_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        observations.submit_notes(observation, current_user,
                                  early=request.form.get("early") == "1")
        db.session.commit()
    except (ObservationError, StaleDataError) as error:
        return _refused(observation, error)
    flash(_("Your notes are submitted. The teacher can read them now."), "success")
    return redirect(url_for("observations.view", observation_id=observation.id))


@bp.route("/sw.js")
def service_worker():
    """The service worker of the notes pages. Served from /observations/ (not /static/) so
    that its scope covers /observations/<id>/notes: a worker's scope is at most the folder
    of its own address. It holds no personal data, so it needs no session."""
    response = current_app.send_static_file("js/notes-sw.js")
    response.headers["Service-Worker-Allowed"] = url_for("observations.index")
    response.headers["Content-Type"] = "text/javascript; charset=utf-8"
    return response
