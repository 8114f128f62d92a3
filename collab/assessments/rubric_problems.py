"""The rubric checker's problems in the user's language: what is wrong (by the problem's code)
and where ("criteria[2].descriptors" reads "Criterion 3, descriptors")."""

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from collab.assessments.library import Problem

_MESSAGES = {
    "required": _l("This is required."),
    "not_text": _l("This must be text."),
    "too_long": _l("This is too long: at most %(limit)s characters, found %(length)s."),
    "not_number": _l("This must be a number."),
    "not_ascending": _l("Each score must be greater than the one before it (%(previous)s)."),
    "too_few": _l("At least %(minimum)s needed, found %(found)s."),
    "wrong_count": _l("One descriptor per level is needed: %(expected)s, found %(found)s."),
    "not_positive": _l("This must be greater than 0."),
    "not_object": _l("This must be a JSON object with the rubric's fields."),
    "not_list": _l("This must be a list."),
    "unknown_target": _l("Choose a lesson plan, an observed lesson or a reflection."),
    "not_json": _l("The file is not JSON, or its JSON is broken."),
    "not_csv": _l("The file is empty or is not CSV text in UTF-8."),
    "cell_long": _l("A cell of the file is far too long (over 131,072 characters). Check that "
                    "it is the right file."),
    "bad_header": _l("The first row must start with the columns %(expected)s."),
}

_FIELDS = {
    "title": _l("title"), "description": _l("description"), "target": _l("what it assesses"),
    "score": _l("score"), "label": _l("label"), "group": _l("group"), "weight": _l("weight"),
    "descriptors": _l("descriptors"),
}

_PART = re.compile(r"(levels|criteria|descriptors)\[(\d+)\]|(\w+)")
_CSV_PLACE = re.compile(r"row (\d+)(?:, column (\d+))?")


def message(problem: Problem) -> str:
    """What is wrong, in the user's language."""
    text = _MESSAGES.get(problem.code)
    if text is None:
        return problem.code
    values = {name: ", ".join(map(str, value)) if isinstance(value, list | tuple) else value
              for name, value in problem.detail.items()}
    try:
        return str(text) % values if "%(" in str(text) else str(text)
    except (KeyError, TypeError, ValueError):
        return str(text).split("%(")[0].rstrip(" :(")


def place(where: str) -> str:
    """Where it is, in words: "" is the whole rubric, "levels[0].score" the first level's
    score, "row 3, column 4" a cell of a CSV file."""
    if not where:
        return _("The rubric")
    csv_place = _CSV_PLACE.fullmatch(where)
    if csv_place:
        row, column = csv_place.groups()
        if column:
            return _("Row %(row)s, column %(column)s", row=row, column=column)
        return _("Row %(row)s", row=row)
    words = []
    for match in _PART.finditer(where):
        words.append(_part(match))
    text = ", ".join(w for w in words if w)
    return text[:1].upper() + text[1:]


def _part(match: re.Match) -> str:
    kind, index, name = match.groups()
    if kind == "levels":
        return _("level %(number)d", number=int(index) + 1)
    if kind == "criteria":
        return _("criterion %(number)d", number=int(index) + 1)
    if kind == "descriptors":
        return _("descriptor for level %(number)d", number=int(index) + 1)
    if name in ("levels", "criteria"):
        return _("levels") if name == "levels" else _("criteria")
    return str(_FIELDS.get(name, name))


def by_place(problems: list[Problem]) -> dict[str, list[str]]:
    """The messages of the problems, grouped by their place (for the fields they belong
    to)."""
    found: dict[str, list[str]] = {}
    for problem in problems:
        found.setdefault(problem.place, []).append(message(problem))
    return found


def listed(problems: list[Problem]) -> list[tuple[str, str]]:
    """(where, what) for each problem, in the order found."""
    return [(place(p.place), message(p)) for p in problems]
