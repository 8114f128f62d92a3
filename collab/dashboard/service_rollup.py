"""The rollup: what each activity event adds to the dashboard's counts, applied as the event
is written (`on_event`, subscribed to `core.activity.record` in create_app), and the same
rules replayed over the whole log (`recount`), so that the two can be compared.

One function, `contributions(event, facts)`, says what an event adds; only the facts it
reads differ: `DatabaseFacts` asks the log and the tables while events are written,
`ReplayFacts` holds the school's rows in memory and learns the log as it replays it. What an
event adds depends only on the log before it and on facts that do not change once set (who
requested an observation, who submitted notes, who assessed whom, a pair's two teachers, when
an observation was debriefed), so the rollup equals a recount. Two facts are read as they are
now, and a recount follows them: whether a plan is a research lesson, and which plan an
observation was of (deleting the plan unlinks it).

Kinds of a teacher's acts (`Count.kind`): see KINDS. Kinds of working together
(`PairCount.kind`): co-writing a plan, observing (observer and observed), a debrief (its
teacher and observers, each pair), feedback, peer feedback (kept apart so that a school that
keeps peer feedback anonymous shows no assessor: counts per assessed teacher only), mentoring.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from collab.assessments.models import Assessment
from collab.core.activity import ActivityEvent
from collab.dashboard.models import Count, LastCollaboration, PairCount
from collab.extensions import db
from collab.mentoring.models import MentorPair
from collab.observations.models import Observation, ObservationObserver
from collab.people.models import School
from collab.plans.models import Plan

PLAN_WRITTEN = "plan_written"
PLAN_COWRITTEN = "plan_cowritten"
PLAN_ADAPTED = "plan_adapted"
COMMENT_GIVEN = "comment_given"
OBSERVATION_REQUESTED = "observation_requested"
OBSERVATION_GIVEN = "observation_given"
OBSERVATION_DEBRIEFED = "observation_debriefed"
FEEDBACK_GIVEN = "feedback_given"
FEEDBACK_GIVEN_PEER = "feedback_given_peer"
FEEDBACK_RECEIVED = "feedback_received"
ROOM_MESSAGE = "room_message"
CHECK_IN = "check_in"
CYCLE_COMPLETED = "cycle_completed"
ROOM = "room"  # subject is a room, not a teacher
KINDS = (PLAN_WRITTEN, PLAN_COWRITTEN, PLAN_ADAPTED, COMMENT_GIVEN, OBSERVATION_REQUESTED,
         OBSERVATION_GIVEN, OBSERVATION_DEBRIEFED, FEEDBACK_GIVEN, FEEDBACK_GIVEN_PEER,
         FEEDBACK_RECEIVED, ROOM_MESSAGE, CHECK_IN, CYCLE_COMPLETED)

PAIR_KINDS = ("cowrite", "observe", "debrief", "feedback", "feedback_peer", "mentoring")

WRITES = ("plan.created", "plan.saved", "plan.restored", "plan.forked")
CREATES = ("plan.created", "plan.forked")
NOT_FEEDBACK = ("self", "calibration", "anchor")


@dataclass
class Contribution:
    counts: list = field(default_factory=list)  # (subject_id, kind)
    pairs: list = field(default_factory=list)  # (first_id, second_id, kind), first < second
    collaborators: set = field(default_factory=set)  # who acted with a colleague

    def count(self, subject_id, kind):
        if subject_id is not None:
            self.counts.append((subject_id, kind))

    def pair(self, one, other, kind):
        if one is None or other is None or one == other:
            return
        self.pairs.append((min(one, other), max(one, other), kind))
        self.collaborators.update((one, other))

    def __bool__(self):
        return bool(self.counts or self.pairs or self.collaborators)


# ---------------------------------------------------------------- what an event adds


def contributions(event: dict, facts) -> Contribution:
    """What `event` (the values of an activity row) adds to the rollup."""
    handler = _HANDLERS.get(event["verb"])
    if handler is None or event["actor_id"] is None:
        return Contribution()
    out = Contribution()
    handler(event, facts, out)
    return out


def _plan_written(event, facts, out):
    actor, plan_id = event["actor_id"], event["object_id"]
    writers = facts.plan_writers(plan_id)  # {user_id: their last write}, before this event
    if event["verb"] == "plan.created":
        out.count(actor, PLAN_WRITTEN)
    elif event["verb"] == "plan.forked":
        out.count(actor, PLAN_ADAPTED)
    others = sorted(w for w in writers if w != actor)
    if others:
        out.count(actor, PLAN_COWRITTEN)
        for other in others:
            out.pair(actor, other, "cowrite")
    if writers and event["verb"] in ("plan.saved", "plan.restored"):
        # The first revision after a debrief of a research lesson closes its cycle.
        last = max(writers.values())
        for debriefed_at in facts.research_debriefs(plan_id):
            if last < debriefed_at < event["created_at"]:
                out.count(actor, CYCLE_COMPLETED)


def _commented(event, facts, out):
    owner = facts.plan_owner(event["object_id"])
    if owner is not None and owner != event["actor_id"]:
        out.count(event["actor_id"], COMMENT_GIVEN)
        out.collaborators.add(event["actor_id"])


def _requested(event, facts, out):
    out.count(event["actor_id"], OBSERVATION_REQUESTED)


def _notes_submitted(event, facts, out):
    teacher, _observers = facts.observation(event["object_id"])
    out.count(event["actor_id"], OBSERVATION_GIVEN)
    out.pair(event["actor_id"], teacher, "observe")


def _debriefed(event, facts, out):
    teacher, observers = facts.observation(event["object_id"])
    out.count(event["actor_id"], OBSERVATION_DEBRIEFED)
    people = sorted({teacher, *observers} - {None})
    for i, one in enumerate(people):
        for other in people[i + 1:]:
            out.pair(one, other, "debrief")


def _assessed(event, facts, out):
    assessor, assessed, kind = facts.assessment(event["object_id"])
    if kind in NOT_FEEDBACK or assessed is None or assessed == assessor:
        return
    out.count(assessed, FEEDBACK_RECEIVED)
    if kind == "peer":
        out.count(assessor, FEEDBACK_GIVEN_PEER)
        out.pair(assessor, assessed, "feedback_peer")
    else:
        out.count(assessor, FEEDBACK_GIVEN)
        out.pair(assessor, assessed, "feedback")


def _room_message(event, facts, out):
    out.count(event["actor_id"], ROOM_MESSAGE)
    out.count(event["object_id"], ROOM)


def _room_note(event, facts, out):
    out.count(event["object_id"], ROOM)


def _mentoring(event, facts, out):
    novice, mentor = facts.pair(event["object_id"])
    if event["verb"] == "mentoring.checkin_logged":
        out.count(event["actor_id"], CHECK_IN)
    out.pair(novice, mentor, "mentoring")


_HANDLERS = {
    **dict.fromkeys(WRITES, _plan_written),
    "plan.commented": _commented,
    "observation.requested": _requested,
    "observation.completed": _notes_submitted,  # the first observer's notes complete it
    "observation.notes_submitted": _notes_submitted,
    "observation.debriefed": _debriefed,
    "assessment.submitted": _assessed,
    "room.message": _room_message,
    "room.note_added": _room_note,
    "mentoring.checkin_logged": _mentoring,
    "mentoring.pair_started": _mentoring,
}


# ---------------------------------------------------------------- facts while writing


class DatabaseFacts:
    """Facts asked of the database for one event as it is written."""

    def plan_writers(self, plan_id) -> dict:
        rows = db.session.execute(
            select(ActivityEvent.actor_id, ActivityEvent.created_at)
            .where(ActivityEvent.object_type == "plan", ActivityEvent.object_id == plan_id,
                   ActivityEvent.verb.in_(WRITES), ActivityEvent.actor_id.is_not(None)))
        writers: dict = {}
        for actor, at in rows:
            writers[actor] = max(at, writers.get(actor, at))
        return writers

    def plan_owner(self, plan_id):
        owner = db.session.scalar(
            select(ActivityEvent.actor_id)
            .where(ActivityEvent.object_type == "plan", ActivityEvent.object_id == plan_id,
                   ActivityEvent.verb.in_(CREATES)).order_by(ActivityEvent.id).limit(1))
        if owner is None:  # a plan made before the log knew it (demo data)
            owner = db.session.scalar(select(Plan.owner_id).where(Plan.id == plan_id))
        return owner

    def research_debriefs(self, plan_id) -> list:
        return list(db.session.scalars(
            select(Observation.debriefed_at).join(Plan, Plan.id == Observation.plan_id)
            .where(Observation.plan_id == plan_id, Plan.is_research_lesson.is_(True),
                   Observation.debriefed_at.is_not(None))))

    def observation(self, observation_id):
        rows = db.session.execute(
            select(Observation.teacher_id, ObservationObserver.user_id)
            .outerjoin(ObservationObserver,
                       (ObservationObserver.observation_id == Observation.id)
                       & ObservationObserver.submitted_at.is_not(None))
            .where(Observation.id == observation_id)).all()
        return (rows[0][0] if rows else None), {r[1] for r in rows if r[1] is not None}

    def assessment(self, assessment_id):
        row = db.session.execute(
            select(Assessment.assessor_id, Assessment.assessed_id, Assessment.kind)
            .where(Assessment.id == assessment_id)).first()
        return tuple(row) if row else (None, None, "self")

    def pair(self, pair_id):
        row = db.session.execute(
            select(MentorPair.novice_id, MentorPair.mentor_id)
            .where(MentorPair.id == pair_id)).first()
        return tuple(row) if row else (None, None)


def on_event(event: dict) -> None:
    """Subscribed to core.activity.record: add the event's contribution to the rollup."""
    found = contributions(event, DatabaseFacts())
    if not found:
        return
    day = local_day(event["created_at"], _timezone(event["school_id"]))
    apply(event["school_id"], day, found)


def _timezone(school_id: int) -> str:
    # The signed-in user's school is usually in the session already (no query).
    school = db.session.get(School, school_id)
    return school.timezone if school is not None else "Asia/Jakarta"


def local_day(at: datetime, timezone: str) -> date:
    return at.astimezone(ZoneInfo(timezone)).date()


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def month_of(day: date) -> date:
    return day.replace(day=1)


def spans(day: date) -> tuple:
    """The rows a day's acts are added to: the day, its week (Monday), its month (1st)."""
    return (("d", day), ("w", week_of(day)), ("m", month_of(day)))


SCHOOL = 0  # Count.subject_id of the whole school's sums (no user or room has id 0)


def count_rows(found_counts) -> Counter:
    """{(subject, kind): n} of a contribution, with the whole school's sums (rooms apart:
    "rooms with activity" is how many rooms, not a sum)."""
    counts = Counter(found_counts)
    counts.update((SCHOOL, kind) for _subject, kind in found_counts if kind != ROOM)
    return counts


def _insert(model):
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def apply(school_id: int, day: date, found: Contribution) -> None:
    """Add one event's contribution: one statement per table it touches."""
    counts = count_rows(found.counts)
    if counts:
        rows = [{"school_id": school_id, "span": span, "start": start, "subject_id": subject,
                 "kind": kind, "count": n}
                for (subject, kind), n in sorted(counts.items())
                for span, start in spans(day)]
        stmt = _insert(Count).values(rows)
        db.session.execute(stmt.on_conflict_do_update(
            index_elements=["school_id", "span", "start", "subject_id", "kind"],
            set_={"count": Count.count + stmt.excluded["count"]}))
    pairs = Counter(found.pairs)
    if pairs:
        stmt = _insert(PairCount).values([
            {"school_id": school_id, "span": span, "day": start, "first_id": a,
             "second_id": b, "kind": kind, "count": n}
            for (a, b, kind), n in sorted(pairs.items()) for span, start in spans(day)])
        db.session.execute(stmt.on_conflict_do_update(
            index_elements=["school_id", "span", "day", "first_id", "second_id", "kind"],
            set_={"count": PairCount.count + stmt.excluded["count"]}))
    if found.collaborators:
        stmt = _insert(LastCollaboration).values([
            {"school_id": school_id, "user_id": user, "day": day}
            for user in sorted(found.collaborators)])
        db.session.execute(stmt.on_conflict_do_update(
            index_elements=["school_id", "user_id"],
            set_={"day": case((stmt.excluded["day"] > LastCollaboration.day,
                               stmt.excluded["day"]), else_=LastCollaboration.day)}))


# ---------------------------------------------------------------- the full recount


class ReplayFacts:
    """The school's facts in memory; the plan facts learnt from the log as it is replayed."""

    def __init__(self, school_id: int):
        self.writers: dict = {}
        self.owners: dict = {}
        self.observations = {}
        for obs_id, teacher, observer in db.session.execute(
                select(Observation.id, Observation.teacher_id, ObservationObserver.user_id)
                .outerjoin(ObservationObserver,
                           (ObservationObserver.observation_id == Observation.id)
                           & ObservationObserver.submitted_at.is_not(None))
                .where(Observation.school_id == school_id)):
            found = self.observations.setdefault(obs_id, (teacher, set()))
            if observer is not None:
                found[1].add(observer)
        self.debriefs: dict = {}
        for plan_id, at in db.session.execute(
                select(Observation.plan_id, Observation.debriefed_at)
                .join(Plan, Plan.id == Observation.plan_id)
                .where(Observation.school_id == school_id, Plan.is_research_lesson.is_(True),
                       Observation.debriefed_at.is_not(None))):
            self.debriefs.setdefault(plan_id, []).append(at)
        self.assessments = {row[0]: tuple(row[1:]) for row in db.session.execute(
            select(Assessment.id, Assessment.assessor_id, Assessment.assessed_id,
                   Assessment.kind).where(Assessment.school_id == school_id))}
        self.pairs = {row[0]: tuple(row[1:]) for row in db.session.execute(
            select(MentorPair.id, MentorPair.novice_id, MentorPair.mentor_id)
            .where(MentorPair.school_id == school_id))}
        self.plan_owners = dict(db.session.execute(
            select(Plan.id, Plan.owner_id).where(Plan.school_id == school_id)).all())

    def plan_writers(self, plan_id):
        return self.writers.get(plan_id, {})

    def plan_owner(self, plan_id):
        return self.owners.get(plan_id, self.plan_owners.get(plan_id))

    def research_debriefs(self, plan_id):
        return self.debriefs.get(plan_id, [])

    def observation(self, observation_id):
        return self.observations.get(observation_id, (None, set()))

    def assessment(self, assessment_id):
        return self.assessments.get(assessment_id, (None, None, "self"))

    def pair(self, pair_id):
        return self.pairs.get(pair_id, (None, None))

    def learn(self, event: dict) -> None:
        """What the log tells of plans, once the event's contribution is counted."""
        if event["object_type"] != "plan" or event["actor_id"] is None:
            return
        plan_id, verb = event["object_id"], event["verb"]
        if verb in CREATES and plan_id not in self.owners:
            self.owners[plan_id] = event["actor_id"]
        if verb in WRITES:
            writers = self.writers.setdefault(plan_id, {})
            previous = writers.get(event["actor_id"])
            at = event["created_at"]
            writers[event["actor_id"]] = at if previous is None else max(previous, at)


@dataclass
class Tally:
    """A rollup held in memory: what `recount` computes, and what tests compare."""

    counts: Counter = field(default_factory=Counter)  # (span, start, subject, kind)
    pairs: Counter = field(default_factory=Counter)  # (span, start, first, second, kind)
    last: dict = field(default_factory=dict)  # user -> day

    def add(self, day: date, found: Contribution) -> None:
        starts = spans(day)
        for (subject, kind), n in count_rows(found.counts).items():
            for span, start in starts:
                self.counts[(span, start, subject, kind)] += n
        for key in found.pairs:
            for span, start in starts:
                self.pairs[(span, start, *key)] += 1
        for user in found.collaborators:
            self.last[user] = max(day, self.last.get(user, day))


def tally_from_log(school_id: int) -> Tally:
    """The rollup of `school_id` computed afresh from its whole log."""
    school = db.session.get(School, school_id)
    zone = ZoneInfo(school.timezone)
    facts = ReplayFacts(school_id)
    tally = Tally()
    columns = ActivityEvent.__table__.c
    result = db.session.execute(
        select(columns.actor_id, columns.verb, columns.object_type, columns.object_id,
               columns.created_at)
        .where(columns.school_id == school_id).order_by(columns.id)
        .execution_options(yield_per=5000))
    for actor_id, verb, object_type, object_id, created_at in result:
        event = {"school_id": school_id, "actor_id": actor_id, "verb": verb,
                 "object_type": object_type, "object_id": object_id,
                 "created_at": created_at}
        if verb in _HANDLERS:
            found = contributions(event, facts)
            if found:
                tally.add(created_at.astimezone(zone).date(), found)
            facts.learn(event)
    return tally


def tally_stored(school_id: int) -> Tally:
    """The rollup of `school_id` as the tables hold it."""
    tally = Tally()
    for span, start, subject, kind, n in db.session.execute(
            select(Count.span, Count.start, Count.subject_id, Count.kind, Count.count)
            .where(Count.school_id == school_id)):
        if n:
            tally.counts[(span, start, subject, kind)] = n
    for span, day, a, b, kind, n in db.session.execute(
            select(PairCount.span, PairCount.day, PairCount.first_id, PairCount.second_id,
                   PairCount.kind, PairCount.count).where(PairCount.school_id == school_id)):
        if n:
            tally.pairs[(span, day, a, b, kind)] = n
    tally.last = dict(db.session.execute(
        select(LastCollaboration.user_id, LastCollaboration.day)
        .where(LastCollaboration.school_id == school_id)).all())
    return tally


def recount(school_id: int) -> Tally:
    """Rebuild the school's rollup from its whole log (after a change of time zone, or to
    check it: `flask dashboard-recount`). Returns what it wrote."""
    tally = tally_from_log(school_id)
    for model in (Count, PairCount, LastCollaboration):
        db.session.execute(delete(model).where(model.school_id == school_id))
    _bulk(Count, [{"school_id": school_id, "span": s, "start": d, "subject_id": u, "kind": k,
                   "count": n} for (s, d, u, k), n in tally.counts.items()])
    _bulk(PairCount, [{"school_id": school_id, "span": s, "day": d, "first_id": a,
                       "second_id": b, "kind": k, "count": n}
                      for (s, d, a, b, k), n in tally.pairs.items()])
    _bulk(LastCollaboration, [{"school_id": school_id, "user_id": u, "day": d}
                              for u, d in tally.last.items()])
    return tally


def _bulk(model, rows: list, chunk: int = 5000) -> None:
    for i in range(0, len(rows), chunk):
        db.session.execute(model.__table__.insert(), rows[i:i + chunk])
