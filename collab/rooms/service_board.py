"""A room's board: sticky notes in columns, edited live by everyone in the room; evidence
cards made from an observer's notes; outcomes sent back to the plan or the debrief.

Every change of a note bumps its version. An update or a deletion names the version it was
based on; if someone changed the note in between, StaleNote carries the current note so the
client can show it. Adding is idempotent by (room, author, client id), like chat messages.
"""

from dataclasses import replace
from datetime import datetime

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from collab.core import activity
from collab.core.models import utcnow
from collab.extensions import db
from collab.observations.models import ObservationNote
from collab.plans.access import can_edit
from collab.rooms.access import can_facilitate
from collab.rooms.models import BOARD_COLUMNS, BoardNote, Room
from collab.rooms.service import RoomError, clean_client_id

MAX_TEXT = 1000
MAX_NOTES = 300  # on one board
OUTCOMES_COLUMN = "next_steps"


class StaleNote(RoomError):
    """The note changed since the version the client had; `note` is the current one."""

    def __init__(self, note: BoardNote):
        super().__init__("stale", status=409)
        self.note = note


def board(room: Room) -> dict[str, list[BoardNote]]:
    """The notes still on the board, by column, in their order (one query)."""
    columns: dict[str, list[BoardNote]] = {column: [] for column in BOARD_COLUMNS}
    notes = db.session.scalars(
        select(BoardNote).where(BoardNote.room_id == room.id, BoardNote.deleted_at.is_(None))
        .order_by(BoardNote.column, BoardNote.position, BoardNote.id))
    for note in notes:
        columns.setdefault(note.column, []).append(note)
    return columns


def note_json(note: BoardNote) -> dict:
    """What a client gets of a note."""
    return {
        "id": note.id,
        "room_id": note.room_id,
        "client_id": note.client_id,
        "column": note.column,
        "position": note.position,
        "text": note.text,
        "interpretation": note.interpretation,
        "question": note.question,
        "evidence": note.is_evidence,
        "at_seconds": note.at_seconds,
        "seat": note.seat,
        "step": note.step,
        "author": {"id": note.author_id, "name": note.author.name},
        "version": note.version,
        "deleted": note.deleted_at is not None,
    }


def _clean_text(value, field: str = "text", required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise RoomError("text_required", field)
    text = value.replace("\r\n", "\n").strip()
    if required and not text:
        raise RoomError("text_required", field)
    if len(text) > MAX_TEXT:
        raise RoomError("text_too_long", field)
    return text


def _clean_column(value) -> str:
    if value not in BOARD_COLUMNS:
        raise RoomError("bad_column", "column")
    return value


def _next_position(room: Room, column: str) -> int:
    last = db.session.scalar(select(func.max(BoardNote.position)).where(
        BoardNote.room_id == room.id, BoardNote.column == column,
        BoardNote.deleted_at.is_(None)))
    return 0 if last is None else last + 1


def _by_client_id(room: Room, user, client_id: str) -> BoardNote | None:
    return db.session.scalar(select(BoardNote).where(
        BoardNote.room_id == room.id, BoardNote.author_id == user.id,
        BoardNote.client_id == client_id))


def _insert(room: Room, user, client_id: str, **fields) -> tuple[BoardNote, bool]:
    existing = _by_client_id(room, user, client_id)
    if existing is not None:
        return existing, False
    on_board = db.session.scalar(select(func.count(BoardNote.id)).where(
        BoardNote.room_id == room.id, BoardNote.deleted_at.is_(None)))
    if on_board >= MAX_NOTES:
        raise RoomError("board_full", status=409)
    try:
        with db.session.begin_nested():
            note = BoardNote(room_id=room.id, author_id=user.id, client_id=client_id,
                             position=_next_position(room, fields["column"]), **fields)
            db.session.add(note)
    except IntegrityError:
        return _by_client_id(room, user, client_id), False
    room.last_activity_at = utcnow()
    activity.record(room.school_id, user, "room.note_added", "room", room.id)
    return note, True


def add_note(room: Room, user, client_id, column, text) -> tuple[BoardNote, bool]:
    """A new note at the end of a column; a retry with the same client id gets it back."""
    return _insert(room, user, clean_client_id(client_id), column=_clean_column(column),
                   text=_clean_text(text))


def _current(room: Room, note_id) -> BoardNote:
    if not isinstance(note_id, int) or isinstance(note_id, bool):
        raise RoomError("not_found", status=404)
    note = db.session.get(BoardNote, note_id)
    if note is None or note.room_id != room.id or note.deleted_at is not None:
        raise RoomError("not_found", status=404)
    return note


def _check_version(note: BoardNote, version) -> None:
    if not isinstance(version, int) or isinstance(version, bool):
        raise RoomError("bad_request", "version")
    if version != note.version:
        raise StaleNote(note)


def update_note(room: Room, user, note_id, version, text=None, column=None,
                position=None) -> BoardNote:
    """Change a note's text, move it to another column or place, or both. Anyone in the room
    may; the version must be the current one."""
    note = _current(room, note_id)
    _check_version(note, version)
    if text is not None:
        note.text = _clean_text(text)
    if column is not None or position is not None:
        _move(room, note, _clean_column(column) if column is not None else note.column,
              position)
    note.updated_at = utcnow()
    room.last_activity_at = note.updated_at
    _flush_or_stale(room, note)
    return note


def _move(room: Room, note: BoardNote, column: str, position) -> None:
    """Put the note at `position` (0 = top; None or past the end = bottom) of `column`,
    renumbering that column so positions stay 0, 1, 2…"""
    if position is not None and (not isinstance(position, int) or isinstance(position, bool)
                                 or position < 0):
        raise RoomError("bad_request", "position")
    others = [n for n in board(room).get(column, []) if n.id != note.id]
    index = len(others) if position is None else min(position, len(others))
    others.insert(index, note)
    note.column = column
    for number, each in enumerate(others):
        if each.id != note.id and each.position != number:
            # Renumbering a neighbour is not an edit of it: its version stays.
            db.session.execute(update(BoardNote).where(BoardNote.id == each.id)
                               .values(position=number)
                               .execution_options(synchronize_session=False))
    note.position = index
    # The neighbours' rows were written behind the unit of work; keep their loaded state.
    for each in others:
        if each.id != note.id:
            db.session.expire(each, ["position"])


def _flush_or_stale(room: Room, note: BoardNote) -> None:
    try:
        db.session.flush()
    except StaleDataError as exc:
        # Someone else saved the same version between our read and our write.
        db.session.rollback()
        raise StaleNote(_current(db.session.get(Room, room.id), note.id)) from exc


def delete_note(room: Room, user, note_id, version) -> BoardNote:
    """Take a note off the board (anyone in the room; the version must be current)."""
    note = _current(room, note_id)
    _check_version(note, version)
    note.deleted_at = note.updated_at = utcnow()
    _flush_or_stale(room, note)
    activity.record(room.school_id, user, "room.note_deleted", "room", room.id)
    return note


# -- evidence cards ------------------------------------------------------------------------

def my_observation_notes(room: Room, user) -> list[ObservationNote]:
    """The notes I took in the observation this room debriefs, by time (for the "bring to
    the board" list)."""
    if room.kind != "observation":
        return []
    return list(db.session.scalars(
        select(ObservationNote).where(
            ObservationNote.observation_id == room.observation_id,
            ObservationNote.author_id == user.id, ObservationNote.kind == "note",
            ObservationNote.deleted.is_(False))
        .order_by(ObservationNote.at_seconds, ObservationNote.id)))


def add_evidence(room: Room, user, client_id, source_note_id, interpretation,
                 question) -> tuple[BoardNote, bool]:
    """One of my observation notes on the Evidence column as observation → interpretation →
    question, keeping its time, seat and plan step."""
    client_id = clean_client_id(client_id)
    if room.kind != "observation":
        raise RoomError("not_a_debrief", status=409)
    if not isinstance(source_note_id, int) or isinstance(source_note_id, bool):
        raise RoomError("bad_request", "source_note_id")
    source = db.session.get(ObservationNote, source_note_id)
    if (source is None or source.observation_id != room.observation_id
            or source.author_id != user.id or source.deleted or source.kind != "note"):
        raise RoomError("not_found", "source_note_id", status=404)
    return _insert(room, user, client_id, column="evidence", text=source.text,
                   interpretation=_clean_text(interpretation, "interpretation", False),
                   question=_clean_text(question, "question", False),
                   source_note_id=source.id, at_seconds=source.at_seconds, seat=source.seat,
                   step=source.step)


# -- outcomes ------------------------------------------------------------------------------

def outcome_notes(room: Room, note_ids=None) -> list[BoardNote]:
    """The notes to send on: the chosen ones (of this board; none chosen, none sent), or,
    when no choice was made at all, the Next steps."""
    columns = board(room)
    everything = [n for column in BOARD_COLUMNS for n in columns.get(column, [])]
    if note_ids is None:
        return columns.get(OUTCOMES_COLUMN, [])
    if not isinstance(note_ids, list | tuple | set) or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in note_ids):
        raise RoomError("bad_request", "notes")
    chosen = set(note_ids)
    return [n for n in everything if n.id in chosen]


def outcomes_markdown(notes: list[BoardNote], when: datetime) -> str:
    """The section added to the plan or the debrief, in the sender's language."""
    lines = ["## " + _("Outcomes of co-thinking on %(date)s",
                       date=format_date(when.date(), "long"))]
    for note in notes:
        text = " ".join(note.text.split())
        if note.is_evidence:
            parts = [p for p in (text, note.interpretation, note.question) if p]
            text = " → ".join(" ".join(p.split()) for p in parts)
        lines.append(f"- {text}")
    return "\n".join(lines) + "\n"


def send_outcomes(room: Room, user, note_ids=None) -> str:
    """The facilitator sends notes to the room's plan as a new revision, or to the
    observation's debrief (added to the reflection). Returns "plan" or "observation"."""
    from collab.plans import service as plans

    if not can_facilitate(user, room):
        raise RoomError("not_facilitator", status=403)
    notes = outcome_notes(room, note_ids)
    if not notes:
        raise RoomError("no_outcomes", "notes")
    section = outcomes_markdown(notes, utcnow())
    if room.kind == "plan":
        plan = room.plan
        if not can_edit(user, plan):
            raise RoomError("cannot_edit_plan", status=403)
        fields = replace(plans.fields_of(plan), body=plan.body.rstrip() + "\n\n" + section)
        plans.save(plan, user, fields, plan.revision_number,
                   message=_("Outcomes of co-thinking"))
        activity.record(room.school_id, user, "room.outcomes_sent", "plan", plan.id)
        return "plan"
    if room.kind == "observation":
        observation = room.observation
        observation.reflection = (observation.reflection.rstrip() + "\n\n" + section).strip()
        db.session.flush()
        activity.record(room.school_id, user, "room.outcomes_sent", "observation",
                        observation.id)
        return "observation"
    raise RoomError("nowhere_to_send", status=409)
