"""Which willing mentors fit a novice, and why: one score whose parts are the reasons shown
(same subject, same grade, common free periods per week from both timetables, focus areas
matched, past collaboration, load). The same scoring fills the school-wide pairing's score
matrix.

Everything is read in a fixed number of queries for the whole school (`Pool`), whatever its
size: the willing mentors with their profiles, their open pairs, the school's periods and all
its weekly lessons, the novices with their profiles, and who has worked with whom (lessons
observed by the other, plans co-authored).
"""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import lazyload

from collab.extensions import db
from collab.mentoring.models import OPEN_STATES, MentoringProfile, MentorPair
from collab.observations.models import Observation, ObservationObserver
from collab.people.models import NOVICE_YEARS, Membership, Profile, User
from collab.plans.models import Plan, PlanCoauthor
from collab.timetables.models import Lesson
from collab.timetables.service import grade_of, periods_by_weekday

# The points of each reason; a pair's score is their sum (whole numbers, ≥ 0).
SAME_SUBJECT = 3
SAME_GRADE = 2
PER_FOCUS = 2
FREE_PERIODS_PER_POINT = 2  # one point per two common free periods a week …
MAX_FREE_POINTS = 3  # … up to three
LOAD_POINTS = 2  # a mentor without mentees; one less per mentee
PER_COLLABORATION = 1  # a lesson one observed of the other, or a plan they wrote together …
MAX_COLLABORATION_POINTS = 2  # … up to two
SHOWN_PERIODS = 6


@dataclass
class Person:
    """What the scoring knows of a teacher: subjects and grades (profile and timetable), the
    focus areas (a mentor's strengths, a novice's wishes) and the weekly periods they teach."""

    user: User
    subjects: dict = field(default_factory=dict)  # casefolded → as written
    grades: set = field(default_factory=set)
    focus: list = field(default_factory=list)
    busy: set = field(default_factory=set)  # {(weekday, period)}
    capacity: int = 0
    mentees: int = 0
    note: str = ""

    @property
    def free_places(self) -> int:
        return max(0, self.capacity - self.mentees)


@dataclass
class Match:
    """A mentor for a novice: the score and its reasons."""

    mentor: Person
    subjects: list = field(default_factory=list)
    grades: list = field(default_factory=list)
    free: list = field(default_factory=list)  # common free (weekday, period), in order
    focus: list = field(default_factory=list)
    observations: int = 0  # lessons of one the other observed (accepted), either way
    plans: int = 0  # plans one owns and the other co-authors
    timetabled: bool = True  # False when the school has no periods yet
    score: int = 0

    @property
    def possible(self) -> bool:
        return not self.timetabled or bool(self.free)

    @property
    def shown_free(self) -> list:
        return self.free[:SHOWN_PERIODS]


@dataclass
class Pool:
    """The school's willing mentors and novices, ready to score."""

    slots: list  # every (weekday, period) of the school's week
    mentors: list  # [Person], willing, by name
    novices: list  # [Person], by name
    mentors_with_room: list = field(default_factory=list)
    # {(one id, other id) with the smaller id first: [observations, plans]}
    together: dict = field(default_factory=dict)


# The rows of the pool need no related rows joined in (the user's membership and school, the
# offer's user): they are read on demand should a page ever ask.
_PLAIN = (lazyload(User.membership), lazyload(MentoringProfile.user))


def load_pool(school_id: int) -> Pool:
    """Seven queries for the whole school."""
    slots = sorted((wd, p.number) for wd, day in periods_by_weekday(school_id).items()
                   for p in day)
    taught: dict = defaultdict(lambda: {"subjects": {}, "grades": set(), "busy": set()})
    grades: dict = {}  # a class's grade, read once per class name
    for teacher_id, weekday, period, subject, class_name in db.session.execute(
            select(Lesson.teacher_id, Lesson.weekday, Lesson.period, Lesson.subject,
                   Lesson.class_name).where(Lesson.school_id == school_id)):
        mine = taught[teacher_id]
        mine["subjects"].setdefault(subject.casefold(), subject)
        if class_name not in grades:
            grades[class_name] = grade_of(class_name)
        grade = grades[class_name]
        if grade is not None:
            mine["grades"].add(grade)
        mine["busy"].add((weekday, period))
    mentees = dict(db.session.execute(
        select(MentorPair.mentor_id, func.count()).where(
            MentorPair.school_id == school_id, MentorPair.status.in_(OPEN_STATES))
        .group_by(MentorPair.mentor_id)).all())
    mentors = []
    for user, profile, offer in db.session.execute(
            select(User, Profile, MentoringProfile)
            .join(MentoringProfile, MentoringProfile.user_id == User.id)
            .join(Profile, Profile.user_id == User.id)
            # Still a teacher of the school: an offer outlives a change of role.
            .join(Membership, Membership.user_id == User.id)
            .where(MentoringProfile.school_id == school_id, MentoringProfile.willing.is_(True),
                   Membership.school_id == school_id, Membership.role == "teacher",
                   Profile.years_teaching >= NOVICE_YEARS)
            .order_by(func.lower(User.name), User.id).options(*_PLAIN)):
        person = _person(user, offer.subjects or profile.subjects, offer.grades or profile.grades,
                         offer.focus, taught.get(user.id))
        person.capacity, person.mentees, person.note = offer.capacity, mentees.get(user.id, 0), \
            offer.note
        mentors.append(person)
    novices = [
        _person(user, profile.subjects, profile.grades, offer.focus if offer else [],
                taught.get(user.id))
        for user, profile, offer in db.session.execute(
            select(User, Profile, MentoringProfile)
            .join(Membership, Membership.user_id == User.id)
            .join(Profile, Profile.user_id == User.id)
            .outerjoin(MentoringProfile, MentoringProfile.user_id == User.id)
            .where(Membership.school_id == school_id, Membership.role == "teacher",
                   Profile.years_teaching < NOVICE_YEARS)
            .order_by(func.lower(User.name), User.id).options(*_PLAIN))]
    return Pool(slots=slots, mentors=mentors, novices=novices,
                mentors_with_room=[m for m in mentors if m.free_places > 0],
                together=_together(school_id))


def _together(school_id: int) -> dict:
    """Who has worked with whom: per pair of teachers, the lessons one observed of the other
    and the plans they wrote together (two queries for the school)."""
    found: dict = defaultdict(lambda: [0, 0])
    observed = db.session.execute(
        select(Observation.teacher_id, ObservationObserver.user_id, func.count())
        .join(ObservationObserver, ObservationObserver.observation_id == Observation.id)
        .where(Observation.school_id == school_id, ObservationObserver.status == "accepted")
        .group_by(Observation.teacher_id, ObservationObserver.user_id))
    for a, b, count in observed:
        found[(min(a, b), max(a, b))][0] += count
    written = db.session.execute(
        select(Plan.owner_id, PlanCoauthor.user_id, func.count())
        .join(PlanCoauthor, PlanCoauthor.plan_id == Plan.id)
        .where(Plan.school_id == school_id).group_by(Plan.owner_id, PlanCoauthor.user_id))
    for a, b, count in written:
        found[(min(a, b), max(a, b))][1] += count
    return dict(found)


def _person(user, subjects, grades, focus, taught) -> Person:
    taught = taught or {"subjects": {}, "grades": set(), "busy": set()}
    named = {s.casefold(): s for s in subjects or [] if s}
    for key, value in taught["subjects"].items():
        named.setdefault(key, value)
    their_grades = {g for g in (grade_of(str(x)) for x in grades or []) if g is not None}
    return Person(user=user, subjects=named, grades=their_grades | taught["grades"],
                  focus=list(focus or []), busy=set(taught["busy"]))


def match(pool: Pool, novice: Person, mentor: Person) -> Match:
    """The score of `mentor` for `novice` and its reasons."""
    found = Match(mentor=mentor, timetabled=bool(pool.slots))
    found.subjects = sorted(mentor.subjects[k] for k in novice.subjects.keys()
                            & mentor.subjects.keys())
    found.grades = sorted(novice.grades & mentor.grades)
    found.free = [s for s in pool.slots if s not in novice.busy and s not in mentor.busy]
    found.focus = [f for f in novice.focus if f in mentor.focus]
    a, b = sorted((novice.user.id, mentor.user.id))
    found.observations, found.plans = pool.together.get((a, b), (0, 0))
    found.score = (
        (SAME_SUBJECT if found.subjects else 0) + (SAME_GRADE if found.grades else 0)
        + min(MAX_FREE_POINTS, len(found.free) // FREE_PERIODS_PER_POINT)
        + PER_FOCUS * len(found.focus) + max(0, LOAD_POINTS - mentor.mentees)
        + min(MAX_COLLABORATION_POINTS,
              PER_COLLABORATION * (found.observations + found.plans)))
    return found


def suggest(pool: Pool, novice_id: int) -> list[Match]:
    """The willing mentors with a free place who are possible for the novice (a common free
    period, when the school has a timetable), best first; [] for someone not a novice."""
    novice = next((n for n in pool.novices if n.user.id == novice_id), None)
    if novice is None:
        return []
    found = [match(pool, novice, m) for m in pool.mentors_with_room if m.user.id != novice_id]
    found = [m for m in found if m.possible]
    found.sort(key=lambda m: (-m.score, m.mentor.mentees, m.mentor.user.name.lower(),
                              m.mentor.user.id))
    return found
