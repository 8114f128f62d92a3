"""Demo rooms in the demo SMP: the MGMP Matematika team room (guru01, guru02, guru09) with a
conversation, a board and a finished lesson-study discussion; and the debrief room of the
completed demo observation (guru04 observed by guru01 and guru05) with evidence cards made
from the observers' notes.

The people, messages, board notes and evidence cards come from `data/rooms.json`. Made
through the room services, so messages, read markers, board versions and activity
events are as real ones would be. Idempotent: a room with messages is left as it is.
"""

from datetime import timedelta

from sqlalchemy import select

from collab.core.models import utcnow
from collab.demo.content import DemoContent
from collab.extensions import db
from collab.observations.models import Observation, ObservationNote
from collab.people.models import Membership, School, Team, User
from collab.rooms import service as rooms
from collab.rooms import service_board as room_board
from collab.rooms import service_protocols as protocols
from collab.rooms.models import RoomMessage


def seed(school: School, data: DemoContent) -> None:
    """The team room and the debrief room, if they have no messages yet; flushes."""
    spec = data.rooms
    people = {u.email.split("@")[0]: u for u in db.session.scalars(
        select(User).join(Membership).where(Membership.school_id == school.id))}
    team = db.session.scalar(select(Team).where(Team.school_id == school.id,
                                                Team.name == spec["team_room"]["team"]))
    if team is not None:
        _team_room(team, spec["team_room"], people)
    observation = db.session.scalar(
        select(Observation).where(Observation.school_id == school.id,
                                  Observation.state == "completed")
        .order_by(Observation.id))
    if observation is not None:
        _debrief_room(observation, spec["debrief_room"], people)
    db.session.flush()


def _has_messages(room) -> bool:
    return db.session.scalar(select(RoomMessage.id).where(RoomMessage.room_id == room.id)
                             .limit(1)) is not None


def _post(room, spec: dict, people: dict[str, User]) -> None:
    """The room's messages, four minutes apart from `messages_hours_ago` hours ago."""
    start = utcnow() - timedelta(hours=spec["messages_hours_ago"])
    for number, message_spec in enumerate(spec["messages"]):
        message, _ = rooms.post_message(room, people[message_spec["author"]], f"demo-{number}",
                                        message_spec["body"])
        message.created_at = start + timedelta(minutes=4 * number)
        room.last_activity_at = message.created_at


def _team_room(team: Team, spec: dict, people: dict[str, User]) -> None:
    facilitator = people[spec["facilitator"]]
    room = rooms.room_for_team(team, facilitator)
    if _has_messages(room):
        return
    _post(room, spec, people)
    for number, note in enumerate(spec["board"]):
        room_board.add_note(room, people[note["author"]], f"demo-note-{number}", note["column"],
                            note["text"])
    protocol = spec["protocol"]
    protocols.start(room, facilitator, protocol["key"])
    protocols.raise_hand(room, people[protocol["floor_to"]])
    protocols.give_floor(room, facilitator, people[protocol["floor_to"]].id)
    protocols.set_phase(room, facilitator, protocol["phase"])
    protocols.finish(room, facilitator)
    room.protocol_started_at = utcnow() - timedelta(hours=protocol["hours_ago"])
    room.protocol_finished_at = room.protocol_started_at + timedelta(minutes=protocol["minutes"])
    # The facilitator has read everything; the others have not yet seen the last messages.
    rooms.mark_read(room, facilitator)


def _debrief_room(observation: Observation, spec: dict, people: dict[str, User]) -> None:
    teacher = observation.teacher
    room = rooms.room_for_observation(observation, teacher)
    if _has_messages(room):
        return
    _post(room, spec, people)
    observers = {i.user_id: i.user for i in observation.observers if i.status == "accepted"}
    notes = db.session.scalars(
        select(ObservationNote).where(ObservationNote.observation_id == observation.id,
                                      ObservationNote.kind == "note",
                                      ObservationNote.deleted.is_(False),
                                      ObservationNote.author_id.in_(observers))
        .order_by(ObservationNote.at_seconds).limit(spec["evidence_cards"]))
    for number, note in enumerate(notes):
        room_board.add_evidence(
            room, observers[note.author_id], f"demo-evidence-{number}", note.id,
            spec["interpretation"], spec["question"])
