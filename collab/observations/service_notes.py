"""Observation notes: synced from the observer's phone in batches, stored once per
`client_id`, and read back for the debrief by time, tag, seat and plan step, with the
timeline of how the class worked.

A batch is a list of dicts {"client_id", "text", "tag", "at_seconds", "seat", "step",
"kind", "deleted"}; the answer for each is the server id. Sending the same batch again gives
the same answer and stores nothing twice; a later version of a note (same client_id)
replaces the text until the observer submits. At most four statements per batch, whatever
its size.
"""

import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select, update

from collab.core.models import utcnow
from collab.core.refusals import RuleError
from collab.core.rendering import headings
from collab.extensions import db
from collab.observations.models import CLASS_MODES, NOTE_TAGS, Observation, ObservationNote
from collab.observations.service import IllegalMove, NotAllowed
from collab.timetables.models import SchoolClass

MAX_BATCH = 500
MAX_TEXT = 2000
MAX_SECONDS = 6 * 3600
MAX_STEP = 200
_CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_SEAT = re.compile(r"^r(\d{1,2})c(\d{1,2})$")
_TABLE_ROW = re.compile(r"^\|(.+)\|\s*$")


class NoteError(RuleError):
    """A batch that cannot be stored; `index` is the note at fault (None: the batch)."""

    MESSAGES = {
        "json": _l("The notes could not be read. Reload the page and try again."),
        "shape": _l("A note is not in the expected form."),
        "too_many": _l("Send at most %(max)d notes at once.", max=MAX_BATCH),
        "client_id": _l("A note has no valid identifier."),
        "at_seconds": _l("A note's time must lie within the lesson."),
        "mode": _l("Choose whole class, groups or individual work."),
        "text_missing": _l("Write the note."),
        "text_long": _l("At most %(max)d characters.", max=MAX_TEXT),
        "tag": _l("Choose one of the tags."),
        "seat": _l("Choose a seat on the class's seating grid."),
        "step": _l("Choose one of the plan's steps."),
    }

    def __init__(self, code: str, index: int | None = None):
        super().__init__(code)
        self.index = index


@dataclass(frozen=True)
class CleanNote:
    client_id: str
    kind: str
    text: str
    tag: str
    at_seconds: int
    seat: str
    step: str
    deleted: bool


def clean_batch(payload, seats: tuple[int, int], steps: set[str]) -> list[CleanNote]:
    """Check a decoded JSON body {"notes": [...]}; raises NoteError naming what is wrong."""
    if not isinstance(payload, dict) or not isinstance(payload.get("notes"), list):
        raise NoteError("shape")
    notes = payload["notes"]
    if len(notes) > MAX_BATCH:
        raise NoteError("too_many")
    return [_clean(item, index, seats, steps) for index, item in enumerate(notes)]


def _clean(item, index: int, seats: tuple[int, int], steps: set[str]) -> CleanNote:
    if not isinstance(item, dict):
        raise NoteError("shape", index)
    client_id = item.get("client_id")
    if not isinstance(client_id, str) or not _CLIENT_ID.match(client_id):
        raise NoteError("client_id", index)
    kind, deleted, at = item.get("kind", "note"), item.get("deleted", False), \
        item.get("at_seconds", 0)
    text, tag, seat, step = (item.get(name, "") or "" for name in ("text", "tag", "seat", "step"))
    if kind not in ("note", "mode") or not isinstance(deleted, bool) or not all(
            isinstance(value, str) for value in (text, tag, seat, step)):
        raise NoteError("shape", index)
    if isinstance(at, bool) or not isinstance(at, int) or not 0 <= at <= MAX_SECONDS:
        raise NoteError("at_seconds", index)
    text = "".join(c for c in text if c in "\n\t" or c.isprintable()).strip()
    if kind == "mode":
        if text not in CLASS_MODES:
            raise NoteError("mode", index)
        return CleanNote(client_id, kind, text, "", at, "", "", deleted)
    code = _note_problem(text, tag, seat, step, deleted, seats, steps)
    if code:
        raise NoteError(code, index)
    return CleanNote(client_id, kind, text, tag, at, seat, step, deleted)


def _note_problem(text: str, tag: str, seat: str, step: str, deleted: bool,
                  seats: tuple[int, int], steps: set[str]) -> str | None:
    if not text and not deleted:
        return "text_missing"
    if len(text) > MAX_TEXT:
        return "text_long"
    if tag and tag not in NOTE_TAGS:
        return "tag"
    if seat and not _on_grid(seat, seats):
        return "seat"
    if step and step not in steps:
        return "step"
    return None


def _on_grid(seat: str, seats: tuple[int, int]) -> bool:
    match = _SEAT.match(seat)
    return match is not None and 1 <= int(match[1]) <= seats[0] and 1 <= int(match[2]) <= seats[1]


_FIELDS = ("kind", "text", "tag", "at_seconds", "seat", "step", "deleted")


def sync(observation: Observation, author, notes: list[CleanNote]) -> list[dict]:
    """Store a cleaned batch of the author's notes: new client ids are added, known ones
    updated (or marked deleted). Returns [{"client_id", "id"}] in the batch's order.

    At most four statements whatever the batch's size (read the known notes, insert the
    new ones, update the changed ones, read the new ids): the ORM would insert one row at a
    time on SQLite, whose RETURNING does not keep the rows' order."""
    latest = {item.client_id: item for item in notes}  # a later version in a batch wins
    known = {row.client_id: row for row in db.session.execute(
        select(ObservationNote.id, ObservationNote.client_id,
               *(getattr(ObservationNote, name) for name in _FIELDS))
        .where(ObservationNote.observation_id == observation.id,
               ObservationNote.author_id == author.id,
               ObservationNote.client_id.in_(latest)))} if latest else {}
    now = utcnow()
    new, changed = [], []
    for client_id, item in latest.items():
        values = {name: getattr(item, name) for name in _FIELDS}
        row = known.get(client_id)
        if row is None:
            new.append({"observation_id": observation.id, "author_id": author.id,
                        "client_id": client_id, "created_at": now, "updated_at": now,
                        **values})
        elif any(getattr(row, name) != value for name, value in values.items()):
            changed.append({"id": row.id, "updated_at": now, **values})
        # else: the same note again, nothing to store
    if new:
        db.session.execute(insert(ObservationNote), new)
    if changed:
        db.session.execute(update(ObservationNote), changed)
    ids = {client_id: row.id for client_id, row in known.items()}
    if new:
        ids.update(db.session.execute(
            select(ObservationNote.client_id, ObservationNote.id)
            .where(ObservationNote.observation_id == observation.id,
                   ObservationNote.author_id == author.id,
                   ObservationNote.client_id.in_([n["client_id"] for n in new]))).all())
    return [{"client_id": n.client_id, "id": ids[n.client_id]} for n in notes]


def open_for(observation: Observation, author):
    """The author's accepted invitation if they may still write notes; raises NotAllowed
    (not an accepted observer) or IllegalMove (not scheduled or completed, or submitted)."""
    invite = next((i for i in observation.observers if i.user_id == author.id), None)
    if invite is None or invite.status != "accepted":
        raise NotAllowed("not_observer")
    if observation.state not in ("scheduled", "completed"):
        raise IllegalMove("state")
    if invite.submitted_at is not None:
        raise IllegalMove("submitted")
    return invite


def save(observation: Observation, author, payload) -> list[dict]:
    """Check a batch from the author's phone against the class's seating grid and the
    plan's steps, and store it (see `sync`). Refused once the author has submitted."""
    open_for(observation, author)
    notes = clean_batch(payload, seating(observation), set(plan_steps(observation)))
    return sync(observation, author, notes)


def new_client_id() -> str:
    """A client id for a note written without JavaScript (the browser makes its own)."""
    return uuid.uuid4().hex


def seconds_since_start(observation: Observation) -> int:
    """Seconds from the lesson's start to now, within 0 .. MAX_SECONDS."""
    seconds = int((utcnow() - observation.starts_at).total_seconds())
    return min(max(seconds, 0), MAX_SECONDS)


def own_note(observation: Observation, author, note_id: int) -> ObservationNote | None:
    """One of the author's (not deleted) notes of this observation, or None."""
    return db.session.scalar(select(ObservationNote).where(
        ObservationNote.id == note_id, ObservationNote.observation_id == observation.id,
        ObservationNote.author_id == author.id, ObservationNote.deleted.is_(False)))


def as_dict(note: ObservationNote, **changes) -> dict:
    """A note as the phone sends it (a new version of it with `changes`)."""
    return {"client_id": note.client_id, "kind": note.kind, "text": note.text,
            "tag": note.tag, "at_seconds": note.at_seconds, "seat": note.seat,
            "step": note.step, "deleted": note.deleted, "id": note.id, **changes}


def of_author(observation: Observation, author) -> list[ObservationNote]:
    return list(db.session.scalars(
        select(ObservationNote).where(ObservationNote.observation_id == observation.id,
                                      ObservationNote.author_id == author.id,
                                      ObservationNote.deleted.is_(False))
        .order_by(ObservationNote.at_seconds, ObservationNote.id)))


def seating(observation: Observation) -> tuple[int, int]:
    """(rows, columns) of the observed class's seating grid (5 × 6 when unknown)."""
    found = db.session.scalar(select(SchoolClass).where(
        SchoolClass.school_id == observation.school_id,
        SchoolClass.name == observation.class_name))
    return (found.seat_rows, found.seat_cols) if found else (5, 6)


def plan_steps(observation: Observation) -> list[str]:
    """The linked plan's lesson steps: its headings, and the first cell of each row of its
    tables (a research lesson's flow table: one row a step)."""
    plan = observation.plan
    if plan is None:
        return []
    found = [title for _anchor, title in headings(plan.body)]
    for line in plan.body.splitlines():
        match = _TABLE_ROW.match(line.strip())
        if not match:
            continue
        first = match[1].split("|")[0].strip()
        if first and not set(first) <= set("-: ") and first not in found:
            found.append(first)
    return [step[:MAX_STEP] for step in found[:60]]


@dataclass
class Review:
    """Every observer's notes, ordered and grouped for the debrief."""

    notes: list = field(default_factory=list)          # by time
    by_tag: dict = field(default_factory=dict)         # tag -> notes
    by_seat: dict = field(default_factory=dict)        # "r2c3" -> notes
    by_step: dict = field(default_factory=dict)        # step -> notes
    timeline: list = field(default_factory=list)       # (start, end, mode) seconds
    seats: tuple = (5, 6)
    steps: list = field(default_factory=list)
    length: int = 0                                    # seconds of the lesson


def review(observation: Observation) -> Review:
    rows = list(db.session.scalars(
        select(ObservationNote).where(ObservationNote.observation_id == observation.id,
                                      ObservationNote.deleted.is_(False))
        .order_by(ObservationNote.at_seconds, ObservationNote.id)))
    length = max(int((observation.ends_at - observation.starts_at).total_seconds()), 60)
    result = Review(seats=seating(observation), steps=plan_steps(observation), length=length)
    by_tag, by_seat, by_step = defaultdict(list), defaultdict(list), defaultdict(list)
    modes = []
    for row in rows:
        if row.kind == "mode":
            modes.append(row)
            continue
        result.notes.append(row)
        by_tag[row.tag or ""].append(row)
        if row.seat:
            by_seat[row.seat].append(row)
        if row.step:
            by_step[row.step].append(row)
    result.by_tag, result.by_seat, result.by_step = dict(by_tag), dict(by_seat), dict(by_step)
    result.timeline = _timeline(modes, length)
    return result


def _timeline(modes: list, length: int) -> list[tuple[int, int, str]]:
    """Spans (start, end, mode) of the lesson from the observers' mode markers (when two
    observers mark, every marker counts from its moment on)."""
    spans = []
    ordered = sorted(modes, key=lambda m: (m.at_seconds, m.id))
    for index, mark in enumerate(ordered):
        end = ordered[index + 1].at_seconds if index + 1 < len(ordered) else length
        start = min(mark.at_seconds, length)
        if end > start:
            spans.append((start, min(end, length), mark.text))
    return spans
