"""Reading a CSV file of the school's timetables: every row checked, nothing written until the
principal confirms; the import then replaces the timetables of the teachers it lists.

Columns: teacher_email, weekday, period, class, subject, room. The weekday is 1-7 (Monday =
1) or its English or Indonesian name; the period is the number (*jam ke-*) defined for that
weekday. The header row is required; column order is free and extra columns are ignored.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from collab.core.csv_files import MAX_ROWS, ImportFileError, read_csv
from collab.extensions import db
from collab.people.models import Membership, School, User
from collab.people.service_accounts import normalise_email
from collab.timetables import service as timetables
from collab.timetables.service import LessonSlot

REQUIRED_COLUMNS = ("teacher_email", "weekday", "period", "class", "subject")
__all__ = ["ImportFileError", "TimetableRow", "apply_import", "parse_timetable_csv",
           "parse_weekday"]

WEEKDAY_NAMES = {
    "monday": 0, "senin": 0,
    "tuesday": 1, "selasa": 1,
    "wednesday": 2, "rabu": 2,
    "thursday": 3, "kamis": 3,
    "friday": 4, "jumat": 4, "jum'at": 4, "jum’at": 4,
    "saturday": 5, "sabtu": 5,
    "sunday": 6, "minggu": 6, "ahad": 6,
}


@dataclass
class TimetableRow:
    line: int
    email: str
    teacher: User | None
    slot: LessonSlot | None
    cells: dict  # what the file said, for the report
    errors: list[str] = field(default_factory=list)  # codes, translated by the page

    @property
    def valid(self) -> bool:
        return not self.errors


def parse_weekday(cell: str | None) -> int | None:
    """'1'…'7', 'Senin', 'monday', "Jum'at" → 0…6 (Monday = 0); None if not a weekday."""
    cell = (cell or "").strip().lower()
    if len(cell) == 1 and cell in "1234567":
        return int(cell) - 1
    return WEEKDAY_NAMES.get(cell)


def parse_timetable_csv(school: School, text: str) -> list[TimetableRow]:
    """Check every row of a timetable CSV against the school's teachers and periods; raise
    ImportFileError if the file itself is unusable."""
    records = read_csv(text, REQUIRED_COLUMNS, MAX_ROWS)
    teachers = _teachers_by_email(school.id)
    periods = timetables.periods_by_weekday(school.id)
    seen: set[tuple[str, int, int]] = set()
    rows = []
    for line, record in records:
        row = _check_row(line, record, teachers, periods)
        if row.slot is not None and row.email:
            key = (row.email, row.slot.weekday, row.slot.period)
            if key in seen:
                row.errors.append("slot_duplicate")
            seen.add(key)
        rows.append(row)
    return rows


def _teachers_by_email(school_id: int) -> dict[str, User]:
    return {user.email: user for user in db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.school_id == school_id))}


def _cell(record: dict, name: str) -> str:
    value = record.get(name)
    return value if isinstance(value, str) else ""


def _check_row(line: int, record: dict, teachers: dict[str, User], periods) -> TimetableRow:
    cells = {name: _cell(record, name).strip()
             for name in ("teacher_email", "weekday", "period", "class", "subject", "room")}
    email = normalise_email(cells["teacher_email"])
    errors = []
    teacher = teachers.get(email)
    if not email:
        errors.append("email_missing")
    elif teacher is None:
        errors.append("teacher_unknown")
    weekday = parse_weekday(cells["weekday"])
    if weekday is None:
        errors.append("weekday_invalid")
    period_cell = cells["period"]
    ascii_number = period_cell.isascii() and period_cell.isdecimal() and len(period_cell) <= 2
    period = int(period_cell) if ascii_number else None
    if period is None:
        errors.append("period_invalid")
    slot = None
    if weekday is not None and period is not None:
        slot = timetables.clean_slot(LessonSlot(weekday, period, cells["class"],
                                                cells["subject"], cells["room"]))
        errors.extend(timetables.check_slot(slot, periods))
    else:
        errors.extend(_text_errors(cells))
    return TimetableRow(line=line, email=email, teacher=teacher, slot=slot, cells=cells,
                        errors=errors)


def _text_errors(cells: dict) -> list[str]:
    # The text checks of check_slot, for a row whose weekday or period is already wrong.
    probe = timetables.clean_slot(LessonSlot(0, 0, cells["class"], cells["subject"],
                                             cells["room"]))
    return [e for e in timetables.check_slot(probe, {}) if e != "period_unknown"]


def apply_import(rows: list[TimetableRow]) -> dict[User, int]:
    """Replace the timetable of every teacher with a valid row by their valid rows; returns
    {teacher: number of lessons}. Flushes; the caller commits."""
    by_teacher: dict[int, list[LessonSlot]] = defaultdict(list)
    teachers: dict[int, User] = {}
    for row in rows:
        if row.valid:
            by_teacher[row.teacher.id].append(row.slot)
            teachers[row.teacher.id] = row.teacher
    for teacher_id, slots in by_teacher.items():
        timetables.save_timetable(teachers[teacher_id], slots)
    return {teachers[tid]: len(slots) for tid, slots in by_teacher.items()}
