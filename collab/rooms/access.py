"""Who is in a co-thinking room. Every room page, list and Socket.IO event goes through here.

A room's members follow from what it is about, so they change as the school changes:
- a plan's room: whoever may read the plan (collab.plans.access.visible_to);
- an observation's room: the observed teacher and the observers who accepted (the debrief
  is theirs; a principal sees that the observation happened, not what was said about it);
- a team's room: the team's members;
- a mentoring pair's room: the novice and the mentor (also after the pair ended: its history
  stays theirs); a mentor also joins the debrief rooms of their mentee's observed lessons
  while the pair is active and the mentee allows it (`MentorPair.share_debriefs`);
- an ad-hoc room: its creator and the colleagues they invited.
Only ever within the user's school. Anyone else gets a 404 (HTTP) or `ok: false` (socket).
The facilitator (the room's creator, or the colleague they named) runs its protocol and sends
its outcomes on.
"""

from functools import cache

from flask import abort
from flask_login import current_user
from sqlalchemy import and_, bindparam, exists, false, inspect, or_, select

from collab.extensions import db
from collab.mentoring.models import MentorPair
from collab.observations.models import Observation, ObservationObserver
from collab.people.access import current_school
from collab.people.models import TeamMember
from collab.plans.access import readable_by
from collab.plans.models import Plan, PlanCoauthor
from collab.rooms.models import Room, RoomMember


def member_of(user):
    """A SQL condition on Room: the rooms `user` is a member of."""
    if user is None or getattr(user, "membership", None) is None:
        return false()
    return member_by(user.id, user.school_id)


def member_by(user_id, school_id):
    """member_of for a member of a school given by ids, which may be bound parameters (a
    statement built once and run for many users)."""
    readable_plan = exists().where(Plan.id == Room.plan_id, readable_by(user_id, school_id))
    observed = exists().where(Observation.id == Room.observation_id,
                              Observation.teacher_id == user_id)
    observing = exists().where(ObservationObserver.observation_id == Room.observation_id,
                               ObservationObserver.user_id == user_id,
                               ObservationObserver.status == "accepted")
    mentoring_debrief = exists().where(
        Observation.id == Room.observation_id, MentorPair.novice_id == Observation.teacher_id,
        MentorPair.mentor_id == user_id, MentorPair.status == "active",
        MentorPair.share_debriefs.is_(True))
    in_pair = exists().where(MentorPair.id == Room.mentor_pair_id,
                             or_(MentorPair.novice_id == user_id, MentorPair.mentor_id == user_id))
    in_team = exists().where(TeamMember.team_id == Room.team_id, TeamMember.user_id == user_id)
    invited = exists().where(RoomMember.room_id == Room.id, RoomMember.user_id == user_id,
                             RoomMember.invited.is_(True))
    return and_(
        Room.school_id == school_id,
        or_(
            and_(Room.kind == "plan", readable_plan),
            and_(Room.kind == "observation", or_(observed, observing, mentoring_debrief)),
            and_(Room.kind == "team", in_team),
            and_(Room.kind == "mentoring", in_pair),
            and_(Room.kind == "adhoc", or_(Room.created_by_id == user_id, invited)),
        ),
    )


# What a flush may take away: the rule above, read backwards. A row deleted or a column
# changed here can end someone's membership of a room (see narrowed_by).
_LEAVES_ON_DELETE = (TeamMember, PlanCoauthor, RoomMember, ObservationObserver)
_LEAVES_ON_CHANGE = {ObservationObserver: ("status",), RoomMember: ("invited",),
                     MentorPair: ("status", "share_debriefs")}
_PLAN_READERS = ("visibility", "team_id", "owner_id", "school_id")


def narrowed_by(session_) -> tuple[set[int], set[int]]:
    """Before a flush: the users who may lose a room (left a team, no longer co-author,
    uninvited, no longer an accepted observer) and the rooms that may lose members (their
    plan made less visible, or the room deleted). Only ids; nothing is decided here: each
    open socket concerned is checked with room_for once the change is committed."""
    users, plans, rooms = set(), set(), set()
    for obj in session_.deleted:
        if isinstance(obj, _LEAVES_ON_DELETE):
            users.add(obj.user_id)
        elif isinstance(obj, Plan):
            plans.add(obj.id)
        elif isinstance(obj, Room):
            rooms.add(obj.id)
    for obj in session_.dirty:
        if isinstance(obj, Plan) and _changed(obj, _PLAN_READERS):
            plans.add(obj.id)
        elif _changed(obj, _LEAVES_ON_CHANGE.get(type(obj), ())):
            # A mentor leaves their mentee's debrief rooms when the pair ends or the
            # mentee stops sharing them.
            users.add(obj.mentor_id if isinstance(obj, MentorPair) else obj.user_id)
    if plans:
        with session_.no_autoflush:
            rooms.update(session_.scalars(select(Room.id).where(Room.plan_id.in_(plans))))
    return users, rooms


def _changed(obj, attributes) -> bool:
    if not attributes:
        return False
    state = inspect(obj).attrs
    return any(state[name].history.has_changes() for name in attributes)


@cache
def _room_for_statement():
    # Built once with bound parameters: sockets ask on every event, and building the
    # condition anew cost more than running it.
    user_id, school_id = bindparam("user_id"), bindparam("school_id")
    return select(Room).where(Room.id == bindparam("room_id"), member_by(user_id, school_id))


def room_for(user, room_id) -> Room | None:
    """The room if `user` is a member, else None (one query; sockets ask on every event, so
    that a colleague removed from a team or the school is refused at once)."""
    if not isinstance(room_id, int) or isinstance(room_id, bool):
        return None
    if user is None or getattr(user, "membership", None) is None:
        return None
    return db.session.scalar(_room_for_statement(), {
        "room_id": room_id, "user_id": user.id, "school_id": user.school_id})


def is_member(user, room: Room) -> bool:
    return room_for(user, room.id) is not None


def can_facilitate(user, room: Room) -> bool:
    """The room's facilitator: the colleague named, else its creator."""
    if room.school_id != getattr(user, "school_id", None):
        return False
    return user.id == (room.facilitator_id or room.created_by_id)


def my_room(room_id: int) -> Room:
    """The room if the current user is a member, else 404."""
    current_school()
    room = room_for(current_user, room_id)
    if room is None:
        abort(404)
    return room


def facilitated_room(room_id: int) -> Room:
    """The room if the current user facilitates it; 404 for non-members, else 403."""
    room = my_room(room_id)
    if not can_facilitate(current_user, room):
        abort(403)
    return room


def created_room(room_id: int) -> Room:
    """An ad-hoc room the current user created (they invite and name the facilitator);
    404 for non-members, else 403."""
    room = my_room(room_id)
    if room.kind != "adhoc" or room.created_by_id != current_user.id:
        abort(403)
    return room
