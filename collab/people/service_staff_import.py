"""Reading a CSV file of staff to invite: every row checked, nothing imported until confirmed.

Columns: name, email, subjects, grades, years_teaching. Several subjects or grades in one cell
are separated by semicolons ("Matematika; IPA"). The header row is required; column order is
free and extra columns are ignored.
"""

from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from collab.core.csv_files import MAX_ROWS, ImportFileError, read_csv, split_list
from collab.extensions import db
from collab.people.models import Membership, User
from collab.people.service import StaffDetails
from collab.people.service_accounts import normalise_email

REQUIRED_COLUMNS = ("name", "email")
__all__ = ["MAX_ROWS", "ImportFileError", "ImportRow", "parse_staff_csv", "split_list"]
MAX_YEARS = 60


@dataclass
class ImportRow:
    line: int
    details: StaffDetails | None
    errors: list[str] = field(default_factory=list)  # codes, translated by the page

    @property
    def valid(self) -> bool:
        return not self.errors


def parse_staff_csv(text: str, school_id: int | None = None) -> list[ImportRow]:
    """Check every row of a staff CSV; raise ImportFileError if the file itself is unusable.
    Rows of members of the school (`school_id`) are marked; an account elsewhere is not
    told (the invitation mail tells its owner)."""
    seen: set[str] = set()
    rows = [_check_row(line, record, seen)
            for line, record in read_csv(text, REQUIRED_COLUMNS, MAX_ROWS)]
    _mark_existing_members(rows, school_id)
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


def _mark_existing_members(rows: list[ImportRow], school_id: int | None) -> None:
    if school_id is None:
        return
    emails = [r.details.email for r in rows if r.details and r.details.email]
    taken = set(db.session.scalars(
        select(User.email).join(Membership, Membership.user_id == User.id)
        .where(User.email.in_(emails), Membership.school_id == school_id)))
    for row in rows:
        if row.details.email in taken:
            row.errors.append("already_member")
