"""Observation notes: synced from the observer's phone in batches, stored once per
`client_id`, and read back for the debrief by time, tag, seat and plan step, with the
timeline of how the class worked.

A batch is a list of dicts {"client_id", "text", "tag", "at_seconds", "seat", "step",
"kind", "deleted"}; the answer for each is the server id. Sending the same batch again gives
the same answer and stores nothing twice; a later version of a note (same client_id)
replaces the text until the observer submits. Two queries per batch, whatever its size.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from collab.extensions import db
from collab.models import CLASS_MODES, NOTE_TAGS, Observation, ObservationNote, SchoolClass
from collab.models.base import utcnow
from collab.services.rendering import headings

MAX_BATCH = 500
MAX_TEXT = 2000
MAX_SECONDS = 6 * 3600
MAX_STEP = 200
_CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_SEAT = re.compile(r"^r(\d{1,2})c(\d{1,2})$")
_TABLE_ROW = re.compile(r"^\|(.+)\|\s*$")


class NoteError(ValueError):
    """A batch that cannot be stored; `index` is the note at fault (None: the batch)."""

    def __init__(self, code: str, index: int | None = None):
        super().__init__(code)
        self.code = code
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


def sync(observation: Observation, author, notes: list[CleanNote]) -> list[dict]:
    """Store a cleaned batch of the author's notes: new client ids are added, known ones
    updated (or marked deleted). Returns [{"client_id", "id"}] in the batch's order."""
    ids = {n.client_id for n in notes}
    known = {note.client_id: note for note in db.session.scalars(
        select(ObservationNote).where(ObservationNote.observation_id == observation.id,
                                      ObservationNote.author_id == author.id,
                                      ObservationNote.client_id.in_(ids)))} if ids else {}
    now = utcnow()
    for item in notes:
        row = known.get(item.client_id)
        if row is None:
            row = ObservationNote(observation_id=observation.id, author_id=author.id,
                                  client_id=item.client_id, created_at=now)
            db.session.add(row)
            known[item.client_id] = row
        elif (row.kind, row.text, row.tag, row.at_seconds, row.seat, row.step,
              row.deleted) == (item.kind, item.text, item.tag, item.at_seconds, item.seat,
                               item.step, item.deleted):
            continue  # the same note again: nothing to store
        row.kind, row.text, row.tag, row.at_seconds = item.kind, item.text, item.tag, \
            item.at_seconds
        row.seat, row.step, row.deleted, row.updated_at = item.seat, item.step, \
            item.deleted, now
    db.session.flush()
    return [{"client_id": n.client_id, "id": known[n.client_id].id} for n in notes]


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
