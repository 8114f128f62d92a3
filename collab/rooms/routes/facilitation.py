"""Running a room: an observer's evidence cards from their notes, the facilitator sending
outcomes to the plan or the debrief, naming another facilitator, inviting to an ad-hoc room,
giving the floor. Plain forms (they work without JavaScript); every change is broadcast to
the people in the room after the commit."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from collab.core.forms import EmptyForm
from collab.core.numbers import whole_number
from collab.extensions import db
from collab.people import service as schools
from collab.people.access import current_school, school_member_required
from collab.rooms import bp, live
from collab.rooms import service as rooms
from collab.rooms import service_board as room_board
from collab.rooms import service_protocols as protocols
from collab.rooms.access import can_facilitate, created_room, facilitated_room, my_room
from collab.rooms.models import BOARD_COLUMNS
from collab.rooms.refusals import refusal
from collab.rooms.routes.pages import COLUMNS
from collab.rooms.service import RoomError


def _posted() -> None:
    if not EmptyForm().validate_on_submit():
        abort(400)


def _whole_number(name: str) -> int | None:
    return whole_number(request.form.get(name))


@bp.route("/<int:room_id>/evidence", methods=["GET", "POST"])
@school_member_required
def evidence(room_id: int):
    """My notes of the observation this room debriefs, each to bring to the board as an
    evidence card: observation → interpretation → question."""
    room = my_room(room_id)
    if room.kind != "observation":
        abort(404)
    notes = room_board.my_observation_notes(room, current_user)
    errors: dict[int, str] = {}
    if request.method == "POST":
        _posted()
        note_id = _whole_number("note_id")
        try:
            card, created = room_board.add_evidence(
                room, current_user, f"evidence-{note_id}", note_id,
                request.form.get("interpretation", ""), request.form.get("question", ""))
        except RoomError as error:
            db.session.rollback()
            if error.status == 404 and note_id not in {n.id for n in notes}:
                abort(404)
            errors[note_id] = refusal(error.code)
        else:
            payload = live.note_payload(room, card)
            db.session.commit()
            if created:
                live.broadcast(room.id, "note:changed", payload)
            flash(_("The evidence card is on the board.") if created
                  else _("This note is already on the board."), "success")
            return redirect(url_for("rooms.evidence", room_id=room.id, _anchor=f"n{note_id}"))
    on_board = {n.source_note_id for column in room_board.board(room).values() for n in column
                if n.author_id == current_user.id}
    return render_template("rooms/evidence.html", room=room, title=rooms.title(room),
                           notes=notes, on_board=on_board, errors=errors, form=EmptyForm(),
                           typed=request.form), 400 if errors else 200


@bp.route("/<int:room_id>/outcomes", methods=["GET", "POST"])
@school_member_required
def outcomes(room_id: int):
    """The facilitator sends chosen board notes (by default the Next steps) to the room's
    plan as a new revision, or to the observation's debrief."""
    room = facilitated_room(room_id)
    if room.kind not in ("plan", "observation"):
        abort(404)
    board = room_board.board(room)
    error = None
    chosen = {n.id for n in board.get(room_board.OUTCOMES_COLUMN, [])}
    if request.method == "POST":
        _posted()
        chosen = {n for n in map(whole_number, request.form.getlist("notes")) if n is not None}
        try:
            where = room_board.send_outcomes(room, current_user, sorted(chosen))
        except RoomError as refused:
            db.session.rollback()
            error = refusal(refused.code)
        else:
            db.session.commit()
            if where == "plan":
                flash(_("The outcomes are added to the plan as a new revision."), "success")
                return redirect(url_for("plans.view", plan_id=room.plan_id))
            flash(_("The outcomes are added to the debrief."), "success")
            return redirect(url_for("observations.debrief", observation_id=room.observation_id))
    return render_template("rooms/outcomes.html", room=room, title=rooms.title(room),
                           board=board, columns=BOARD_COLUMNS, column_labels=COLUMNS,
                           chosen=chosen, error=error, form=EmptyForm()), 400 if error else 200


@bp.route("/<int:room_id>/settings", methods=["GET", "POST"])
@school_member_required
def settings(room_id: int):
    """The facilitator names who facilitates; the creator of an ad-hoc room also chooses
    whom to invite."""
    room = facilitated_room(room_id)
    people = rooms.members(room)
    colleagues = ([u for u in schools.staff(current_school().id) if u.id != current_user.id]
                  if room.kind == "adhoc" and room.created_by_id == current_user.id else [])
    error = None
    if request.method == "POST":
        _posted()
        try:
            if colleagues:
                wanted = {n for n in map(whole_number, request.form.getlist("members"))
                          if n is not None}
                rooms.set_invited(created_room(room.id), current_user, wanted)
            chosen = _whole_number("facilitator")
            rooms.set_facilitator(room, current_user,
                                  None if chosen in (None, room.created_by_id) else chosen)
        except RoomError as refused:
            db.session.rollback()
            error = refusal(refused.code)
        else:
            db.session.commit()
            flash(_("The room's settings are saved."), "success")
            if can_facilitate(current_user, room):
                return redirect(url_for("rooms.settings", room_id=room.id))
            return redirect(url_for("rooms.room", room_id=room.id))
    invited = rooms.member_ids(room)
    return render_template("rooms/settings.html", room=room, title=rooms.title(room),
                           people=people, colleagues=colleagues, invited=invited, error=error,
                           form=EmptyForm()), 400 if error else 200


@bp.route("/<int:room_id>/floor", methods=["POST"])
@school_member_required
def give_floor(room_id: int):
    """The facilitator gives the floor to someone in the room (their raised hand comes
    down), or back to the phase's speakers."""
    room = facilitated_room(room_id)
    _posted()
    try:
        protocols.give_floor(room, current_user, _whole_number("user_id"))
    except RoomError as refused:
        db.session.rollback()
        flash(refusal(refused.code), "warning")
        return redirect(url_for("rooms.room", room_id=room.id, _anchor="protocol"))
    send = live.protocol_changed(room)
    db.session.commit()
    send()
    return redirect(url_for("rooms.room", room_id=room.id, _anchor="protocol"))
