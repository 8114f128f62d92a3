"""Rubrics: drafts edited in the builder, published versions that never change, new versions,
duplicates, the built-in library, and import and export as JSON and CSV.

Every way in (the builder's grid, a library rubric, a JSON or CSV file, a duplicate) goes
through one plain form of a rubric, the export format of docs/rubrics.md:

    {"title", "description", "target", "levels": [{"score", "label"}],
     "criteria": [{"title", "description", "group", "weight", "descriptors": [...]}]}

and is checked by `rubric_library.validate_rubric`, whose problems name their place
("criteria[2].descriptors") so an import lists each one where it is.
"""

import json

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from collab.assessments import library as rubric_library
from collab.assessments.library import Problem
from collab.assessments.models import (
    Assessment,
    Rubric,
    RubricCriterion,
    RubricDescriptor,
    RubricLevel,
    RubricVersion,
)
from collab.core import activity
from collab.core.csv_files import ImportFileError, decode_csv_bytes, rows_of, write_csv
from collab.core.models import utcnow
from collab.core.refusals import RuleError
from collab.extensions import db

MAX_IMPORT_BYTES = 512 * 1024
CSV_FIXED = ("criterion", "description", "group", "weight")


class RubricError(RuleError):
    """A refused rubric change."""

    # The builder's pages find a published version before the service is asked; this is
    # what the error page says if one is published meanwhile.
    MESSAGES = {
        "published": _l("This rubric is published. Press Edit to start its next version."),
    }


class InvalidRubric(RubricError):
    """The rubric's content breaks rules; `problems` says where and what."""

    def __init__(self, problems: list[Problem]):
        super().__init__("invalid")
        self.problems = problems


# -- the plain form --------------------------------------------------------------------------

def version_data(version: RubricVersion) -> dict:
    """A version in the export format."""
    texts = {(d.criterion_id, d.level_id): d.text
             for c in version.criteria for d in c.descriptors}
    return {
        "title": version.title,
        "description": version.description,
        "target": version.target,
        "levels": [{"score": _number(level.score), "label": level.label}
                   for level in version.levels],
        "criteria": [{
            "title": c.title, "description": c.description, "group": c.group,
            "weight": _number(c.weight),
            "descriptors": [texts.get((c.id, level.id), "") for level in version.levels],
        } for c in version.criteria],
    }


def _number(value: float):
    """1.0 is written 1 (JSON and CSV read better)."""
    return int(value) if float(value).is_integer() else value


def _text(value) -> str:
    """A draft may leave texts out: None reads as empty."""
    return value.strip() if isinstance(value, str) else ""


def _fill(version: RubricVersion, data: dict) -> None:
    """Replace the version's grid with `data` (checked: valid, or a draft's gaps only)."""
    version.title = _text(data.get("title"))
    version.description = _text(data.get("description"))
    version.target = data.get("target") or "observation"
    if version.id is not None:
        # Descriptors go with their criteria and levels (ON DELETE CASCADE). The old rows
        # leave the session first: SQLite may give their ids to the new ones.
        db.session.flush()
        for criterion in version.criteria:
            for descriptor in criterion.descriptors:
                db.session.expunge(descriptor)
            db.session.expunge(criterion)
        for level in version.levels:
            db.session.expunge(level)
        db.session.execute(delete(RubricCriterion).where(RubricCriterion.version_id == version.id))
        db.session.execute(delete(RubricLevel).where(RubricLevel.version_id == version.id))
        db.session.expire(version, ["levels", "criteria"])
    levels = [RubricLevel(position=n, score=float(level["score"]), label=_text(level.get("label")))
              for n, level in enumerate(data.get("levels") or [])]
    version.levels.extend(levels)
    db.session.flush()
    for n, item in enumerate(data.get("criteria") or []):
        criterion = RubricCriterion(position=n, title=_text(item.get("title")),
                                    description=_text(item.get("description")),
                                    group=_text(item.get("group")),
                                    weight=float(item.get("weight") or 1))
        version.criteria.append(criterion)
        db.session.flush()
        criterion.descriptors.extend(
            RubricDescriptor(level_id=level.id, text=_text(text))
            for level, text in zip(levels, item.get("descriptors") or [], strict=False))
    db.session.flush()


def check(data) -> dict:
    """`data` if it is a valid rubric, else InvalidRubric with every problem."""
    problems = rubric_library.validate_rubric(data)
    if problems:
        raise InvalidRubric(problems)
    return data


# -- making and changing rubrics ----------------------------------------------------------

def create(school_id: int, user, data: dict, library_key: str | None = None,
           publish_now: bool = False) -> Rubric:
    """A new rubric whose first version holds `data`: a draft (which may be unfinished, as
    in the builder) unless `publish_now`, which needs a valid rubric."""
    if publish_now:
        check(data)
    else:
        check_draft(data)
    rubric = Rubric(school_id=school_id, created_by_id=user.id, library_key=library_key)
    version = RubricVersion(number=1, title=_text(data.get("title")), created_by_id=user.id)
    rubric.versions.append(version)
    db.session.add(rubric)
    db.session.flush()
    _fill(version, data)
    if publish_now:
        version.published_at = utcnow()
    activity.record(school_id, user, "rubric.created", "rubric", rubric.id)
    return rubric


def blank(language: str = "id") -> dict:
    """A new rubric's starting grid: three levels, one criterion, nothing written yet."""
    labels = {"id": ("Belum", "Sebagian", "Sudah"), "en": ("Not yet", "Partly", "Yes")}
    return {"title": "", "description": "", "target": "observation",
            "levels": [{"score": n + 1, "label": label}
                       for n, label in enumerate(labels.get(language, labels["id"]))],
            "criteria": [{"title": "", "description": "", "group": "", "weight": 1,
                          "descriptors": ["", "", ""]}]}


def latest(rubric: Rubric) -> RubricVersion:
    return rubric.versions[-1]


def published(rubric: Rubric) -> RubricVersion | None:
    """The newest published version (what new assessments use)."""
    done = [v for v in rubric.versions if v.is_published]
    return done[-1] if done else None


def draft(rubric: Rubric) -> RubricVersion | None:
    version = latest(rubric)
    return None if version.is_published else version


def draft_to_save(rubric: Rubric) -> RubricVersion | None:
    """The draft, read afresh and held until the end of the transaction: two saves of one
    draft then run one after the other, and the second sees what the first wrote (FOR
    UPDATE on PostgreSQL; on SQLite a writing request already holds the write lock).
    None if the newest version is published."""
    version = db.session.scalar(
        select(RubricVersion).where(RubricVersion.rubric_id == rubric.id)
        .order_by(RubricVersion.number.desc()).limit(1)
        .with_for_update().execution_options(populate_existing=True))
    if version is None or version.is_published:
        return None
    return version


def save_draft(version: RubricVersion, user, data: dict) -> None:
    """Save the builder's grid into a draft. A published version is never changed."""
    if version.is_published:
        raise RubricError("published")
    check_draft(data)
    _fill(version, data)


# A draft may be unfinished: empty texts and too few rows are only refused at publishing.
DRAFT_OK = {"required", "too_few"}


def check_draft(data) -> dict:
    """`data` if it can be kept as a draft, else InvalidRubric with the problems that stop
    it. A level's score is needed even in a draft: it is stored as a number."""
    problems = [p for p in rubric_library.validate_rubric(data)
                if p.code not in DRAFT_OK or p.place.endswith(".score")]
    if problems:
        raise InvalidRubric(problems)
    return data


def publish(version: RubricVersion, user) -> None:
    """Freeze a draft: it needs a title, at least two levels and one criterion, and every
    text within limits."""
    if version.is_published:
        raise RubricError("published")
    check(version_data(version))
    version.published_at = utcnow()
    db.session.flush()
    activity.record(version.rubric.school_id, user, "rubric.published", "rubric",
                    version.rubric_id)


def start_new_version(rubric: Rubric, user) -> RubricVersion:
    """Editing a published rubric: its next version, a draft copy of the newest one (the
    draft already begun, if there is one)."""
    current = draft(rubric)
    if current is not None:
        return current
    data = version_data(latest(rubric))
    version = RubricVersion(number=latest(rubric).number + 1, title=data["title"],
                            created_by_id=user.id)
    rubric.versions.append(version)
    db.session.flush()
    _fill(version, data)
    return version


def duplicate(version: RubricVersion, user, title: str) -> Rubric:
    """A new rubric of my school, a draft copy of `version`."""
    data = {**version_data(version), "title": title}
    rubric = Rubric(school_id=user.school_id, created_by_id=user.id)
    copy = RubricVersion(number=1, title=title, created_by_id=user.id)
    rubric.versions.append(copy)
    db.session.add(rubric)
    db.session.flush()
    _fill(copy, data)
    activity.record(rubric.school_id, user, "rubric.created", "rubric", rubric.id)
    return rubric


def from_library(school_id: int, user, key: str, language: str) -> Rubric:
    """The school's own published copy of a built-in rubric (made once; later calls return
    it, restored if it was archived)."""
    if key not in rubric_library.LIBRARY:
        raise RubricError("unknown_library_rubric")
    found = db.session.scalar(select(Rubric).where(Rubric.school_id == school_id,
                                                   Rubric.library_key == key))
    if found is not None:
        restore(found, user)  # the school's copy, archived once: back, with its history
        return found
    return create(school_id, user, rubric_library.library_rubric(key, language),
                  library_key=key, publish_now=True)


def archive(rubric: Rubric, user) -> None:
    """Put a rubric away: no longer listed with the school's rubrics nor offered for new
    assessments; the assessments made with it keep it and stay readable."""
    if rubric.archived_at is None:
        rubric.archived_at = utcnow()
        db.session.flush()
        activity.record(rubric.school_id, user, "rubric.archived", "rubric", rubric.id)


def restore(rubric: Rubric, user) -> None:
    """Bring an archived rubric back among the school's rubrics."""
    if rubric.archived_at is not None:
        rubric.archived_at = None
        db.session.flush()
        activity.record(rubric.school_id, user, "rubric.restored", "rubric", rubric.id)


def is_used(version: RubricVersion) -> bool:
    return bool(db.session.scalar(select(func.count(Assessment.id)).where(
        Assessment.rubric_version_id == version.id)))


# -- import and export -------------------------------------------------------------------

def _check_size(raw: bytes) -> None:
    if len(raw) > MAX_IMPORT_BYTES:
        raise InvalidRubric([Problem("", "too_long",
                                     {"limit": MAX_IMPORT_BYTES, "length": len(raw)})])


def to_json(version: RubricVersion) -> str:
    return json.dumps(version_data(version), ensure_ascii=False, indent=2) + "\n"


def from_json(raw: bytes) -> dict:
    """The rubric in a JSON file, checked; InvalidRubric lists every problem."""
    _check_size(raw)
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # nested thousands deep
        raise InvalidRubric([Problem("", "not_json", {"error": str(exc)[:200]})]) from exc
    return check(data)


def to_csv(version: RubricVersion) -> str:
    """One row per criterion; a column per level, headed "score: label". Written by
    core.csv_files.write_csv: a cell a spreadsheet would run as a formula is escaped, and
    from_csv reads it back unchanged."""
    data = version_data(version)
    rows = [[*CSV_FIXED, *(f"{level['score']}: {level['label']}" for level in data["levels"])]]
    rows += [[c["title"], c["description"], c["group"], c["weight"], *c["descriptors"]]
             for c in data["criteria"]]
    rows += [[], ["# title", data["title"]], ["# target", data["target"]],
             ["# description", data["description"]]]
    return write_csv(rows)


def from_csv(raw: bytes) -> dict:
    """The rubric in a CSV file written like `to_csv` (comma, semicolon or tab separated),
    checked; problems name their row and column."""
    _check_size(raw)
    text = decode_csv_bytes(raw)
    if text is None or not text.strip():
        raise InvalidRubric([Problem("", "not_csv", {})])
    try:
        rows = rows_of(text)
    except ImportFileError as exc:
        raise InvalidRubric([Problem("", "cell_long", {})]) from exc
    if [h.strip().lower() for h in rows[0][:4]] != list(CSV_FIXED):
        raise InvalidRubric([Problem("row 1", "bad_header",
                                     {"expected": ", ".join(CSV_FIXED)})])
    problems: list[Problem] = []
    levels = _csv_levels(rows[0][4:], problems)
    meta = {"title": "", "target": "observation", "description": ""}
    criteria = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if row[0].startswith("# "):
            key = row[0][2:].strip().lower()
            if key in meta:
                meta[key] = row[1] if len(row) > 1 else ""
            continue
        criteria.append(_csv_criterion(row, number, len(levels), problems))
    if problems:
        raise InvalidRubric(problems)
    return check({**meta, "levels": levels, "criteria": criteria})


def _csv_levels(cells: list[str], problems: list[Problem]) -> list[dict]:
    """The levels in the header: "score: label" from the fifth column on."""
    levels = []
    for column, cell in enumerate(cells, start=5):
        score, _, label = cell.partition(":")
        try:
            levels.append({"score": float(score.strip()), "label": label.strip()})
        except ValueError:
            problems.append(Problem(f"row 1, column {column}", "not_number", {}))
    return levels


def _csv_criterion(row: list[str], number: int, levels: int,
                   problems: list[Problem]) -> dict:
    cells = row + [""] * (4 + levels - len(row))
    try:
        weight = float(cells[3]) if cells[3].strip() else 1.0
    except ValueError:
        problems.append(Problem(f"row {number}, column 4", "not_number", {}))
        weight = 1.0
    return {"title": cells[0], "description": cells[1], "group": cells[2], "weight": weight,
            "descriptors": cells[4:4 + levels]}
