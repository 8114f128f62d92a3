"""Co-thinking rooms: opening a room for a plan, an observation or a team, ad-hoc rooms,
the chat (idempotent by the sender's client id), read markers and the list of my rooms.

The HTTP routes and the Socket.IO events call the same functions here; they decide nothing
about membership themselves (collab.rooms.access does). A function that refuses raises
RoomError with a code that the caller turns into a sentence in the user's language.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import bindparam, case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, lazyload, load_only
from sqlalchemy.orm.attributes import set_committed_value

from collab.core import activity
from collab.core.i18n import show_date
from collab.core.links import Target
from collab.core.models import utcnow
from collab.core.notify import notify
from collab.core.refusals import RuleError
from collab.core.rendering import render_markdown, stored_html
from collab.extensions import db
from collab.mentoring.models import MentorPair
from collab.observations.models import Observation
from collab.people.models import Membership, Team, TeamMember, User
from collab.plans.models import Plan, PlanCoauthor
from collab.plans.service_comments import mentioned
from collab.rooms.access import can_facilitate, member_by
from collab.rooms.models import Room, RoomMember, RoomMessage

MAX_BODY_BYTES = 4096
EDIT_WINDOW = timedelta(minutes=15)
HISTORY_SIZE = 50
# A client that was away longer than this many messages gets the newest ones and a flag.
CATCH_UP_LIMIT = 500
MAX_TITLE = 120
MAX_INVITED = 60
_CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


class RoomError(RuleError):
    """A refused change in a room; `status` is the HTTP status it stands for."""

    def __init__(self, code: str, field: str | None = None, status: int = 400):
        super().__init__(code, field)
        self.status = status


# -- opening rooms ------------------------------------------------------------------------

def _get_or_create(school_id: int, user, **about) -> Room:
    """The room about one plan, observation, team or mentoring pair, made on first use. Two
    colleagues opening it at once get the same room (the unique key decides, the loser
    reads)."""
    (column, value), = about.items()
    found = db.session.scalar(select(Room).where(getattr(Room, column) == value))
    if found is not None:
        return found
    kind = "mentoring" if column == "mentor_pair_id" else column.removesuffix("_id")
    try:
        with db.session.begin_nested():
            room = Room(school_id=school_id, kind=kind, created_by_id=user.id, **about)
            db.session.add(room)
    except IntegrityError:
        return db.session.scalar(select(Room).where(getattr(Room, column) == value))
    activity.record(school_id, user, "room.opened", "room", room.id)
    return room


def room_for_plan(plan: Plan, user) -> Room:
    return _get_or_create(plan.school_id, user, plan_id=plan.id)


def room_for_observation(observation: Observation, user) -> Room:
    return _get_or_create(observation.school_id, user, observation_id=observation.id)


def room_for_pair(pair: MentorPair, user) -> Room:
    """The mentoring pair's own room: the novice and the mentor."""
    return _get_or_create(pair.school_id, user, mentor_pair_id=pair.id)


def room_for_team(team: Team, user) -> Room:
    return _get_or_create(team.school_id, user, team_id=team.id)


def create_adhoc(user, title: str, invited_ids: set[int]) -> Room:
    """An ad-hoc room with a title, its creator and the colleagues they invite (of their
    school; anyone else is left out)."""
    title = " ".join((title or "").split())
    if not title:
        raise RoomError("title_required", "title")
    if len(title) > MAX_TITLE:
        raise RoomError("title_too_long", "title")
    room = Room(school_id=user.school_id, kind="adhoc", title=title, created_by_id=user.id)
    db.session.add(room)
    db.session.flush()
    set_invited(room, user, invited_ids)
    activity.record(room.school_id, user, "room.opened", "room", room.id)
    return room


def set_invited(room: Room, user, invited_ids: set[int]) -> None:
    """The colleagues invited to an ad-hoc room become exactly `invited_ids` (the creator
    is always in)."""
    invited_ids = set(invited_ids) - {user.id}
    if len(invited_ids) > MAX_INVITED:
        raise RoomError("too_many_invited", "members")
    colleagues = set(db.session.scalars(
        select(Membership.user_id).where(Membership.school_id == room.school_id,
                                         Membership.user_id.in_(invited_ids))))
    if colleagues != invited_ids:
        raise RoomError("not_a_colleague", "members")
    rows = {m.user_id: m for m in db.session.scalars(
        select(RoomMember).where(RoomMember.room_id == room.id))}
    for user_id, row in rows.items():
        row.invited = user_id in invited_ids
    for user_id in invited_ids - rows.keys():
        db.session.add(RoomMember(room_id=room.id, user_id=user_id, invited=True))
    db.session.flush()


def set_facilitator(room: Room, user, facilitator_id: int | None) -> None:
    """The facilitator names someone else (a member of the room), or takes the role back."""
    if not can_facilitate(user, room):
        raise RoomError("not_facilitator", status=403)
    if facilitator_id is not None:
        chosen = db.session.get(User, facilitator_id)
        if chosen is None or chosen.id not in member_ids(room):
            raise RoomError("not_a_member", "facilitator")
    room.facilitator_id = facilitator_id
    db.session.flush()


def member_ids(room: Room) -> set[int]:
    """The ids of everyone in the room now (the same rule as collab.rooms.access, for one
    room; two queries at most)."""
    if room.kind == "adhoc":
        invited = db.session.scalars(select(RoomMember.user_id).where(
            RoomMember.room_id == room.id, RoomMember.invited.is_(True)))
        return {*invited, room.created_by_id} - {None}
    if room.kind == "team":
        return set(db.session.scalars(
            select(TeamMember.user_id).where(TeamMember.team_id == room.team_id)))
    if room.kind == "mentoring":
        return set(room.mentor_pair.member_ids())
    if room.kind == "observation":
        observation = room.observation
        mentors = db.session.scalars(select(MentorPair.mentor_id).where(
            MentorPair.novice_id == observation.teacher_id, MentorPair.status == "active",
            MentorPair.share_debriefs.is_(True)))
        return {observation.teacher_id, *mentors} | {
            i.user_id for i in observation.observers if i.status == "accepted"}
    plan = room.plan
    if plan.visibility == "school":
        return set(db.session.scalars(
            select(Membership.user_id).where(Membership.school_id == room.school_id)))
    ids = {plan.owner_id, *db.session.scalars(
        select(PlanCoauthor.user_id).where(PlanCoauthor.plan_id == plan.id))}
    if plan.visibility == "team" and plan.team_id is not None:
        ids |= set(db.session.scalars(
            select(TeamMember.user_id).where(TeamMember.team_id == plan.team_id)))
    return ids


def members(room: Room) -> list[User]:
    """Everyone who is in the room now, by name."""
    ids = member_ids(room)
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.school_id == room.school_id, User.id.in_(ids))
        .order_by(User.name)))


def title(room: Room) -> str:
    """What the room is about, for lists and headings (the caller adds the kind's label)."""
    if room.kind == "plan" and room.plan is not None:
        return room.plan.title
    if room.kind == "team" and room.team is not None:
        return room.team.name
    if room.kind == "mentoring" and room.mentor_pair is not None:
        return f"{room.mentor_pair.novice.name} · {room.mentor_pair.mentor.name}"
    if room.kind == "observation" and room.observation is not None:
        o = room.observation
        return f"{o.class_name} · {o.subject} · {show_date(o.lesson_date)}"
    return room.title


# -- my rooms ------------------------------------------------------------------------------

@dataclass
class RoomSummary:
    room: Room
    title: str
    unread: int
    last_activity_at: datetime


def my_rooms(user) -> list[RoomSummary]:
    """The rooms I am in, most recently active first, with how many messages of others I
    have not read and their titles (one query whatever the number of rooms)."""
    if getattr(user, "membership", None) is None:
        return []
    rows = db.session.execute(_my_rooms_statement(),
                              {"user_id": user.id, "school_id": user.school_id}).all()
    return [RoomSummary(room, title(room), count, room.last_activity_at)
            for room, count in rows]


@cache
def _my_rooms_statement():
    # Built once with bound parameters (building the membership rule anew cost more than
    # running it), with what title() reads loaded in the same query.
    user_id = bindparam("user_id")
    # Correlated with the outer rooms explicitly: nested in `unread`, it would otherwise
    # select from its own `rooms` (every room of mine; PostgreSQL refuses the second row,
    # SQLite took the first one's read marker for every room).
    last_read = (select(RoomMember.last_read_id)
                 .where(RoomMember.room_id == Room.id, RoomMember.user_id == user_id)
                 .correlate(Room).scalar_subquery())
    unread = (select(func.count(RoomMessage.id))
              .where(RoomMessage.room_id == Room.id,
                     RoomMessage.id > func.coalesce(last_read, 0),
                     RoomMessage.author_id != user_id,
                     RoomMessage.deleted_at.is_(None))
              .correlate(Room).scalar_subquery())
    name_only = (load_only(User.name), lazyload(User.membership))
    about = (
        joinedload(Room.plan).load_only(Plan.title).lazyload(Plan.tags),
        joinedload(Room.team).load_only(Team.name),
        joinedload(Room.observation).load_only(Observation.class_name, Observation.subject,
                                               Observation.lesson_date),
        joinedload(Room.mentor_pair).load_only(MentorPair.id).options(
            joinedload(MentorPair.novice).options(*name_only),
            joinedload(MentorPair.mentor).options(*name_only)),
    )
    return (select(Room, unread).where(member_by(user_id, bindparam("school_id")))
            .options(*about).order_by(Room.last_activity_at.desc(), Room.id.desc()))


def colleagues(user) -> list[tuple[int, str]]:
    """(id, name) of the other members of my school, by name."""
    return list(db.session.execute(_colleagues_statement(),
                                   {"user_id": user.id, "school_id": user.school_id}))


@cache
def _colleagues_statement():
    return (select(User.id, User.name).join(Membership, Membership.user_id == User.id)
            .where(Membership.school_id == bindparam("school_id"),
                   User.id != bindparam("user_id"))
            .order_by(User.name))


# -- chat ----------------------------------------------------------------------------------

def clean_client_id(value) -> str:
    if not isinstance(value, str) or not _CLIENT_ID.fullmatch(value):
        raise RoomError("bad_client_id", "client_id")
    return value


def clean_body(value) -> str:
    if not isinstance(value, str):
        raise RoomError("body_required", "body")
    body = value.replace("\r\n", "\n").strip()
    if not body:
        raise RoomError("body_required", "body")
    if len(body.encode("utf-8")) > MAX_BODY_BYTES:
        raise RoomError("body_too_long", "body", status=413)
    return body


def rendered(body: str) -> str:
    """A clean message body (clean_body) as the HTML a message keeps. The socket events
    render before their transaction begins (on SQLite, before the write lock is taken)."""
    return str(render_markdown(body, heading_ids=False))


def post_message(room: Room, author, client_id, body,
                 html: str | None = None) -> tuple[RoomMessage, bool]:
    """Store a message once per (room, author, client id): a retry after a lost
    acknowledgement gets the stored message back and `created` False, so nobody
    broadcasts it twice. `html`: rendered(body) if the caller rendered it already."""
    client_id = clean_client_id(client_id)
    body = clean_body(body)
    existing = _message_by_client_id(room, author, client_id)
    if existing is not None:
        return existing, False
    html = rendered(body) if html is None else html
    try:
        with db.session.begin_nested():
            message = RoomMessage(room_id=room.id, author_id=author.id, client_id=client_id,
                                  body=body, html=html)
            db.session.add(message)
    except IntegrityError:
        return _message_by_client_id(room, author, client_id), False
    _room_moved_on(room, message)
    _read_up_to(room, author, message.id)
    mentions = [c for c in mentioned(room.school_id, body) if c.id != author.id]
    in_room = member_ids(room) if mentions else set()
    for colleague in mentions:
        if colleague.id in in_room:
            notify(colleague, "room.mentioned",
                   Target("rooms.room", {"room_id": room.id}, f"m{message.id}"),
                   name=author.name, room=title(room))
    activity.record(room.school_id, author, "room.message", "room", room.id)
    return message, True


def _message_by_client_id(room: Room, author, client_id: str) -> RoomMessage | None:
    # The id first: a retry is rare, and loading no message costs less than loading one.
    message_id = db.session.scalar(select(RoomMessage.id).where(
        RoomMessage.room_id == room.id, RoomMessage.author_id == author.id,
        RoomMessage.client_id == client_id))
    return None if message_id is None else db.session.get(RoomMessage, message_id)


def _room_moved_on(room: Room, message: RoomMessage) -> None:
    """The room's last activity and newest message, in one UPDATE of the table (the ORM's
    unit of work costs several times more, on every message); the loaded room is told."""
    rooms = Room.__table__
    db.session.execute(
        update(rooms).where(rooms.c.id == room.id)
        .values(last_activity_at=message.created_at,
                last_message_id=case((func.coalesce(rooms.c.last_message_id, 0) < message.id,
                                      message.id), else_=rooms.c.last_message_id)))
    set_committed_value(room, "last_activity_at", message.created_at)
    set_committed_value(room, "last_message_id", max(room.last_message_id or 0, message.id))


def own_message(room: Room, user, message_id) -> RoomMessage:
    """One of my messages in this room, still there; RoomError otherwise."""
    if not isinstance(message_id, int) or isinstance(message_id, bool):
        raise RoomError("not_found", status=404)
    message = db.session.get(RoomMessage, message_id)
    if message is None or message.room_id != room.id or message.deleted_at is not None:
        raise RoomError("not_found", status=404)
    if message.author_id != user.id:
        raise RoomError("not_yours", status=403)
    if utcnow() - message.created_at > EDIT_WINDOW:
        raise RoomError("too_late", status=409)
    return message


def edit_message(room: Room, user, message_id, body, html: str | None = None) -> RoomMessage:
    """Change my message within 15 minutes of sending it (`html` as for post_message)."""
    message = own_message(room, user, message_id)
    message.body = clean_body(body)
    message.html = rendered(message.body) if html is None else html
    message.edited_at = utcnow()
    db.session.flush()
    return message


def delete_message(room: Room, user, message_id) -> RoomMessage:
    """Take my message back within 15 minutes; the others see that it was deleted."""
    message = own_message(room, user, message_id)
    message.body = ""
    message.html = ""
    message.deleted_at = utcnow()
    db.session.flush()
    return message


def history(room: Room, since_id=None, limit: int = HISTORY_SIZE) -> tuple[list, bool]:
    """Oldest first: the messages after `since_id` (a client catching up after a reconnect),
    else the last `limit`. The flag says that older ones were left out."""
    stmt = select(RoomMessage).where(RoomMessage.room_id == room.id)
    if isinstance(since_id, int) and not isinstance(since_id, bool) and since_id >= 0:
        stmt = stmt.where(RoomMessage.id > since_id)
        limit = CATCH_UP_LIMIT
    rows = list(db.session.scalars(stmt.order_by(RoomMessage.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    return list(reversed(rows[:limit])), more


def earlier(room: Room, before_id: int, limit: int = HISTORY_SIZE) -> tuple[list, bool]:
    """The `limit` messages before `before_id`, oldest first, and whether there are more."""
    rows = list(db.session.scalars(
        select(RoomMessage).where(RoomMessage.room_id == room.id, RoomMessage.id < before_id)
        .order_by(RoomMessage.id.desc()).limit(limit + 1)))
    return list(reversed(rows[:limit])), len(rows) > limit


def last_read(room: Room, user) -> int:
    return db.session.scalar(select(RoomMember.last_read_id).where(
        RoomMember.room_id == room.id, RoomMember.user_id == user.id)) or 0


def mark_read(room: Room, user, up_to_id: int | None = None) -> None:
    """I have read the room up to `up_to_id` (default: its newest message)."""
    _read_up_to(room, user, room.last_message_id if up_to_id is None else up_to_id)


def _read_up_to(room: Room, user, message_id: int) -> None:
    # One UPDATE when the marker moves on (every message sent moves the sender's).
    members = RoomMember.__table__
    moved = db.session.execute(
        update(members)
        .where(members.c.room_id == room.id, members.c.user_id == user.id,
               members.c.last_read_id < message_id)
        .values(last_read_id=message_id))
    if moved.rowcount:
        key = db.session.identity_key(RoomMember, (room.id, user.id))
        member = db.session.identity_map.get(key)
        if member is not None:
            set_committed_value(member, "last_read_id", message_id)
        return
    if db.session.get(RoomMember, (room.id, user.id)) is None:
        db.session.add(RoomMember(room_id=room.id, user_id=user.id, last_read_id=message_id))
        db.session.flush()


def message_body(message: RoomMessage):
    """The message's body as HTML (the one Markdown renderer and sanitiser); None once
    deleted."""
    if message.deleted_at is not None:
        return None
    return stored_html(message.html, message.body, heading_ids=False)


def message_json(message: RoomMessage, body_html=None) -> dict:
    """What a client gets of a message (the body already rendered and sanitised; pass
    `body_html`, message_body(message), when it is rendered already)."""
    deleted = message.deleted_at is not None
    if body_html is None and not deleted:
        body_html = message_body(message)
    return {
        "id": message.id,
        "client_id": message.client_id,
        "room_id": message.room_id,
        "author": {"id": message.author_id, "name": message.author.name},
        "body_html": "" if deleted else str(body_html),
        "created_at": message.created_at.isoformat(),
        "edited_at": message.edited_at.isoformat() if message.edited_at else None,
        "deleted": deleted,
    }
