"""The rooms' HTTP pages: my rooms, opening the room of a plan, an observation or a team, and
the room itself with a chat that works without JavaScript (static/js/rooms.js adds the live
part over Socket.IO). Thin adapters over collab.rooms.service; membership is decided by
collab.rooms.access alone."""

import uuid

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from collab.core.database import reads_only_from_now
from collab.core.forms import EmptyForm
from collab.core.models import utcnow
from collab.core.numbers import whole_number
from collab.core.page_cache import cached_page
from collab.extensions import db
from collab.observations import access as observation_access
from collab.people.access import school_member_required, team_of_my_school
from collab.people.models import TeamMember, User
from collab.plans.access import readable_plan
from collab.rooms import bp, live
from collab.rooms import service as rooms
from collab.rooms import service_board as room_board
from collab.rooms import service_protocols as protocols
from collab.rooms.access import can_facilitate, my_room
from collab.rooms.forms import AdhocRoomForm, EditMessageForm, MessageForm, NoteForm
from collab.rooms.models import BOARD_COLUMNS, RoomMessage
from collab.rooms.refusals import refusal
from collab.rooms.service import RoomError

KINDS = {
    "plan": _l("Plan"),
    "observation": _l("Debrief"),
    "team": _l("Team"),
    "adhoc": _l("Ad hoc"),
    "mentoring": _l("Mentoring"),
}

COLUMNS = {
    "evidence": _l("Evidence"),
    "wonderings": _l("Wonderings"),
    "suggestions": _l("Suggestions"),
    "next_steps": _l("Next steps"),
}



def error_message(error: RoomError) -> str:
    """The sentence for a refusal of collab.rooms.service, in the user's language."""
    return refusal(error.code)


def _refused(error: RoomError) -> int:
    db.session.rollback()
    reads_only_from_now()
    return error.status if 400 <= error.status < 500 else 400


# -- my rooms ------------------------------------------------------------------------------

@bp.route("/", methods=["GET", "POST"])
@cached_page
@school_member_required
def index():
    """My rooms, my teams without a room yet, and a form to start an ad-hoc room."""
    form = AdhocRoomForm()
    form.members.choices = [SelectChoice(id_, name)
                            for id_, name in rooms.colleagues(current_user)]
    status = 200
    if form.validate_on_submit():
        try:
            room = rooms.create_adhoc(current_user, form.title.data, set(form.members.data))
        except RoomError as error:
            status = _refused(error)
            target = form.title if error.field == "title" else form.members
            target.errors = [*target.errors, error_message(error)]
        else:
            db.session.commit()
            return redirect(url_for("rooms.room", room_id=room.id))
    elif form.errors:
        status = 400
    summaries = rooms.my_rooms(current_user)
    with_room = {s.room.team_id for s in summaries}
    teams = [t for t in current_user.teams if t.id not in with_room]
    return render_template("rooms/index.html", summaries=summaries, teams=teams, form=form,
                           kinds=KINDS, open_form=EmptyForm()), status


# -- opening the room of a plan, an observation or a team ----------------------------------

def _open(room):
    db.session.commit()
    return redirect(url_for("rooms.room", room_id=room.id))


@bp.route("/plan/<int:plan_id>", methods=["POST"])
@school_member_required
def open_plan(plan_id):
    """The plan's room (made on first use), for whoever may read the plan."""
    plan = readable_plan(plan_id)
    return _open(rooms.room_for_plan(plan, current_user))


@bp.route("/observation/<int:observation_id>", methods=["POST"])
@school_member_required
def open_observation(observation_id):
    """The debrief's room, for the observed teacher and the observers who accepted."""
    observation = observation_access.observation_with_content(observation_id)
    return _open(rooms.room_for_observation(observation, current_user))


@bp.route("/team/<int:team_id>", methods=["POST"])
@school_member_required
def open_team(team_id):
    """The team's room, for the team's members (a colleague outside the team gets 403)."""
    team = team_of_my_school(team_id)
    if db.session.get(TeamMember, (team.id, current_user.id)) is None:
        abort(403)
    return _open(rooms.room_for_team(team, current_user))


# -- the room ------------------------------------------------------------------------------

def _before_id() -> int | None:
    return whole_number(request.args.get("before"))


def _note_form(formdata=None) -> NoteForm:
    form = NoteForm(formdata=formdata, client_id=uuid.uuid4().hex)
    form.column.choices = [(key, COLUMNS[key]) for key in BOARD_COLUMNS]
    return form


def _page(room, form=None, note_form=None, edit_errors=None, status=200):
    """The room: its members, the last 50 messages (or the 50 before `?before=`), the
    unread marker, the board and the protocol panel."""
    before = _before_id()
    if before is not None:
        messages, more = rooms.earlier(room, before)
    else:
        messages, more = rooms.history(room)
    people = rooms.members(room)
    notes = room_board.board(room)
    known = {u.id for u in people}
    missing = ({m.author_id for m in messages}
               | {n.author_id for column in notes.values() for n in column}) - known
    if missing:  # authors who have left the room: one query, not one per message or note
        list(db.session.scalars(select(User).where(User.id.in_(missing))))
    if form is None:
        form = MessageForm(formdata=None, client_id=uuid.uuid4().hex)
    last_read = rooms.last_read(room, current_user)
    shown = [(m, rooms.message_body(m)) for m in messages]
    return render_template(
        "rooms/room.html", room=room, title=rooms.title(room), kind=KINDS[room.kind],
        people=people, messages=shown, more=more, before=before, last_read=last_read,
        unread=room.last_message_id > last_read, form=form, edit_errors=edit_errors or {},
        editable=_editable(messages), action_form=EmptyForm(),
        facilitator=can_facilitate(current_user, room),
        observer=room.kind == "observation" and any(
            i.user_id == current_user.id and i.status == "accepted"
            for i in room.observation.observers),
        # The debrief: its teacher, its observers, and a mentor the teacher shares it with.
        debrief=room.kind == "observation" and observation_access.can_see_content(
            current_user, room.observation),
        edit_minutes=int(rooms.EDIT_WINDOW.total_seconds() // 60),
        max_bytes=rooms.MAX_BODY_BYTES, columns=BOARD_COLUMNS, column_labels=COLUMNS,
        board=notes, note_form=note_form or _note_form(), phase=protocols.phase_json(room),
        hands=protocols.hands_json(room), protocol_choices=protocols.choices(),
        protocol_words=protocols.words(),
    ), status


def _editable(messages: list[RoomMessage]) -> set[int]:
    """My messages still within the edit window (the page offers to change them)."""
    now = utcnow()
    return {m.id for m in messages if m.author_id == current_user.id and m.deleted_at is None
            and now - m.created_at <= rooms.EDIT_WINDOW}


@bp.route("/<int:room_id>")
@school_member_required
def room(room_id):
    return _page(my_room(room_id))


@bp.route("/<int:room_id>/messages", methods=["POST"])
@school_member_required
def post_message(room_id):
    """A message sent without JavaScript (the script sends over the socket instead)."""
    room = my_room(room_id)
    form = MessageForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        message, created = rooms.post_message(room, current_user, form.client_id.data,
                                              form.body.data or "")
    except RoomError as error:
        status = _refused(error)
        form.body.errors = [*form.body.errors, error_message(error)]
        if error.code == "bad_client_id":
            form.client_id.data = uuid.uuid4().hex
        return _page(room, form=form, status=status)
    payload = live.message_payload(message)  # rendered before the commit expires it
    db.session.commit()
    if created:  # people in the room with the page open see it at once
        live.broadcast(room.id, "message:new", payload)
    return redirect(url_for("rooms.room", room_id=room.id, _anchor=f"m{message.id}"))


@bp.route("/<int:room_id>/messages/<int:message_id>/edit", methods=["POST"])
@school_member_required
def edit_message(room_id, message_id):
    room = my_room(room_id)
    form = EditMessageForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        message = rooms.edit_message(room, current_user, message_id, form.body.data or "")
    except RoomError as error:
        status = _refused(error)
        if error.status in (403, 404):
            abort(error.status)
        return _page(room, edit_errors={message_id: (form.body.data or "",
                                                     error_message(error))}, status=status)
    payload = live.message_payload(message)  # rendered before the commit expires it
    db.session.commit()
    live.broadcast(room.id, "message:updated", payload)
    return redirect(url_for("rooms.room", room_id=room.id, _anchor=f"m{message_id}"))


@bp.route("/<int:room_id>/messages/<int:message_id>/delete", methods=["POST"])
@school_member_required
def delete_message(room_id, message_id):
    room = my_room(room_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        message = rooms.delete_message(room, current_user, message_id)
    except RoomError as error:
        _refused(error)
        if error.status in (403, 404):
            abort(error.status)
        flash(error_message(error), "warning")
        return redirect(url_for("rooms.room", room_id=room.id, _anchor=f"m{message_id}"))
    payload = live.deleted_payload(message)  # rendered before the commit expires it
    db.session.commit()
    live.broadcast(room.id, "message:deleted", payload)
    flash(_("Your message is deleted."), "success")
    return redirect(url_for("rooms.room", room_id=room.id))


@bp.route("/<int:room_id>/read", methods=["POST"])
@school_member_required
def mark_read(room_id):
    """I have read everything in the room (the page's script does this over the socket)."""
    room = my_room(room_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    rooms.mark_read(room, current_user)
    db.session.commit()
    return redirect(url_for("rooms.room", room_id=room.id))


@bp.route("/<int:room_id>/notes", methods=["POST"])
@school_member_required
def add_note(room_id):
    """A note added to the board without JavaScript (the script uses the socket)."""
    room = my_room(room_id)
    form = _note_form(request.form)
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _page(room, note_form=form, status=400)
    try:
        note, created = room_board.add_note(room, current_user, form.client_id.data,
                                            form.column.data, form.text.data or "")
    except RoomError as error:
        status = _refused(error)
        target = form.column if error.field == "column" else form.text
        target.errors = [*target.errors, error_message(error)]
        return _page(room, note_form=form, status=status)
    payload = live.note_payload(room, note)
    db.session.commit()
    if created:
        live.broadcast(room.id, "note:changed", payload)
    return redirect(url_for("rooms.room", room_id=room.id, _anchor=f"note-{note.id}"))
