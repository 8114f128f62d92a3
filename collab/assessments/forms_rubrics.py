"""Forms of the rubric pages: the builder's grid (read from the posted fields, changed by the
button that was pressed), the import upload and the school's assessment settings.

The builder keeps the grid as it was typed — every score and weight a string — so a page
that comes back with an error shows exactly what the user wrote. `Grid.rubric()` turns it
into the export format of docs/rubrics.md (numbers as numbers) for the service; the service
checks the rest.
"""

import copy
import math
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField
from wtforms.fields.choices import SelectChoice

from collab.core.numbers import whole_number

MAX_LEVELS = 10
MAX_CRITERIA = 40
SCORE_LIMIT = 1000  # a score from -1000 to 1000
WEIGHT_LIMIT = 100

TARGET_CHOICES = [
    SelectChoice("plan", _l("A lesson plan")),
    SelectChoice("observation", _l("An observed lesson")),
    SelectChoice("reflection", _l("A reflection")),
]

_LEVEL_FIELD = re.compile(r"levels-(\d{1,6})-(?:score|label)")
_CRITERION_FIELD = re.compile(r"criteria-(\d{1,6})-(?:title|description|group|weight)")


class BuilderForm(FlaskForm):
    """The builder's form: its CSRF token and the draft it was based on; the grid's fields
    are read by `Grid.from_form`."""

    base = HiddenField()


class ImportForm(FlaskForm):
    file = FileField(_l("Rubric file (JSON or CSV)"))


class AssessmentSettingsForm(FlaskForm):
    anonymous_peer_feedback = BooleanField(
        _l("Anonymous peer feedback"),
        description=_l("Assessed teachers see what colleagues wrote, not who wrote it."))
    pkg_conversion = BooleanField(
        _l("Show the PKG conversion"),
        description=_l("Results on the PKG competencies rubric also show the score out of "
                       "100 and its band."))


@dataclass
class Grid:
    """A rubric as typed in the builder, and what is wrong with it so far (messages by
    place, as `criteria[2].weight`)."""

    typed: dict
    errors: dict[str, list[str]] = field(default_factory=dict)

    # -- reading -----------------------------------------------------------------------

    @classmethod
    def from_data(cls, data: dict) -> "Grid":
        """The grid of a saved version (the export format)."""
        typed = {
            "title": data.get("title") or "",
            "description": data.get("description") or "",
            "target": data.get("target") or "observation",
            "levels": [{"score": _show_number(level.get("score")),
                        "label": level.get("label") or ""} for level in data["levels"]],
            "criteria": [{"title": c.get("title") or "", "description": c.get("description") or "",
                          "group": c.get("group") or "", "weight": _show_number(c.get("weight")),
                          "descriptors": list(c.get("descriptors") or [])}
                         for c in data["criteria"]],
        }
        return cls(typed)

    @classmethod
    def from_form(cls, form) -> "Grid":
        """The grid in the posted fields. Rows come in the order of their numbers; more
        levels or criteria than allowed are left out, with a message."""
        grid = cls({"title": form.get("title", ""), "description": form.get("description", ""),
                    "target": form.get("target", ""), "levels": [], "criteria": []})
        level_ids = _indices(_LEVEL_FIELD, form)
        if len(level_ids) > MAX_LEVELS:
            grid.add_error("levels", _l("A rubric can have at most %(max)d levels.",
                                        max=MAX_LEVELS))
            level_ids = level_ids[:MAX_LEVELS]
        criterion_ids = _indices(_CRITERION_FIELD, form)
        if len(criterion_ids) > MAX_CRITERIA:
            grid.add_error("criteria", _l("A rubric can have at most %(max)d criteria.",
                                          max=MAX_CRITERIA))
            criterion_ids = criterion_ids[:MAX_CRITERIA]
        grid.typed["levels"] = [{"score": form.get(f"levels-{n}-score", ""),
                                 "label": form.get(f"levels-{n}-label", "")} for n in level_ids]
        grid.typed["criteria"] = [{
            "title": form.get(f"criteria-{n}-title", ""),
            "description": form.get(f"criteria-{n}-description", ""),
            "group": form.get(f"criteria-{n}-group", ""),
            "weight": form.get(f"criteria-{n}-weight", ""),
            "descriptors": [form.get(f"criteria-{n}-descriptors-{m}", "") for m in level_ids],
        } for n in criterion_ids]
        return grid

    def add_error(self, place: str, message) -> None:
        self.errors.setdefault(place, []).append(message)

    @property
    def is_full(self) -> bool:
        return len(self.typed["criteria"]) >= MAX_CRITERIA

    # -- the export format -------------------------------------------------------------

    def rubric(self) -> dict | None:
        """The rubric with numbers as numbers, or None (with messages in `errors`) when a
        score or a weight is not a number the builder accepts."""
        data = copy.deepcopy(self.typed)
        data["target"] = data["target"] or "observation"
        ok = True
        for n, level in enumerate(data["levels"]):
            level["score"] = _number(level["score"])
            if level["score"] is None or abs(level["score"]) > SCORE_LIMIT:
                self.add_error(f"levels[{n}].score", _l(
                    "Type a number from %(low)d to %(high)d, such as 2.",
                    low=-SCORE_LIMIT, high=SCORE_LIMIT))
                ok = False
        for n, criterion in enumerate(data["criteria"]):
            if not criterion["weight"].strip():
                criterion["weight"] = 1
                continue
            criterion["weight"] = _number(criterion["weight"])
            if criterion["weight"] is None or abs(criterion["weight"]) > WEIGHT_LIMIT:
                self.add_error(f"criteria[{n}].weight", _l(
                    "Type a number greater than 0 and at most %(max)d, such as 1.",
                    max=WEIGHT_LIMIT))
                ok = False
        return data if ok else None

    # -- the builder's buttons ---------------------------------------------------------

    def apply(self, action: str) -> str:
        """Apply a builder button ("add_level", "remove_criterion-2", …) to the grid; the
        id of the place the page should scroll to ("" for the top)."""
        name, _, argument = action.partition("-")
        position = whole_number(argument, 999)
        position = -1 if position is None else position
        if name == "add_level":
            return self._add_level()
        if name == "add_criterion":
            return self._add_criterion()
        if name in _ROW_ACTIONS:
            return _ROW_ACTIONS[name](self, position)
        return ""

    def _add_level(self) -> str:
        levels = self.typed["levels"]
        if len(levels) >= MAX_LEVELS:
            self.add_error("levels", _l("A rubric can have at most %(max)d levels.",
                                        max=MAX_LEVELS))
            return "levels"
        last = _number(levels[-1]["score"]) if levels else 0
        score = (last if last is not None and abs(last) < SCORE_LIMIT else len(levels)) + 1
        levels.append({"score": _show_number(score), "label": ""})
        for criterion in self.typed["criteria"]:
            criterion["descriptors"].append("")
        return f"level-{len(levels) - 1}"

    def _add_criterion(self) -> str:
        criteria = self.typed["criteria"]
        if self.is_full:
            self.add_error("criteria", _l("A rubric can have at most %(max)d criteria.",
                                          max=MAX_CRITERIA))
            return "criteria"
        group = criteria[-1]["group"] if criteria else ""
        criteria.append({"title": "", "description": "", "group": group, "weight": "1",
                         "descriptors": [""] * len(self.typed["levels"])})
        return f"criterion-{len(criteria) - 1}"

    def _remove_level(self, n: int) -> str:
        if 0 <= n < len(self.typed["levels"]):
            del self.typed["levels"][n]
            for criterion in self.typed["criteria"]:
                del criterion["descriptors"][n]
        return "levels"

    def _move_level(self, n: int, step: int) -> str:
        """A level moves with its label and descriptors; the scores stay where they are, so
        they still rise from left to right."""
        levels, other = self.typed["levels"], n + step
        if not (0 <= n < len(levels) and 0 <= other < len(levels)):
            return "levels"
        levels[n]["label"], levels[other]["label"] = levels[other]["label"], levels[n]["label"]
        for criterion in self.typed["criteria"]:
            texts = criterion["descriptors"]
            texts[n], texts[other] = texts[other], texts[n]
        return f"level-{other}"

    def _remove_criterion(self, n: int) -> str:
        if 0 <= n < len(self.typed["criteria"]):
            del self.typed["criteria"][n]
        return "criteria"

    def _move_criterion(self, n: int, step: int) -> str:
        criteria, other = self.typed["criteria"], n + step
        if not (0 <= n < len(criteria) and 0 <= other < len(criteria)):
            return "criteria"
        criteria[n], criteria[other] = criteria[other], criteria[n]
        return f"criterion-{other}"


_ROW_ACTIONS = {
    "remove_level": Grid._remove_level,
    "level_left": lambda grid, n: grid._move_level(n, -1),
    "level_right": lambda grid, n: grid._move_level(n, 1),
    "remove_criterion": Grid._remove_criterion,
    "criterion_up": lambda grid, n: grid._move_criterion(n, -1),
    "criterion_down": lambda grid, n: grid._move_criterion(n, 1),
}


def _indices(pattern: re.Pattern, form) -> list[int]:
    found = set()
    for key in form:
        match = pattern.fullmatch(key)
        if match:
            found.add(int(match.group(1)))
    return sorted(found)


def _number(text) -> float | None:
    """A typed number ("2", "2.5", "2,5" as Indonesians write it); None if it is not a finite
    number."""
    if isinstance(text, int | float):
        value = float(text)
    else:
        cleaned = str(text).strip().replace(",", ".")
        if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)", cleaned):
            return None
        value = float(cleaned)
    if not math.isfinite(value):
        return None
    return int(value) if value.is_integer() else value


def _show_number(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)
