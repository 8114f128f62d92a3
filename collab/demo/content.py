"""The demo's content, read from the data files in `collab/demo/data/` and checked.

`load()` reads every file once (`load(folder)` reads another folder, for tests) and gives back
a `DemoContent`: plain dicts and lists as in the files, with dates and times converted and the
defaults of optional keys filled in. A missing, malformed or inconsistent file raises
`DemoDataError` with a message that names the file. The files are described in
`collab/demo/data/README.md`; their shapes are below, in the notation of `datafiles`.
"""

import functools
from dataclasses import dataclass
from pathlib import Path

from collab.core.rendering import headings
from collab.demo.datafiles import (
    DATE,
    HANDLE,
    TIME,
    Checker,
    Default,
    DemoDataError,
    OneOf,
    read_json,
    read_text,
)
from collab.mentoring.service import FOCUS_AREAS

DATA_DIR = Path(__file__).with_name("data")
OBSERVATION_STATES = ("requested", "scheduled", "completed", "debriefed", "declined",
                      "cancelled")

PERSON = {"email": str, "name": str, "subjects": [str], "grades": [str], "years_teaching": int}
SCHOOL = {"name": str, "timezone": str, "principal": PERSON, "teachers": [PERSON],
          "teams": {str: [str]}}
SCHOOLS = {"password": str, "domain": str, "schools": {"smp": SCHOOL, "sd": SCHOOL},
           "logins": [str]}

COMMENT = {"author": HANDLE, "section?": Default(str, ""), "body": str,
           "replies?": Default([{"author": HANDLE, "body": str}], []),
           "resolved_by?": Default(HANDLE, None)}
PLAN = {
    "id": str, "owner": HANDLE, "title": str, "subject": str, "grade": str, "topic": str,
    "minutes": int, "template": str, "visibility": OneOf("private", "team", "school"),
    "tags": [str], "team?": Default(str, None), "research?": Default(bool, False),
    "coauthors?": Default([HANDLE], []), "days_ago": int, "draft_until": str,
    "later?": Default({"author": HANDLE, "message": str, "anchor": str, "added": str}, None),
    "comments?": Default([COMMENT], []),
}
PLANS = {
    "messages": {"first_draft": str, "completed": str},
    "plans": [PLAN],
    "adaptation": {"of": str, "owner": HANDLE, "title": str, "minutes": int, "add_tag": str,
                   "visibility": OneOf("private", "team", "school"), "team": str,
                   "message": str, "days_ago": int, "changes": [{"old": str, "new": str}]},
    "school_template": {"name": str, "author": HANDLE, "body": str},
}

SPAN = {"name": str, "first": DATE, "last": DATE}
PERIODS = {"starts": TIME, "minutes": int, "break_minutes": int,
           "days": [{"weekdays": [int], "count": int, "break_after": int}]}
TIMETABLES = {
    "terms": [SPAN], "holidays": [SPAN],
    "periods": {"smp": PERIODS, "sd": PERIODS},
    "rooms": {str: str}, "classroom_prefix": str,
    "smp": {"classes": [str], "hours": {str: int}},
    "sd": {"lessons": {str: [{"class": str, "subject": str, "hours": int}]}},
}

NOTE = {"client_id": str, "kind?": str, "text": str, "tag?": str, "at_seconds": int,
        "seat?": str}
OBSERVATIONS = {
    "observer": HANDLE, "today_focus": str,
    "observations": [{"state": OneOf(*OBSERVATION_STATES), "teacher": HANDLE,
                      "observers": [HANDLE], "from_day": int, "focus": str,
                      "plan?": str, "revision?": {"message": str, "added": str}}],
    "notes": {str: [NOTE]}, "default_notes": str, "reflection": str,
    "action_steps": [{"text": str, "due_in_days": int}],
    "decline_notes": {str: str},
}

MESSAGE = {"author": HANDLE, "body": str}
ROOMS = {
    "team_room": {
        "team": str, "facilitator": HANDLE, "messages_hours_ago": int, "messages": [MESSAGE],
        "board": [{"author": HANDLE, "column": str, "text": str}],
        "protocol": {"key": str, "floor_to": HANDLE, "phase": int, "hours_ago": int,
                     "minutes": int},
    },
    "debrief_room": {"messages_hours_ago": int, "messages": [MESSAGE], "evidence_cards": int,
                     "interpretation": str, "question": str},
}

RATING = {"levels": [int], "glow": str, "grow": str, "days_ago?": Default(int, 0)}
ASSESSMENTS = {
    "principal": HANDLE,
    "library": [str],
    "school_rubric": {
        "title": str, "description": str, "target": str,
        "levels": [{"score": int, "label": str}],
        "criteria": [{"title": str, "weight": int, "descriptors": [str]}],
    },
    "lesson_feedback": {"rubric": str, "teacher": HANDLE, "due_in_days": int, "message": str,
                        "peers": [{"assessor": HANDLE, **RATING}], "self": RATING},
    "plan_growth": {"rubric": str, "teacher": HANDLE, "assessors": [HANDLE],
                    "due_in_days": int, "glow": str, "grow": str,
                    "rounds": [{"weeks_ago": int, "levels": [int]}]},
    "novice_request": {"rubric": str, "teacher": HANDLE, "assessors": [HANDLE],
                       "due_in_days": int, "message": str,
                       "answers": [{"assessor": HANDLE, "submitted": bool, **RATING}]},
    "calibration": {"rubric": str, "title": str, "raters": [HANDLE], "days_ago": int,
                    "levels": {str: [int]}},
}


FOCUS = OneOf(*FOCUS_AREAS)
MENTORING = {
    "offers": [{"mentor": HANDLE, "capacity": int, "focus": [FOCUS], "note": str}],
    "wishes": {str: [FOCUS]},
    "pairs": [{"novice": HANDLE, "mentor": HANDLE, "days_ago": int, "message": str,
               "answer": str,
               "goals": [{"text": str, "success": str, "due_in_days": int, "done": bool}],
               "checkins": [{"days_ago": int, "author": HANDLE, "talked": str,
                             "next_step": str}],
               "thanks": [str]}],
}


@dataclass(frozen=True)
class DemoContent:
    """Everything the demo writes, file by file."""

    folder: Path
    password: str
    domain: str
    schools: dict  # "smp" and "sd": name, timezone, principal, teachers, teams
    logins: str  # printed after seeding
    plans: dict  # each plan with its "body" read from plans/<id>.md
    timetables: dict
    observations: dict
    rooms: dict
    assessments: dict
    mentoring: dict


@functools.cache
def load(folder: Path = DATA_DIR) -> DemoContent:
    """Read and check every data file in `folder`; raises DemoDataError naming the file."""
    folder = Path(folder)
    schools = _schools(folder / "schools.json")
    handles = frozenset(person["email"].split("@")[0] for school in schools["schools"].values()
                        for person in [school["principal"], *school["teachers"]])
    teams = {name for school in schools["schools"].values() for name in school["teams"]}
    return DemoContent(
        folder=folder, password=schools["password"], domain=schools["domain"],
        schools=schools["schools"], logins=schools["logins"],
        plans=_plans(folder, handles, teams),
        timetables=_timetables(folder / "timetables.json", handles),
        observations=_observations(folder / "observations.json", handles),
        rooms=_rooms(folder / "rooms.json", handles, teams),
        assessments=_assessments(folder / "assessments.json", handles),
        mentoring=_mentoring(folder / "mentoring.json", handles))


def _schools(path: Path) -> dict:
    data = read_json(path, SCHOOLS)
    checker, seen = Checker(path), set()
    for role, school in data["schools"].items():
        people = [school["principal"], *school["teachers"]]
        for number, person in enumerate(people):
            email = person["email"]
            where = f"schools.{role}." + ("principal" if number == 0 else f"teachers[{number - 1}]")
            if not email.endswith("@" + data["domain"]) or email in seen:
                checker.fail(f"{where}.email", f"{email!r} is not a new address @{data['domain']}")
            seen.add(email)
        handles = {person["email"].split("@")[0] for person in people}
        for team, members in school["teams"].items():
            if not set(members) <= handles:
                checker.fail(f"schools.{role}.teams.{team}",
                             f"not of this school: {sorted(set(members) - handles)}")
    names = {role: school["name"] for role, school in data["schools"].items()}
    try:
        data["logins"] = "\n".join(data["logins"]).format(password=data["password"], **names)
    except (KeyError, IndexError, ValueError) as exc:
        checker.fail("logins", f"only {{password}}, {{smp}} and {{sd}} may be filled in ({exc})")
    return data


def _plans(folder: Path, handles: frozenset[str], teams: set[str]) -> dict:
    path = folder / "plans.json"
    data = read_json(path, PLANS, handles)
    checker, bodies = Checker(path), {}
    for number, plan in enumerate(data["plans"]):
        if plan["id"] in bodies:
            checker.fail(f"plans[{number}].id", f"{plan['id']!r} is used twice")
        plan["body"] = bodies[plan["id"]] = read_text(folder / "plans" / f"{plan['id']}.md")
        _check_plan(checker, f"plans[{number}]", plan, teams)
    adaptation = data["adaptation"]
    if adaptation["of"] not in bodies:
        checker.fail("adaptation.of", f"no plan has the id {adaptation['of']!r}")
    if adaptation["team"] not in teams:
        checker.fail("adaptation.team", f"no demo team is called {adaptation['team']!r}")
    original = next(p for p in data["plans"] if p["id"] == adaptation["of"])
    for n, change in enumerate(adaptation["changes"]):
        if change["old"] not in final_body(original):
            checker.fail(f"adaptation.changes[{n}].old", "not in the plan it adapts")
    template = data["school_template"]
    template["body"] = read_text(folder / "plans" / template["body"])
    return data


def _check_plan(checker: Checker, where: str, plan: dict, teams: set[str]) -> None:
    """What the plan refers to is there: its headings and anchor in its body, its team."""
    body_file = f"plans/{plan['id']}.md"
    if plan["draft_until"] not in plan["body"]:
        checker.fail(f"{where}.draft_until", f"not in {body_file}")
    if plan["later"] is not None and plan["later"]["anchor"] not in plan["body"]:
        checker.fail(f"{where}.later.anchor", f"not in {body_file}")
    if plan["team"] is not None and plan["team"] not in teams:
        checker.fail(f"{where}.team", f"no demo team is called {plan['team']!r}")
    titles = {title for _anchor, title in headings(final_body(plan))}
    for n, comment in enumerate(plan["comments"]):
        if comment["section"] and comment["section"] not in titles:
            checker.fail(f"{where}.comments[{n}].section", "not a heading of the plan")


def final_body(plan: dict) -> str:
    """A plan's body after its later revision, if it has one."""
    later = plan["later"]
    if later is None:
        return plan["body"]
    return plan["body"].replace(later["anchor"], later["anchor"] + later["added"], 1)


def _timetables(path: Path, handles: frozenset[str]) -> dict:
    data = read_json(path, TIMETABLES, handles)
    checker = Checker(path)
    for kind in ("terms", "holidays"):
        for number, span in enumerate(data[kind]):
            if span["last"] < span["first"]:
                checker.fail(f"{kind}[{number}].last", "before its first day")
    for role, periods in data["periods"].items():
        for number, day in enumerate(periods["days"]):
            if not all(0 <= weekday <= 6 for weekday in day["weekdays"]):
                checker.fail(f"periods.{role}.days[{number}].weekdays", "0 (Monday) to 6 only")
    unknown = set(data["sd"]["lessons"]) - handles
    if unknown:
        checker.fail("sd.lessons", f"no demo person has the handle {sorted(unknown)[0]!r}")
    return data


def _observations(path: Path, handles: frozenset[str]) -> dict:
    data = read_json(path, OBSERVATIONS, handles)
    checker = Checker(path)
    if data["default_notes"] not in data["notes"]:
        checker.fail("default_notes", "not one of the keys of notes")
    for key in ("notes", "decline_notes"):
        unknown = set(data[key]) - handles
        if unknown:
            checker.fail(key, f"no demo person has the handle {sorted(unknown)[0]!r}")
    return data


def _rooms(path: Path, handles: frozenset[str], teams: set[str]) -> dict:
    data = read_json(path, ROOMS, handles)
    if data["team_room"]["team"] not in teams:
        Checker(path).fail("team_room.team", "no demo team has that name")
    return data


def _assessments(path: Path, handles: frozenset[str]) -> dict:
    data = read_json(path, ASSESSMENTS, handles)
    checker = Checker(path)
    for part in ("lesson_feedback", "plan_growth", "novice_request", "calibration"):
        if data[part]["rubric"] not in data["library"]:
            checker.fail(f"{part}.rubric", "not one of the library rubrics listed in library")
    novice = data["novice_request"]
    for number, answer in enumerate(novice["answers"]):
        if answer["assessor"] not in novice["assessors"]:
            checker.fail(f"novice_request.answers[{number}].assessor", "not asked (assessors)")
    calibration = data["calibration"]
    expected = {data["principal"], *calibration["raters"]}
    if set(calibration["levels"]) != expected:
        checker.fail("calibration.levels",
                     f"needs the levels of exactly {', '.join(sorted(expected))}")
    return data


def _mentoring(path: Path, handles: frozenset[str]) -> dict:
    data = read_json(path, MENTORING, handles)
    checker = Checker(path)
    offered = {offer["mentor"]: offer["capacity"] for offer in data["offers"]}
    for number, offer in enumerate(data["offers"]):
        if not 1 <= offer["capacity"] <= 3:
            checker.fail(f"offers[{number}].capacity", "1 to 3")
    for handle, focus in data["wishes"].items():
        if handle not in handles:
            checker.fail(f"wishes.{handle}", "no demo person has that handle")
        if len(focus) > 3:
            checker.fail(f"wishes.{handle}", "at most 3 focus areas")
    _check_pairs(checker, data["pairs"], offered)
    return data


def _check_pairs(checker: Checker, pairs: list, offered: dict[str, int]) -> None:
    taken: dict[str, int] = {}
    for number, pair in enumerate(pairs):
        mentor = pair["mentor"]
        taken[mentor] = taken.get(mentor, 0) + 1
        if taken[mentor] > offered.get(mentor, 0):
            checker.fail(f"pairs[{number}].mentor", "has no offer with a free place (offers)")
        if len(pair["goals"]) > 3:
            checker.fail(f"pairs[{number}].goals", "at most 3 goals")
        for index, checkin in enumerate(pair["checkins"]):
            if checkin["author"] not in (pair["novice"], mentor):
                checker.fail(f"pairs[{number}].checkins[{index}].author", "not in the pair")
            if not 0 <= checkin["days_ago"] <= pair["days_ago"]:
                checker.fail(f"pairs[{number}].checkins[{index}].days_ago",
                             "from 0 to the pair's days_ago")


__all__ = ["DATA_DIR", "DemoContent", "DemoDataError", "final_body", "load"]
