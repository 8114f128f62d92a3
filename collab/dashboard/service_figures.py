"""The dashboard's figures from what `service` reads: the school's figures beside the
previous period, one row per teacher with the flags that ask for support, the figures per
team, the network's edges, the weekly trend, the observations by week and the shared plans.

A school that keeps peer feedback anonymous shows peer feedback per assessed teacher only:
no assessor's count and no edge between assessor and assessed (service_rollup keeps the two
apart). `dashboard(...)` reads everything in at most eight statements; `teacher_view(...)`
is what /dashboard/me shows of one teacher, the same row the principal sees.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from collab.dashboard import service
from collab.dashboard import service_rollup as r

DEBRIEF_DAYS = 7
CHECK_IN_DAYS = 14

# The teachers table and the CSV: (key, heading); a key is a rollup kind or a figure below.
COLUMNS = (
    ("plans_shared", _l("Plans shared")),
    (r.PLAN_COWRITTEN, _l("Saves of plans written together")),
    (r.COMMENT_GIVEN, _l("Comments on colleagues' plans")),
    (r.OBSERVATION_REQUESTED, _l("Observations asked for")),
    (r.OBSERVATION_GIVEN, _l("Observed a colleague")),
    (r.OBSERVATION_DEBRIEFED, _l("Debriefed")),
    ("feedback_given", _l("Feedback given")),
    (r.FEEDBACK_RECEIVED, _l("Feedback received")),
    (r.ROOM_MESSAGE, _l("Room messages")),
    (r.CHECK_IN, _l("Mentoring check-ins")),
)

# The trend charts: one per kind.
TREND_KINDS = (
    (r.PLAN_COWRITTEN, _l("Saves of plans written together")),
    (r.COMMENT_GIVEN, _l("Comments on colleagues' plans")),
    (r.OBSERVATION_GIVEN, _l("Observations given")),
    (r.OBSERVATION_DEBRIEFED, _l("Debriefs")),
    (r.FEEDBACK_RECEIVED, _l("Feedback given")),
    (r.ROOM_MESSAGE, _l("Room messages")),
    (r.CHECK_IN, _l("Mentoring check-ins")),
    (r.CYCLE_COMPLETED, _l("Lesson-study cycles completed")),
)

PAIR_LABELS = {
    "cowrite": _l("wrote a plan together"),
    "observe": _l("observed"),
    "debrief": _l("debriefed together"),
    "feedback": _l("gave feedback"),
    "mentoring": _l("mentoring"),
}

STATES = ("requested", "scheduled", "completed", "debriefed", "cancelled", "declined")
STATE_NAMES = {
    "requested": _l("asked for"),
    "scheduled": _l("scheduled"),
    "completed": _l("observed, debrief to come"),
    "debriefed": _l("debriefed"),
    "cancelled": _l("cancelled"),
    "declined": _l("declined"),
}


@dataclass
class Flag:
    code: str
    text: str


@dataclass
class Row:
    """One teacher's row: figures by COLUMNS key, mentoring, last act, flags."""

    teacher: service.Teacher
    figures: dict
    mentor_of: list = field(default_factory=list)  # Teacher
    mentored_by: list = field(default_factory=list)
    last_check_in: date | None = None
    flags: list = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.teacher.name


@dataclass
class Figure:
    key: str
    label: object
    now: int
    before: int

    @property
    def change(self) -> int:
        return self.now - self.before


@dataclass
class Edge:
    first: service.Teacher
    second: service.Teacher
    kinds: dict

    @property
    def weight(self) -> int:
        return sum(self.kinds.values())


@dataclass
class Dashboard:
    school: object
    period: service.Period
    today: date
    quiet_days: int
    figures: list
    states: list  # [(state, now, before)]
    rows: list
    teams: list  # [(name, members, {key: n}, isolated)]
    edges: list
    isolated: list
    trend: dict  # {kind: [(Monday, n)]}
    weeks: list
    observations: list  # [(Monday, [ObservationRow])]
    plans: list
    people: dict

    def names(self, ids) -> str:
        """The names of these members, in this order (someone who left is left out)."""
        return ", ".join(self.people[i].name for i in ids if i in self.people)


def _feedback_given(counts: service.Counts, user_id: int, anonymous: bool) -> int:
    named = counts.of(user_id, r.FEEDBACK_GIVEN)
    return named if anonymous else named + counts.of(user_id, r.FEEDBACK_GIVEN_PEER)


def _figures_of(user_id, counts, plans_shared, anonymous) -> dict:
    figures = {key: counts.of(user_id, key) for key, _label in COLUMNS}
    figures["plans_shared"] = plans_shared.get(user_id, 0)
    figures["feedback_given"] = _feedback_given(counts, user_id, anonymous)
    return figures


def flag_texts(quiet_days: int) -> dict:
    """The flags' words (lazy: the page makes them once in the reader's language)."""
    return {
        "quiet": _l(
            "No collaboration with a colleague in the last %(days)d days: an invitation "
            "to plan or observe together could help.", days=quiet_days),
        "no_mentor": _l("Novice without a mentor: a mentor could help."),
        "check_in": _l(
            "Mentoring pair without a check-in for %(days)d days: a short meeting "
            "could help.", days=CHECK_IN_DAYS),
        "debrief": _l(
            "Observed but not yet debriefed for %(days)d days: time for the debrief "
            "could help.", days=DEBRIEF_DAYS),
    }


def _flags(row: Row, today: date, quiet_days: int, waiting: list, pairs: list,
           texts: dict) -> list:
    """The flags of one teacher, each worded as an offer of support."""
    codes = []
    last = row.teacher.last_together
    if last is None or last <= today - timedelta(days=quiet_days):
        codes.append("quiet")
    if row.teacher.is_novice and not row.mentored_by:
        codes.append("no_mentor")
    for pair in pairs:
        since = pair.last_check_in or pair.started_on
        if since is not None and since <= today - timedelta(days=CHECK_IN_DAYS):
            codes.append("check_in")
            break
    if waiting:
        codes.append("debrief")
    return [Flag(code, texts[code]) for code in codes]


def _waiting_for_debrief(observations, today: date, timezone: str) -> dict:
    zone = ZoneInfo(timezone)
    waiting: dict = {}
    for obs in observations:
        if obs.state == "completed" and obs.completed_at is not None and \
                obs.completed_at.astimezone(zone).date() <= today - timedelta(days=DEBRIEF_DAYS):
            waiting.setdefault(obs.teacher_id, []).append(obs)
    return waiting


def rows_of(people, counts, plans, observations, mentoring, today, quiet_days, anonymous,
            timezone, only: int | None = None) -> list[Row]:
    """One row per teacher (principals apart), by name; only the teacher `only` if given."""
    plans_shared: dict = {}
    for plan in plans:
        for author in set(plan.authors):
            plans_shared[author] = plans_shared.get(author, 0) + 1
    waiting = _waiting_for_debrief(observations, today, timezone)
    texts = flag_texts(quiet_days)
    rows = []
    for person in people.values():
        if person.role != "teacher" or only not in (None, person.id):
            continue
        row = Row(person, _figures_of(person.id, counts, plans_shared, anonymous))
        own = [p for p in mentoring if person.id in (p.novice_id, p.mentor_id)]
        row.mentor_of = [people[p.novice_id] for p in own
                         if p.mentor_id == person.id and p.novice_id in people]
        row.mentored_by = [people[p.mentor_id] for p in own
                           if p.novice_id == person.id and p.mentor_id in people]
        checked = [p.last_check_in for p in own if p.last_check_in]
        row.last_check_in = max(checked) if checked else None
        row.flags = _flags(row, today, quiet_days, waiting.get(person.id, []), own, texts)
        rows.append(row)
    return rows


def school_figures(counts: service.Counts) -> list[Figure]:
    def figure(key, label, kind):
        return Figure(key, label, counts.total(kind), counts.total(kind, previous=True))

    return [
        figure("cycles", _l("Lesson-study cycles completed"), r.CYCLE_COMPLETED),
        figure("cowritten", _l("Saves of plans written together"), r.PLAN_COWRITTEN),
        figure("adapted", _l("Plans adapted from a colleague's"), r.PLAN_ADAPTED),
        figure("comments", _l("Comments on colleagues' plans"), r.COMMENT_GIVEN),
        figure("observed", _l("Observations given"), r.OBSERVATION_GIVEN),
        figure("feedback", _l("Feedback given"), r.FEEDBACK_RECEIVED),
        Figure("rooms", _l("Rooms with activity"), counts.rooms(), counts.rooms(previous=True)),
        figure("check_ins", _l("Mentoring check-ins"), r.CHECK_IN),
    ]


def observation_states(observations, period: service.Period) -> list:
    previous = period.previous
    now = {s: 0 for s in STATES}
    before = {s: 0 for s in STATES}
    for obs in observations:
        if period.start <= obs.lesson_date <= period.end:
            now[obs.state] = now.get(obs.state, 0) + 1
        elif previous.start <= obs.lesson_date <= previous.end:
            before[obs.state] = before.get(obs.state, 0) + 1
    return [(s, now[s], before[s]) for s in STATES]


def edges_of(found_pairs: dict, people: dict, anonymous: bool) -> list[Edge]:
    edges = []
    for (first, second), kinds in sorted(found_pairs.items()):
        kinds = dict(kinds)
        peer = kinds.pop("feedback_peer", 0)
        if peer and not anonymous:  # named like any other feedback
            kinds["feedback"] = kinds.get("feedback", 0) + peer
        if kinds and first in people and second in people:
            edges.append(Edge(people[first], people[second], kinds))
    return edges


def pair_rows(edges: list[Edge], labels: dict, of: int | None = None) -> list[tuple]:
    """The pairs table, most often first: (names — or the colleague's name when `of` is
    one of the two —, times, how), the words made here once rather than per cell."""
    words = {kind: str(label) for kind, label in labels.items()}
    rows = []
    for edge in sorted(edges, key=lambda e: -e.weight):
        if of is None:
            names = f"{edge.first.name} – {edge.second.name}"
        else:
            names = edge.second.name if edge.first.id == of else edge.first.name
        how = ", ".join(f"{words[kind]} {n}" for kind, n in sorted(edge.kinds.items()))
        rows.append((names, edge.weight, how))
    return rows


def team_figures(rows: list[Row], isolated_ids: set) -> list:
    teams: dict = {}
    for row in rows:
        for team_id, name in row.teacher.teams:
            entry = teams.setdefault(team_id, [name, 0, dict.fromkeys(
                (k for k, _label in COLUMNS), 0), 0])
            entry[1] += 1
            for key, n in row.figures.items():
                entry[2][key] += n
            entry[3] += row.teacher.id in isolated_ids
    return sorted((tuple(v) for v in teams.values()), key=lambda t: t[0].lower())


def trend_of(weekly: dict, period: service.Period) -> tuple[list, dict]:
    weeks = period.weeks()
    return weeks, {kind: [(week, weekly.get((week, kind), 0)) for week in weeks]
                   for kind, _label in TREND_KINDS}


def by_week(observations, period: service.Period) -> list:
    weeks: dict = {}
    for obs in observations:
        if period.start <= obs.lesson_date <= period.end:
            weeks.setdefault(r.week_of(obs.lesson_date), []).append(obs)
    return sorted(weeks.items(), key=lambda item: item[0], reverse=True)


def dashboard(school, principal_id: int, period: service.Period, today: date,
              quiet_days: int = service.QUIET_DAYS) -> Dashboard:
    """Everything the school page shows (and the CSV files and the print view write)."""
    people = service.members(school.id)
    found = service.counts(school.id, period)
    weekly = service.weekly(school.id, period)
    found_pairs = service.pairs(school.id, period)
    mentoring = service.mentor_pairs(school.id, school.timezone)
    observations = service.observations(school.id, period)
    plans = service.shared_plans(school.id, principal_id, period, school.timezone)
    anonymous = bool(school.anonymous_peer_feedback)
    rows = rows_of(people, found, plans, observations, mentoring, today, quiet_days,
                   anonymous, school.timezone)
    edges = edges_of(found_pairs, people, anonymous)
    linked = {e.first.id for e in edges} | {e.second.id for e in edges}
    isolated = [row.teacher for row in rows if row.teacher.id not in linked]
    weeks, trend = trend_of(weekly, period)
    return Dashboard(
        school=school, period=period, today=today, quiet_days=quiet_days,
        figures=school_figures(found), states=observation_states(observations, period),
        rows=rows, teams=team_figures(rows, {t.id for t in isolated}), edges=edges,
        isolated=isolated, trend=trend, weeks=weeks,
        observations=by_week(observations, period),
        plans=[p for p in plans if p.readable][:service.PLANS_SHOWN], people=people)


@dataclass
class TeacherView:
    """What the principal sees about one teacher: their row, their edges, their trend."""

    school: object
    period: service.Period
    today: date
    quiet_days: int
    row: Row
    edges: list
    trend: dict
    weeks: list


def teacher_view(school, teacher_id: int, period: service.Period, today: date,
                 quiet_days: int = service.QUIET_DAYS) -> TeacherView | None:
    """/dashboard/me (and the principal's page of one teacher): the same row, flags, edges
    and trend as the school page shows of them, and nothing of anyone else's figures."""
    people = service.members(school.id)
    if teacher_id not in people or people[teacher_id].role != "teacher":
        return None
    found = service.counts(school.id, period, subject_id=teacher_id)
    weekly = service.weekly(school.id, period, subject_id=teacher_id)
    found_pairs = service.pairs(school.id, period, user_id=teacher_id)
    mentoring = service.mentor_pairs(school.id, school.timezone)
    observations = [o for o in service.observations(school.id, period)
                    if o.teacher_id == teacher_id]
    plans = [p for p in service.shared_plans(school.id, teacher_id, period, school.timezone)
             if teacher_id in p.authors]
    anonymous = bool(school.anonymous_peer_feedback)
    row = rows_of(people, found, plans, observations, mentoring, today, quiet_days, anonymous,
                  school.timezone, only=teacher_id)[0]
    weeks, trend = trend_of(weekly, period)
    return TeacherView(school, period, today, quiet_days, row,
                       edges_of(found_pairs, people, anonymous), trend, weeks)


SORT_KEYS = ("name", "last", *(key for key, _label in COLUMNS))


def sorted_rows(rows: list[Row], key: str) -> list[Row]:
    """The teachers table sorted by a column: names A to Z, figures highest first, the
    last act with a colleague oldest (or never) first."""
    if key not in SORT_KEYS or key == "name":
        return rows
    if key == "last":
        return sorted(rows, key=lambda row: (row.teacher.last_together is not None,
                                             row.teacher.last_together or date.min))
    return sorted(rows, key=lambda row: -row.figures[key])
