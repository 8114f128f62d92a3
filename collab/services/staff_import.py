"""Reading a CSV file of staff to invite: every row checked, nothing imported until confirmed.

Columns: name, email, subjects, grades, years_teaching. Several subjects or grades in one cell
are separated by semicolons ("Matematika; IPA"). The header row is required; column order is
free and extra columns are ignored.
"""

import csv
import io
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from collab.extensions import db
from collab.models import User
from collab.services.accounts import normalise_email
from collab.services.schools import StaffDetails

REQUIRED_COLUMNS = ("name", "email")
MAX_ROWS = 500
MAX_YEARS = 60


@dataclass
class ImportRow:
    line: int
    details: StaffDetails | None
    errors: list[str] = field(default_factory=list)  # codes, translated by the page

    @property
    def valid(self) -> bool:
        return not self.errors


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not CSV, no header, too many rows)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def split_list(cell: str | None) -> list[str]:
    """'Matematika; IPA' -> ['Matematika', 'IPA'] (commas accepted too, empties dropped)."""
    parts = (cell or "").replace(",", ";").split(";")
    return [p.strip() for p in parts if p.strip()]


def parse_staff_csv(text: str) -> list[ImportRow]:
    """Check every row of a staff CSV; raise ImportFileError if the file itself is unusable."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ImportFileError("empty")
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if not all(col in header for col in REQUIRED_COLUMNS):
        raise ImportFileError("header")
    reader.fieldnames = header
    rows = []
    seen: set[str] = set()
    for record in reader:
        if len(rows) >= MAX_ROWS:
            raise ImportFileError("too_many")
        if not any((v or "").strip() for v in record.values() if isinstance(v, str)):
            continue
        # The reader's line number, not a count of records: blank lines are skipped by the
        # reader, and the preview must name the row the principal sees in the file.
        rows.append(_check_row(reader.line_num, record, seen))
    if not rows:
        raise ImportFileError("empty")
    _mark_existing_accounts(rows)
    return rows


def _check_row(number: int, record: dict, seen: set[str]) -> ImportRow:
    errors = []
    name = (record.get("name") or "").strip()
    if not name:
        errors.append("name_missing")
    elif len(name) > 120:
        errors.append("name_long")
    email = normalise_email(record.get("email") or "")
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        errors.append("email_invalid")
    if email and email in seen:
        errors.append("email_duplicate")
    seen.add(email)
    years = _parse_years(record.get("years_teaching"), errors)
    details = StaffDetails(
        name=name,
        email=email,
        subjects=split_list(record.get("subjects")),
        grades=split_list(record.get("grades")),
        years_teaching=years,
    )
    return ImportRow(line=number, details=details, errors=errors)


def _parse_years(cell: str | None, errors: list[str]) -> int | None:
    cell = (cell or "").strip()
    if not cell:
        return None
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    if not cell.isdecimal() or int(cell) > MAX_YEARS:
        errors.append("years_invalid")
        return None
    return int(cell)


def _mark_existing_accounts(rows: list[ImportRow]) -> None:
    emails = [r.details.email for r in rows if r.details and r.details.email]
    taken = set(db.session.scalars(select(User.email).where(User.email.in_(emails))))
    for row in rows:
        if row.details.email in taken:
            row.errors.append("email_taken")
