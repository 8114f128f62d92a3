"""The built-in rubric library — teacher competencies in the structure of the national teacher
performance assessment (PKG), a lesson-study observation rubric and lesson-plan quality —
in Indonesian and English, with the PKG conversion and the check of the rubric JSON format.

The rubrics are content, not code: each is a data file beside this module,
`collab/assessments/library/<key>.json`, read once at import (the files are found relative
to this file, so they come with the source tree). They are not interface strings, so both
languages live in the file side by side (as the plan templates keep theirs) rather than in
the translation catalogue. Each criterion is written once with its two languages next to
each other, so scores, weights and groups cannot drift apart between them. We wrote the
texts ourselves from general knowledge of the frameworks; they are not the ministry's
instruments.

A library file (bilingual; "notes" says why the rubric is shaped as it is, for its editors):

    {"key": "<the file's name>", "target": "observation" | "plan" | "reflection",
     "pkg": false, "notes": "...", "title": {"id": "...", "en": "..."}, "description": {...},
     "levels": [{"score": 1, "label": {"id": "...", "en": "..."}}, ...],
     "groups": {"<group key>": {"id": "...", "en": "..."}, ...},
     "criteria": [{"group": "<group key>" | null, "weight": 1,
                   "id": {"title": "...", "description": "...", "descriptors": ["...", ...]},
                   "en": {...}}, ...]}

load_library() checks each file as it reads it and refuses a broken one (LibraryDataError,
naming the file and each place): the bilingual frame, each language version against
validate_rubric(), and the two versions against each other — only their texts may differ.
A new rubric is a new file plus its key in LIBRARY_KEYS.

Export format (one language) — also the JSON import and export schema of rubrics:

    {"title": "...", "description": "...", "target": "observation" | "plan" | "reflection",
     "levels": [{"score": 1, "label": "..."}, ...],
     "criteria": [{"title": "...", "description": "...", "group": "...", "weight": 1.0,
                   "descriptors": ["...", ...]}, ...]}

- title: required text, at most 200 characters; description: optional, at most 2 000.
- target: optional (the importer chooses a default), one of TARGETS when given.
- levels: a list of at least 2, scores numbers strictly ascending, each with a label (text,
  at most 80 characters).
- criteria: a list of at least 1, in the order shown; each a title (as above), an optional
  description (as above) and group (text, at most 80; "" for no group), a weight (a positive
  number, 1 when left out) and one descriptor per level in the order of the levels (text, at
  most 1 000 characters, none empty).
- Keys not named here are ignored, so a newer export still imports.

validate_rubric() reports every problem with its place and a stable code (PROBLEM_CODES);
describe() says it in English, the app translates by code. Apart from reading its data
files once at import, everything here is pure: no Flask, no database.
"""

import copy
import json
import math
import numbers
import re
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

LANGUAGES = ("id", "en")
FALLBACK_LANGUAGE = "id"
TARGETS = ("observation", "plan", "reflection")

DATA_FOLDER = Path(__file__).resolve().parent
# The library's rubrics, one `<key>.json` each in DATA_FOLDER, in the order they are shown.
LIBRARY_KEYS = ("pkg", "lesson_study_observation", "plan_quality")


@dataclass(frozen=True)
class LibraryRubric:
    """One built-in rubric. `content` maps a language ("id", "en") to the rubric in the
    export format; use library_rubric() for a copy that is safe to change."""

    key: str
    target: str  # "observation" (an observed lesson), "plan" (a lesson plan) or "reflection"
    pkg: bool  # True only for the PKG rubric: its results may show the PKG conversion
    content: dict


class LibraryDataError(ValueError):
    """A library data file is missing or broken; the message names each file and place."""


# ---------------------------------------------------------------- loading the library files


def load_library(folder: Path | str = DATA_FOLDER,
                 keys: tuple[str, ...] = LIBRARY_KEYS) -> dict[str, LibraryRubric]:
    """The rubrics `keys` read from `<key>.json` in `folder`, in that order, each checked (see
    the module docstring). Every problem of every file is collected first, then raised as one
    LibraryDataError; a JSON file in the folder that is not in `keys` is refused too, so no
    rubric is silently left out."""
    folder = Path(folder)
    problems: list[str] = []
    library: dict[str, LibraryRubric] = {}
    for path in sorted(folder.glob("*.json")):
        if path.stem not in keys:
            problems.append(f"{path}: not a library rubric: add {path.stem!r} to LIBRARY_KEYS "
                            "or remove the file")
    for key in keys:
        path = folder / f"{key}.json"
        rubric, file_problems = _load_file(path, key)
        problems += [f"{path}: {place}: {message}" if place else f"{path}: {message}"
                     for place, message in file_problems]
        if rubric is not None:
            library[key] = rubric
    if problems:
        raise LibraryDataError("the rubric library's data is broken:\n  "
                               + "\n  ".join(problems))
    return library


def _load_file(path: Path, key: str) -> tuple[LibraryRubric | None, list[tuple[str, str]]]:
    """The rubric in one file, or None and its problems as (place, message)."""
    try:
        source = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, [("", "the file is missing")]
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return None, [("", f"not valid JSON in UTF-8: {error}")]
    problems = _frame(source, key)
    if problems:
        return None, problems
    content = {language: _language_version(source, language) for language in LANGUAGES}
    for language, version in content.items():
        problems += [(_source_place(problem.place, language, source), describe(problem))
                     for problem in validate_rubric(version)]
    problems = list(dict.fromkeys(problems))  # a shared score or weight is reported once
    problems = problems or _drift(content)
    if problems:
        return None, problems
    return LibraryRubric(key=key, target=source["target"], pkg=source["pkg"],
                         content=content), []


_FILE_KEYS = {"key", "target", "pkg", "notes", "title", "description", "levels", "groups",
              "criteria"}


def _frame(source, key: str) -> list[tuple[str, str]]:
    """The problems of the bilingual frame that must be right before the two language versions
    can be taken out of it; validate_rubric() checks those versions afterwards."""
    if not isinstance(source, dict):
        return [("", "must be a JSON object")]
    checks = (("key", source.get("key") == key, f"must be {key!r}, the file's name"),
              ("target", source.get("target") in TARGETS, "must be one of: " + ", ".join(TARGETS)),
              ("pkg", isinstance(source.get("pkg"), bool), "must be true or false"),
              ("notes", isinstance(source.get("notes", ""), str), "must be text"),
              ("groups", isinstance(source.get("groups", {}), dict), "must be a JSON object"))
    problems = _unknown_keys(source, _FILE_KEYS, "")
    problems += [(place, message) for place, right, message in checks if not right]
    problems += _bilingual(source.get("title"), "title")
    problems += _bilingual(source.get("description"), "description")
    groups = source.get("groups", {}) if isinstance(source.get("groups", {}), dict) else {}
    for name, labels in groups.items():
        problems += _bilingual(labels, f"groups.{name}")
    for index, level in enumerate(_listed(source, "levels", problems)):
        problems += _level_frame(level, f"levels[{index}]")
    for index, criterion in enumerate(_listed(source, "criteria", problems)):
        problems += _criterion_frame(criterion, f"criteria[{index}]", groups)
    return problems


def _unknown_keys(data: dict, known: set, place: str) -> list[tuple[str, str]]:
    prefix = f"{place}." if place else ""
    return [(f"{prefix}{name}", "unknown key; expected one of: " + ", ".join(sorted(known)))
            for name in data if name not in known]


def _bilingual(value, place: str) -> list[tuple[str, str]]:
    """A text given once per language: {"id": ..., "en": ...} (validate_rubric checks the
    texts themselves)."""
    if not isinstance(value, dict):
        return [(place, "must be a JSON object with the text in each of: "
                 + ", ".join(LANGUAGES))]
    return ([(f"{place}.{language}", "missing: every text is needed in both languages")
             for language in LANGUAGES if language not in value]
            + [(f"{place}.{language}", "not one of the languages " + ", ".join(LANGUAGES))
               for language in value if language not in LANGUAGES])


def _listed(source: dict, name: str, problems: list) -> list:
    value = source.get(name)
    if not isinstance(value, list):
        problems.append((name, "must be a list"))
        return []
    return value


def _level_frame(level, place: str) -> list[tuple[str, str]]:
    if not isinstance(level, dict):
        return [(place, "must be a JSON object")]
    return (_unknown_keys(level, {"score", "label"}, place)
            + _bilingual(level.get("label"), f"{place}.label"))


def _criterion_frame(criterion, place: str, groups: dict) -> list[tuple[str, str]]:
    if not isinstance(criterion, dict):
        return [(place, "must be a JSON object")]
    problems = _unknown_keys(criterion, {"group", "weight", *LANGUAGES}, place)
    group = criterion.get("group")
    if group is not None and (not isinstance(group, str) or group not in groups):
        problems.append((f"{place}.group", "must be null or one of the groups: "
                         + ", ".join(groups)))
    for language in LANGUAGES:
        texts = criterion.get(language)
        if not isinstance(texts, dict):
            problems.append((f"{place}.{language}", "missing: the criterion's texts are needed "
                             "in both languages, as a JSON object"))
        else:
            problems += _unknown_keys(texts, {"title", "description", "descriptors"},
                                      f"{place}.{language}")
    return problems


def _language_version(source: dict, language: str) -> dict:
    """One language of a bilingual source whose frame is right, in the export format."""
    groups = source.get("groups", {})
    return {
        "title": source["title"][language],
        "description": source["description"][language],
        "target": source["target"],
        "levels": [{"score": level.get("score"), "label": level["label"][language]}
                   for level in source["levels"]],
        "criteria": [
            {
                "title": criterion[language].get("title"),
                "description": criterion[language].get("description"),
                "group": groups[criterion["group"]][language] if criterion.get("group") else "",
                "weight": _as_weight(criterion.get("weight", 1)),
                "descriptors": criterion[language].get("descriptors"),
            }
            for criterion in source["criteria"]
        ],
    }


def _as_weight(weight):
    # A float like an imported weight; anything else is left for validate_rubric() to report.
    return float(weight) if _is_number(weight) else weight


_CRITERION_TEXT = re.compile(r"(criteria\[(\d+)\])\.(title|description|descriptors|group)(.*)")


def _source_place(place: str, language: str, source: dict) -> str:
    """Where a problem of one language version is in the bilingual file: texts under their
    language, shared things (scores, weights, counts) where they are."""
    if place in ("title", "description"):
        return f"{place}.{language}"
    if re.fullmatch(r"levels\[\d+\]\.label", place):
        return f"{place}.{language}"
    match = _CRITERION_TEXT.fullmatch(place)
    if match is None:
        return place
    if match[3] == "group":
        return f"groups.{source['criteria'][int(match[2])]['group']}.{language}"
    return f"{match[1]}.{language}.{match[3]}{match[4]}"


def _outline(version: dict) -> dict[str, object]:
    """All of a language version but its texts: what must be the same in every language."""
    outline: dict[str, object] = {"levels": len(version["levels"]),
                                  "criteria": len(version["criteria"]),
                                  "description": bool(version["description"])}
    for index, level in enumerate(version["levels"]):
        outline[f"levels[{index}].score"] = level["score"]
    for index, criterion in enumerate(version["criteria"]):
        place = f"criteria[{index}]"
        outline[f"{place}.weight"] = criterion["weight"]
        outline[f"{place}.descriptors"] = len(criterion["descriptors"])
        outline[f"{place}.group"] = bool(criterion["group"])
        outline[f"{place}.description"] = bool(criterion["description"])
    return outline


def _drift(content: dict[str, dict]) -> list[tuple[str, str]]:
    """Where a language version differs from the first in anything but its texts."""
    first, *others = LANGUAGES
    base = _outline(content[first])
    problems = []
    for language in others:
        outline = _outline(content[language])
        problems += [(place, f"differs between the languages: {first} {base.get(place)!r}, "
                             f"{language} {outline.get(place)!r}")
                     for place in dict.fromkeys([*base, *outline])
                     if base.get(place) != outline.get(place)]
    return problems


# ---------------------------------------------------------------- PKG conversion

PKG_MAX_TOTAL = 56  # 14 criteria × weight 1 × top score 4

# Each band starts at its stated lower edge and runs up to the next band's edge, so a score
# between two stated ranges (90.5, between "76–90" and "91–100") belongs to the lower band:
# a band is only reached by reaching its edge. Highest first.
PKG_BANDS = (("amat_baik", 91), ("baik", 76), ("cukup", 61), ("sedang", 51), ("kurang", 0))

PKG_BAND_LABELS = {
    "amat_baik": {"id": "Amat baik", "en": "Excellent"},
    "baik": {"id": "Baik", "en": "Good"},
    "cukup": {"id": "Cukup", "en": "Sufficient"},
    "sedang": {"id": "Sedang", "en": "Moderate"},
    "kurang": {"id": "Kurang", "en": "Poor"},
}


def _is_number(value) -> bool:
    # bool is an int to Python, but True is no score.
    return (isinstance(value, numbers.Real) and not isinstance(value, bool)
            and math.isfinite(value))


def pkg_conversion(total: float, max_total: float = PKG_MAX_TOTAL) -> float:
    """The PKG score out of 100: total / max_total × 100, rounded to two decimals (51 of 56 →
    91.07). A total outside 0..max_total is a ValueError (with 14 criteria scored 1–4 the real
    range is 14..56)."""
    if not _is_number(max_total) or max_total <= 0:
        raise ValueError(f"the maximum total must be a positive number, not {max_total!r}")
    if not _is_number(total) or not 0 <= total <= max_total:
        raise ValueError(f"the total must be a number from 0 to {max_total}, not {total!r}")
    return round(total * 100 / max_total, 2)


def pkg_band(score: float) -> str:
    """The PKG band key of a converted score (0–100): 91 and above "amat_baik", from 76
    "baik", from 61 "cukup", from 51 "sedang", below 51 "kurang". A score between two stated
    ranges belongs to the lower band (90.5 → "baik"). Outside 0..100 is a ValueError."""
    if not _is_number(score) or not 0 <= score <= 100:
        raise ValueError(f"a PKG score is a number from 0 to 100, not {score!r}")
    return next(band for band, lower_edge in PKG_BANDS if score >= lower_edge)


# ---------------------------------------------------------------- validating the export format

LIMITS = {"title": 200, "label": 80, "group": 80, "descriptor": 1000, "description": 2000}
MIN_LEVELS = 2
MIN_CRITERIA = 1

PROBLEM_CODES = frozenset({
    "required", "not_text", "too_long", "not_number", "not_ascending", "too_few",
    "wrong_count", "not_positive", "not_object", "not_list", "unknown_target",
})

_ENGLISH = {
    "required": "required",
    "not_text": "must be text",
    "too_long": "must be at most {limit} characters, found {length}",
    "not_number": "must be a number",
    "not_ascending": "must be greater than the score before it ({previous})",
    "too_few": "needs at least {minimum}, found {found}",
    "wrong_count": "needs {expected} descriptors, one per level, found {found}",
    "not_positive": "must be greater than 0",
    "not_object": "must be a JSON object",
    "not_list": "must be a list",
    "unknown_target": "must be one of: {allowed}",
}


class Problem(NamedTuple):
    """One thing wrong with a rubric: where (`criteria[2].descriptors`, "" for the whole
    document), a stable code from PROBLEM_CODES, and the figures the message needs."""

    place: str
    code: str
    detail: dict


def describe(problem: Problem) -> str:
    """The problem in plain English, without its place ("needs 4 descriptors, one per level,
    found 3"). The app translates by code; this is for logs, the CLI and tests."""
    values = {name: ", ".join(map(str, value)) if isinstance(value, list | tuple) else value
              for name, value in problem.detail.items()}
    return _ENGLISH.get(problem.code, problem.code).format(**values)


def validate_rubric(data) -> list[Problem]:
    """Every problem of a rubric in the export format, each with its place; [] when it is
    fine. Checks what a rubric needs to be used (see the module docstring for the rules);
    keys it does not know are left alone."""
    if not isinstance(data, dict):
        return [Problem("", "not_object", {})]
    problems = _text(data.get("title"), "title", LIMITS["title"], required=True)
    problems += _text(data.get("description"), "description", LIMITS["description"])
    if data.get("target") is not None and data["target"] not in TARGETS:
        problems.append(Problem("target", "unknown_target", {"allowed": list(TARGETS)}))
    levels, level_problems = _list(data.get("levels"), "levels", MIN_LEVELS)
    problems += level_problems
    for index, level in enumerate(levels or ()):
        problems += _level(level, f"levels[{index}]")
    problems += _ascending(levels or ())
    criteria, criterion_problems = _list(data.get("criteria"), "criteria", MIN_CRITERIA)
    problems += criterion_problems
    # Descriptors are counted against the levels only when those are a usable list: with
    # too few levels every criterion would be "wrong" too, which is noise, not news.
    level_count = len(levels) if levels is not None and not level_problems else None
    for index, criterion in enumerate(criteria or ()):
        problems += _criterion(criterion, f"criteria[{index}]", level_count)
    return problems


def _text(value, place: str, limit: int, *, required: bool = False) -> list[Problem]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return [Problem(place, "required", {})] if required else []
    if not isinstance(value, str):
        return [Problem(place, "not_text", {})]
    if len(value) > limit:
        return [Problem(place, "too_long", {"limit": limit, "length": len(value)})]
    return []


def _list(value, place: str, minimum: int) -> tuple[list | None, list[Problem]]:
    """The list (None when there is none to look into) and its own problems."""
    if value is None:
        return None, [Problem(place, "required", {})]
    if not isinstance(value, list):
        return None, [Problem(place, "not_list", {})]
    if len(value) < minimum:
        return value, [Problem(place, "too_few", {"minimum": minimum, "found": len(value)})]
    return value, []


def _level(level, place: str) -> list[Problem]:
    if not isinstance(level, dict):
        return [Problem(place, "not_object", {})]
    problems = []
    if level.get("score") is None:
        problems.append(Problem(f"{place}.score", "required", {}))
    elif not _is_number(level["score"]):
        problems.append(Problem(f"{place}.score", "not_number", {}))
    return problems + _text(level.get("label"), f"{place}.label", LIMITS["label"],
                            required=True)


def _ascending(levels: list) -> list[Problem]:
    """Each score above the last valid one before it (invalid scores are reported already)."""
    problems, previous = [], None
    for index, level in enumerate(levels):
        score = level.get("score") if isinstance(level, dict) else None
        if not _is_number(score):
            continue
        if previous is not None and score <= previous:
            problems.append(Problem(f"levels[{index}].score", "not_ascending",
                                    {"previous": previous}))
        previous = score
    return problems


def _criterion(criterion, place: str, level_count: int | None) -> list[Problem]:
    if not isinstance(criterion, dict):
        return [Problem(place, "not_object", {})]
    problems = _text(criterion.get("title"), f"{place}.title", LIMITS["title"], required=True)
    problems += _text(criterion.get("description"), f"{place}.description",
                      LIMITS["description"])
    problems += _text(criterion.get("group"), f"{place}.group", LIMITS["group"])
    problems += _weight(criterion, f"{place}.weight")
    return problems + _descriptors(criterion, f"{place}.descriptors", level_count)


def _weight(criterion: dict, place: str) -> list[Problem]:
    if "weight" not in criterion:
        return []  # 1 by default
    if not _is_number(criterion["weight"]):
        return [Problem(place, "not_number", {})]
    if criterion["weight"] <= 0:
        return [Problem(place, "not_positive", {})]
    return []


def _descriptors(criterion: dict, place: str, level_count: int | None) -> list[Problem]:
    descriptors, problems = _list(criterion.get("descriptors"), place, 0)
    if descriptors is None:
        return problems
    if level_count is not None and len(descriptors) != level_count:
        problems.append(Problem(place, "wrong_count",
                                {"expected": level_count, "found": len(descriptors)}))
    for index, descriptor in enumerate(descriptors):
        problems += _text(descriptor, f"{place}[{index}]", LIMITS["descriptor"], required=True)
    return problems


# ---------------------------------------------------------------- the library, read once

LIBRARY: dict[str, LibraryRubric] = load_library()


def library_rubric(key: str, language: str) -> dict:
    """The library rubric `key` in the export format, in `language` ("id" or "en"; any other
    language gets Indonesian). A fresh copy each time, so a caller that changes it (a teacher
    adapting the rubric, say) leaves the library as it is. An unknown key is a KeyError."""
    rubric = LIBRARY[key]
    return copy.deepcopy(rubric.content.get(language, rubric.content[FALLBACK_LANGUAGE]))
