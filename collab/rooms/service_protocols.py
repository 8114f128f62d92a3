"""Facilitated protocols in a room: the facilitator picks one and moves through its phases;
everyone sees the current phase, who has the floor and a countdown to the phase's end (the
server's clock, so every phone counts down to the same moment); a queue of raised hands.

Built in: the lesson-study post-lesson discussion and a tuning protocol. A phase's `speaker`
names who has the floor by their part in the lesson; the room shows the phase's label and its
speaker side by side, so a label names the activity only, never the speaker (a test checks it
in every language). The facilitator may also give the floor to one person (from the
hand-raise queue, say), which lasts until the next phase.
"""

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from collab.core import activity
from collab.core.models import utcnow
from collab.extensions import db
from collab.people.models import User
from collab.rooms.access import can_facilitate
from collab.rooms.models import HandRaise, Room
from collab.rooms.service import RoomError, member_ids


@dataclass(frozen=True)
class Phase:
    key: str
    label: str
    minutes: int
    speaker: str  # a key of SPEAKERS


@dataclass(frozen=True)
class Protocol:
    key: str
    name: str
    description: str
    phases: tuple[Phase, ...]


SPEAKERS = {
    "teacher": _l("The teacher who taught"),
    "planning_team": _l("The planning team"),
    "observers": _l("The observers"),
    "everyone": _l("Everyone"),
    "knowledgeable_other": _l("The knowledgeable other"),
    "presenter": _l("The presenter"),
    "participants": _l("The participants"),
    "facilitator": _l("The facilitator"),
}

PROTOCOLS = {
    "lesson_study": Protocol(
        "lesson_study", _l("Lesson-study post-lesson discussion"),
        _l("The teacher who taught speaks first; observers share evidence of what students "
           "did; the knowledgeable other comments last; the team agrees on next steps."),
        (
            Phase("teacher_reflects", _l("Reflection on the lesson"), 5, "teacher"),
            Phase("planning_team", _l("Explaining the plan"), 5, "planning_team"),
            Phase("evidence", _l("Sharing evidence from the lesson"), 15, "observers"),
            Phase("open_discussion", _l("Open discussion"), 15, "everyone"),
            Phase("final_comments", _l("Final comments"), 10, "knowledgeable_other"),
            Phase("next_steps", _l("Next steps"), 5, "everyone"),
        ),
    ),
    "tuning": Protocol(
        "tuning", _l("Tuning protocol"),
        _l("A presenter shares work and a focusing question; participants give warm and "
           "cool feedback; the presenter reflects."),
        (
            Phase("presentation", _l("Presentation and focusing question"), 10, "presenter"),
            Phase("clarifying", _l("Clarifying questions"), 5, "participants"),
            Phase("examination", _l("Looking at the work quietly"), 10, "participants"),
            Phase("feedback", _l("Warm and cool feedback"), 15, "participants"),
            Phase("reflection", _l("Reflection on the feedback"), 5, "presenter"),
            Phase("debrief", _l("Debrief of the protocol"), 5, "facilitator"),
        ),
    ),
}


def choices() -> list[tuple[str, str]]:
    return [(p.key, str(p.name)) for p in PROTOCOLS.values()]


def _facilitator(room: Room, user) -> None:
    if not can_facilitate(user, room):
        raise RoomError("not_facilitator", status=403)


def _running(room: Room) -> Protocol:
    protocol = PROTOCOLS.get(room.protocol or "")
    if protocol is None or room.protocol_finished_at is not None:
        raise RoomError("no_protocol", status=409)
    return protocol


def start(room: Room, user, key) -> None:
    """Begin a protocol at its first phase (a finished one may be run again)."""
    _facilitator(room, user)
    if key not in PROTOCOLS:
        raise RoomError("bad_protocol", "protocol")
    if room.protocol and room.protocol_finished_at is None:
        raise RoomError("protocol_running", status=409)
    room.protocol = key
    room.protocol_started_at = utcnow()
    room.protocol_finished_at = None
    _enter(room, PROTOCOLS[key], 0)
    activity.record(room.school_id, user, "room.protocol_started", "room", room.id)


def set_phase(room: Room, user, index) -> None:
    """Go to phase `index` (forwards or back); its countdown starts now."""
    _facilitator(room, user)
    protocol = _running(room)
    if not isinstance(index, int) or isinstance(index, bool) or not (
            0 <= index < len(protocol.phases)):
        raise RoomError("bad_phase", "index")
    _enter(room, protocol, index)


def next_phase(room: Room, user) -> None:
    """The next phase, or the end of the protocol after its last."""
    _facilitator(room, user)
    protocol = _running(room)
    if room.phase_index + 1 >= len(protocol.phases):
        finish(room, user)
    else:
        _enter(room, protocol, room.phase_index + 1)


def finish(room: Room, user) -> None:
    _facilitator(room, user)
    _running(room)
    room.protocol_finished_at = utcnow()
    room.phase_ends_at = None
    room.floor_user_id = None
    db.session.execute(delete(HandRaise).where(HandRaise.room_id == room.id))
    db.session.flush()
    activity.record(room.school_id, user, "room.protocol_finished", "room", room.id)


def _enter(room: Room, protocol: Protocol, index: int) -> None:
    room.phase_index = index
    room.phase_ends_at = utcnow() + timedelta(minutes=protocol.phases[index].minutes)
    room.floor_user_id = None
    room.last_activity_at = utcnow()
    db.session.flush()


def give_floor(room: Room, user, floor_user_id) -> None:
    """The facilitator gives the floor to someone in the room (None gives it back to the
    phase's speakers); their raised hand comes down."""
    _facilitator(room, user)
    _running(room)
    if floor_user_id is not None:
        if (not isinstance(floor_user_id, int) or isinstance(floor_user_id, bool)
                or floor_user_id not in member_ids(room)):
            raise RoomError("not_a_member", "user_id")
        db.session.execute(delete(HandRaise).where(HandRaise.room_id == room.id,
                                                   HandRaise.user_id == floor_user_id))
    room.floor_user_id = floor_user_id
    db.session.flush()


def phase_json(room: Room) -> dict | None:
    """The protocol's state as clients show it, or None when none was ever started. Keys
    only, never words: one broadcast reaches colleagues in several languages, and each page
    turns the keys into its reader's words with `words()`."""
    protocol = PROTOCOLS.get(room.protocol or "")
    if protocol is None:
        return None
    finished = room.protocol_finished_at is not None
    floor = None
    if room.floor_user_id is not None and room.floor_user is not None:
        floor = {"id": room.floor_user_id, "name": room.floor_user.name}
    return {
        "protocol": protocol.key,
        "phases": [{"key": p.key, "minutes": p.minutes, "speaker": p.speaker}
                   for p in protocol.phases],
        "index": None if finished else room.phase_index,
        "ends_at": None if finished or room.phase_ends_at is None
        else room.phase_ends_at.isoformat(),
        "floor": floor,
        "finished": finished,
        "facilitator_id": room.facilitator_id or room.created_by_id,
    }


def words() -> dict:
    """Every protocol's name and phase labels and every speaker, in the current language:
    what a room page carries to show `phase_json` (and its broadcasts) to its reader."""
    return {
        "protocols": {key: {"name": str(p.name),
                            "phases": {ph.key: str(ph.label) for ph in p.phases}}
                      for key, p in PROTOCOLS.items()},
        "speakers": {key: str(label) for key, label in SPEAKERS.items()},
    }


# -- raised hands --------------------------------------------------------------------------

def raise_hand(room: Room, user) -> None:
    """Join the queue (raising twice keeps my place)."""
    if db.session.get(HandRaise, (room.id, user.id)) is None:
        db.session.add(HandRaise(room_id=room.id, user_id=user.id))
        db.session.flush()


def lower_hand(room: Room, user, target_id=None) -> None:
    """Lower my hand, or, for the facilitator, someone else's."""
    if target_id is None or target_id == user.id:
        target_id = user.id
    else:
        _facilitator(room, user)
        if not isinstance(target_id, int) or isinstance(target_id, bool):
            raise RoomError("bad_request", "user_id")
    db.session.execute(delete(HandRaise).where(HandRaise.room_id == room.id,
                                               HandRaise.user_id == target_id))
    db.session.flush()


def hands_json(room: Room) -> list[dict]:
    """The queue, first raised first."""
    rows = db.session.execute(
        select(HandRaise.user_id, User.name, HandRaise.raised_at)
        .join(User, User.id == HandRaise.user_id)
        .where(HandRaise.room_id == room.id)
        .order_by(HandRaise.raised_at, HandRaise.user_id)).all()
    return [{"id": user_id, "name": name, "raised_at": raised_at.isoformat()}
            for user_id, name, raised_at in rows]
