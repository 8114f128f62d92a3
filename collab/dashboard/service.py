"""What the dashboard reads, for a period: the period itself (this term from the school
calendar, the last 30 days, or two dates, in the school's time zone) and the previous period
of the same length; then, in one statement each, the school's teachers with their teams and
last act with a colleague, the rollup's counts for both periods, the weekly trend, the pairs
who worked together, the mentor pairs, the observations and the shared plans.

Counts, dates and names only: no note, reflection, check-in, rating or private plan is read.
`service_figures` turns what is read here into the page's figures and flags.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased

from collab.core.models import utcnow
from collab.core.refusals import RuleError
from collab.dashboard.models import Count, LastCollaboration, PairCount
from collab.dashboard.service_rollup import ROOM, SCHOOL, month_of, week_of
from collab.extensions import db
from collab.mentoring.models import CheckIn, MentorPair
from collab.observations.models import Observation, ObservationObserver
from collab.people.models import (
    NOVICE_YEARS,
    Membership,
    Profile,
    School,
    Team,
    TeamMember,
    User,
)
from collab.plans.access import readable_by
from collab.plans.models import Plan, PlanCoauthor
from collab.timetables.models import Term

LAST_DAYS = 30
MAX_DAYS = 366
QUIET_DAYS = 30
MAX_QUIET_DAYS = 365
PLANS_SHOWN = 50


class PeriodError(RuleError):
    """Two dates that do not make a period."""

    MESSAGES = {
        "order": _l("The first date must not be after the last."),
        "long": _l("Choose at most %(max)d days.", max=MAX_DAYS),
        "missing": _l("Choose both dates."),
        "quiet": _l("Choose 1 to %(max)d days.", max=MAX_QUIET_DAYS),
    }


@dataclass(frozen=True)
class Period:
    """First and last day (inclusive) in the school's time zone; `kind` is "term", "last"
    or "dates"; `term` the term's name; `no_term` when "this term" fell back to 30 days."""

    start: date
    end: date
    kind: str
    term: str = ""
    no_term: bool = False

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def previous(self) -> "Period":
        end = self.start - timedelta(days=1)
        return Period(end - timedelta(days=self.days - 1), end, self.kind)

    def weeks(self) -> list[date]:
        """The Mondays of the weeks that touch the period."""
        first, last = week_of(self.start), week_of(self.end)
        return [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]


def school_today(school: School) -> date:
    return utcnow().astimezone(ZoneInfo(school.timezone)).date()


def last_days(today: date, days: int = LAST_DAYS) -> Period:
    return Period(today - timedelta(days=days - 1), today, "last")


def term_period(terms: list, today: date) -> Period:
    """This term so far (its first day to today), or the last 30 days between terms."""
    for term in terms:
        if term.starts_on <= today <= term.ends_on:
            return Period(term.starts_on, today, "term", term.name)
    return Period(today - timedelta(days=LAST_DAYS - 1), today, "term", no_term=True)


def dates_period(first: date | None, last: date | None) -> Period:
    """Two dates chosen on the page; PeriodError if they do not make a period."""
    if first is None or last is None:
        raise PeriodError("missing", "start")
    if first > last:
        raise PeriodError("order", "start")
    if (last - first).days + 1 > MAX_DAYS:
        raise PeriodError("long", "end")
    return Period(first, last, "dates")


# ---------------------------------------------------------------- reading


@dataclass
class Teacher:
    id: int
    name: str
    email: str
    role: str
    years: int | None
    teams: list = field(default_factory=list)  # [(team_id, name)]
    last_together: date | None = None

    @property
    def is_novice(self) -> bool:
        return self.years is not None and self.years < NOVICE_YEARS


def terms(school_id: int) -> list:
    return list(db.session.scalars(select(Term).where(Term.school_id == school_id)
                                   .order_by(Term.starts_on)))


def members(school_id: int) -> dict[int, Teacher]:
    """Every member of the school (principals too), by name, with teams and the last day
    of an act with a colleague. One statement."""
    rows = db.session.execute(
        select(User.id, User.name, User.email, Membership.role, Profile.years_teaching,
               Team.id, Team.name, LastCollaboration.day)
        .join(Membership, Membership.user_id == User.id)
        .outerjoin(Profile, Profile.user_id == User.id)
        .outerjoin(TeamMember, TeamMember.user_id == User.id)
        .outerjoin(Team, Team.id == TeamMember.team_id)
        .outerjoin(LastCollaboration, and_(LastCollaboration.user_id == User.id,
                                           LastCollaboration.school_id == school_id))
        .where(Membership.school_id == school_id)
        .order_by(func.lower(User.name), User.id, func.lower(Team.name)))
    found: dict[int, Teacher] = {}
    for user_id, name, email, role, years, team_id, team, last in rows:
        person = found.get(user_id)
        if person is None:
            person = found[user_id] = Teacher(user_id, name, email, role, years,
                                              last_together=last)
        if team_id is not None:
            person.teams.append((team_id, team))
    return found


def _weeks_and_days(first: date, last: date) -> list[tuple[str, date, date]]:
    """Rows that add up to exactly first..last: its whole weeks ("w"), and the days ("d")
    of the weeks it cuts."""
    start = week_of(first)
    if start < first:
        start += timedelta(weeks=1)
    end = week_of(last)
    if end + timedelta(days=6) > last:
        end -= timedelta(weeks=1)
    if start > end:
        return [("d", first, last)]
    found = [("w", start, end)]
    if first < start:
        found.append(("d", first, start - timedelta(days=1)))
    if end + timedelta(days=6) < last:
        found.append(("d", end + timedelta(days=7), last))
    return found


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def ranges(first: date, last: date) -> list[tuple[str, date, date]]:
    """The rollup rows that add up to exactly first..last (inclusive): its whole months
    ("m", by their first day), then the whole weeks and the days of what is left on
    either side. A term of five months is read from about a dozen spans."""
    start = first if first.day == 1 else _next_month(first)
    after = _next_month(last)
    end = after if last == after - timedelta(days=1) else month_of(last)  # after the months
    if start >= end:
        return _weeks_and_days(first, last)
    found = [("m", start, end - timedelta(days=1))]
    if first < start:
        found += _weeks_and_days(first, start - timedelta(days=1))
    if end <= last:
        found += _weeks_and_days(end, last)
    return found


@dataclass
class Counts:
    """The rollup's sums for the period: {subject: {kind: n}} (teachers, rooms, and
    SCHOOL for the whole school); for the previous period the whole school's sums and the
    rooms only (what the page compares)."""

    now: dict = field(default_factory=dict)
    before: dict = field(default_factory=dict)

    def of(self, subject_id: int, kind: str, previous: bool = False) -> int:
        return (self.before if previous else self.now).get(subject_id, {}).get(kind, 0)

    def total(self, kind: str, previous: bool = False) -> int:
        return self.of(SCHOOL, kind, previous)

    def rooms(self, previous: bool = False) -> int:
        table = self.before if previous else self.now
        return sum(1 for kinds in table.values() if kinds.get(ROOM))


def _span_parts(columns, period: Period, *where):
    """One range scan of the primary key per span (an OR of ranges would scan the
    school)."""
    span, start = columns
    return [(span == kind, start.between(first, last), *where)
            for kind, first, last in ranges(period.start, period.end)]


def counts(school_id: int, period: Period, subject_id: int | None = None) -> Counts:
    """Sums per teacher (and room, and the whole school) and kind for the period; for the
    previous one, the whole school's and the rooms' (none for one teacher). One
    statement."""
    parts = []
    mine = () if subject_id is None else (Count.subject_id == subject_id,)
    for where in _span_parts((Count.span, Count.start), period, *mine):
        parts.append(select(Count.subject_id, Count.kind, Count.count, literal(1).label("now"))
                     .where(Count.school_id == school_id, *where))
    if subject_id is None:
        school_and_rooms = or_(Count.subject_id == SCHOOL, Count.kind == ROOM)
        for where in _span_parts((Count.span, Count.start), period.previous,
                                 school_and_rooms):
            parts.append(select(Count.subject_id, Count.kind, Count.count, literal(0).label("now"))
                         .where(Count.school_id == school_id, *where))
    rows = union_all(*parts).subquery()
    now = rows.c.now == 1
    query = (select(rows.c.subject_id, rows.c.kind,
                    func.sum(case((now, rows.c.count), else_=0)),
                    func.sum(case((now, 0), else_=rows.c.count)))
             .group_by(rows.c.subject_id, rows.c.kind))
    found = Counts()
    for subject, kind, this, before in db.session.execute(query):
        if this:
            found.now.setdefault(subject, {})[kind] = int(this)
        if before:
            found.before.setdefault(subject, {})[kind] = int(before)
    return found


def weekly(school_id: int, period: Period, subject_id: int | None = None) -> dict:
    """{(Monday, kind): n} over the weeks that touch the period, rooms apart: the whole
    school's week rows, or one teacher's."""
    query = (select(Count.start, Count.kind, Count.count)
             .where(Count.school_id == school_id, Count.span == "w", Count.kind != ROOM,
                    Count.start.between(week_of(period.start), week_of(period.end)),
                    Count.subject_id == (SCHOOL if subject_id is None else subject_id)))
    return {(week, kind): int(n) for week, kind, n in db.session.execute(query)}


def pairs(school_id: int, period: Period, user_id: int | None = None) -> dict:
    """{(first, second): {kind: n}} for the pairs who worked together in the period."""
    mine = () if user_id is None else (
        or_(PairCount.first_id == user_id, PairCount.second_id == user_id),)
    parts = [select(PairCount.first_id, PairCount.second_id, PairCount.kind, PairCount.count)
             .where(PairCount.school_id == school_id, *where)
             for where in _span_parts((PairCount.span, PairCount.day), period,
                                      *mine)]
    rows = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
    query = (select(rows.c.first_id, rows.c.second_id, rows.c.kind, func.sum(rows.c.count))
             .group_by(rows.c.first_id, rows.c.second_id, rows.c.kind))
    found: dict = {}
    for first, second, kind, n in db.session.execute(query):
        found.setdefault((first, second), {})[kind] = int(n)
    return found


@dataclass
class Mentoring:
    pair_id: int
    novice_id: int
    mentor_id: int
    started_on: date | None
    last_check_in: date | None


def mentor_pairs(school_id: int, timezone: str) -> list[Mentoring]:
    """The active pairs with the day of their last check-in (its date only)."""
    last = (select(func.max(CheckIn.held_on)).where(CheckIn.pair_id == MentorPair.id)
            .correlate(MentorPair).scalar_subquery())
    zone = ZoneInfo(timezone)
    return [Mentoring(pair_id, novice, mentor,
                      started.astimezone(zone).date() if started else None, held)
            for pair_id, novice, mentor, started, held in db.session.execute(
                select(MentorPair.id, MentorPair.novice_id, MentorPair.mentor_id,
                       MentorPair.started_at, last)
                .where(MentorPair.school_id == school_id, MentorPair.status == "active")
                .order_by(MentorPair.id))]


@dataclass
class ObservationRow:
    id: int
    teacher_id: int
    lesson_date: date
    period: int
    class_name: str
    state: str
    completed_at: object
    observers: list = field(default_factory=list)  # user ids who accepted or submitted


def observations(school_id: int, period: Period) -> list[ObservationRow]:
    """Observations of both periods by lesson date, and any still waiting for a debrief:
    who, when and their state — never notes or reflections."""
    rows = db.session.execute(
        select(Observation.id, Observation.teacher_id, Observation.lesson_date,
               Observation.period, Observation.class_name, Observation.state,
               Observation.completed_at, ObservationObserver.user_id)
        .outerjoin(ObservationObserver, and_(
            ObservationObserver.observation_id == Observation.id,
            ObservationObserver.status == "accepted"))
        .where(Observation.school_id == school_id,
               or_(Observation.lesson_date.between(period.previous.start, period.end),
                   Observation.state == "completed"))
        .order_by(Observation.lesson_date, Observation.period, Observation.id,
                  ObservationObserver.id))
    found: dict[int, ObservationRow] = {}
    for obs_id, teacher, day, number, class_name, state, completed, observer in rows:
        row = found.get(obs_id)
        if row is None:
            row = found[obs_id] = ObservationRow(obs_id, teacher, day, number, class_name,
                                                 state, completed)
        if observer is not None:
            row.observers.append(observer)
    return list(found.values())


@dataclass
class PlanRow:
    id: int
    title: str
    owner_id: int
    visibility: str
    revisions: int
    updated_at: object
    readable: bool
    coauthors: list = field(default_factory=list)

    @property
    def authors(self) -> list[int]:
        return [self.owner_id, *self.coauthors]


def shared_plans(school_id: int, principal_id: int, period: Period, timezone: str
                 ) -> list[PlanRow]:
    """The school's plans shared beyond their authors (team or school) and changed in the
    period, newest first; `readable` says whether the principal may open one (the same rule
    as the plans pages). A private plan is never read."""
    zone = ZoneInfo(timezone)
    first = datetime.combine(period.start, time(0), zone).astimezone(UTC)
    after = datetime.combine(period.end + timedelta(days=1), time(0), zone).astimezone(UTC)
    coauthor = aliased(PlanCoauthor)  # readable_by's own subqueries use PlanCoauthor
    rows = db.session.execute(
        select(Plan.id, Plan.title, Plan.owner_id, Plan.visibility, Plan.revision_number,
               Plan.updated_at, case((readable_by(principal_id, school_id), 1), else_=0),
               coauthor.user_id)
        .outerjoin(coauthor, coauthor.plan_id == Plan.id)
        .where(Plan.school_id == school_id, Plan.visibility.in_(("team", "school")),
               Plan.updated_at >= first, Plan.updated_at < after)
        .order_by(Plan.updated_at.desc(), Plan.id.desc(), coauthor.user_id))
    found: dict[int, PlanRow] = {}
    for plan_id, title, owner, visibility, revisions, updated, readable, author in rows:
        row = found.get(plan_id)
        if row is None:
            row = found[plan_id] = PlanRow(plan_id, title, owner, visibility, revisions,
                                           updated, bool(readable))
        if author is not None:
            row.coauthors.append(author)
    return list(found.values())
