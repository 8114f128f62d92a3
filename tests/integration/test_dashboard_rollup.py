"""The dashboard's rollup, kept up to date as events are written, equals a full recount of
the log after random activity; each kind of act counts where it should, in the school's
day; anonymous peer feedback is kept apart."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from collab.dashboard import service_rollup as rollup
from collab.dashboard.models import Count, LastCollaboration, PairCount
from collab.extensions import db
from collab.plans import service_comments as comments
from tests.integration.dashboard_activity import Acts, Clock

START = datetime(2026, 7, 13, 0, 30, tzinfo=UTC)

# Upserts, date arithmetic and the rollup's sums differ between SQLite and PostgreSQL.
pytestmark = pytest.mark.dialect


@pytest.fixture
def school(make, monkeypatch):
    made = make.school("SMP Rollup", timezone="Asia/Makassar")  # UTC+8
    teachers = [make.user(made, name=f"Guru {i}", years=1 if i < 2 else 10) for i in range(6)]
    principal = make.user(made, role="principal", name="Kepala")
    clock = Clock(monkeypatch, START)
    return made, teachers, Acts(made, principal, clock), clock


class RandomSchool:
    """Random acts of a school's teachers, each one through `Acts`."""

    def __init__(self, rng: random.Random, teachers, acts: Acts):
        self.rng, self.teachers, self.acts = rng, teachers, acts
        self.plans, self.observations, self.pairs = [], [], []

    def step(self):
        rng = self.rng
        who = rng.choice(self.teachers)
        other = rng.choice([t for t in self.teachers if t is not who])
        actions = [(0.12, self.write), (0.18, self.save), (0.08, self.comment),
                   (0.08, self.observe), (0.1, self.follow_up), (0.08, self.feedback),
                   (0.06, self.pair), (0.06, self.check_in), (1.0, self.message)]
        roll = rng.random()
        for share, action in actions:
            if roll < share:
                return action(who, other)
            roll -= share
        return None

    def write(self, who, other):
        self.plans.append(self.acts.plan(who, research=self.rng.random() < 0.5))

    def save(self, who, other):
        if self.plans:
            self.acts.save(self.rng.choice(self.plans), who)

    def comment(self, who, other):
        if self.plans:
            comments.add(self.rng.choice(self.plans), who, "Saran")

    def observe(self, who, other):
        plan = self.rng.choice(self.plans) if self.plans else None
        self.observations.append(self.acts.observation(who, [other], plan=plan))

    def follow_up(self, who, other):
        if not self.observations:
            return
        obs = self.rng.choice(self.observations)
        waiting = [i for i in obs.observers if i.submitted_at is None]
        if obs.state != "debriefed" and waiting:
            self.acts.submit(obs, db.session.get(type(who), waiting[0].user_id))
        elif obs.state == "completed":
            self.acts.debrief(obs)

    def feedback(self, who, other):
        self.acts.feedback(who, other, kind=self.rng.choice(("peer", "peer", "mentor", "self")))

    def pair(self, who, other):
        if len(self.pairs) < 2:
            n = len(self.pairs)
            self.pairs.append(self.acts.pair(self.teachers[n], self.teachers[n + 2]))

    def check_in(self, who, other):
        if self.pairs:
            pair = self.rng.choice(self.pairs)
            self.acts.check_in(pair, pair.novice_id)

    def message(self, who, other):
        self.acts.message(who, room_id=self.rng.randint(1, 3))


def _random_activity(rng: random.Random, teachers, acts: Acts, clock: Clock, steps: int):
    school = RandomSchool(rng, teachers, acts)
    for _ in range(steps):
        clock.at(clock.now + timedelta(minutes=rng.randint(10, 900)))
        school.step()
        db.session.commit()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_after_random_activity_the_rollup_equals_a_full_recount(school, seed):
    _made, teachers, acts, clock = school
    _random_activity(random.Random(seed), teachers, acts, clock, 160)

    stored = rollup.tally_stored(school[0].id)
    recounted = rollup.tally_from_log(school[0].id)

    assert stored.counts and stored.pairs and stored.last
    assert stored.counts == recounted.counts
    assert stored.pairs == recounted.pairs
    assert stored.last == recounted.last
    kinds = {key[3] for key in stored.counts}
    assert {rollup.PLAN_COWRITTEN, rollup.OBSERVATION_GIVEN, rollup.OBSERVATION_DEBRIEFED,
            rollup.FEEDBACK_RECEIVED, rollup.ROOM_MESSAGE, rollup.CHECK_IN} <= kinds


def test_recount_rebuilds_the_same_tables(school):
    made, teachers, acts, clock = school
    _random_activity(random.Random(7), teachers, acts, clock, 80)
    before = rollup.tally_stored(made.id)

    rollup.recount(made.id)
    db.session.commit()

    after = rollup.tally_stored(made.id)
    assert (after.counts, after.pairs, after.last) == (before.counts, before.pairs,
                                                        before.last)


def _day_counts(school_id):
    return {(c.start, c.subject_id, c.kind): c.count for c in db.session.scalars(
        select(Count).where(Count.school_id == school_id, Count.span == "d"))}


def test_each_act_counts_for_whom_it_should_on_the_schools_day(school):
    made, (a, b, c, d, *_), acts, clock = school
    # 23:30 UTC on 13 July is 07:30 on 14 July in Makassar.
    clock.at(datetime(2026, 7, 13, 23, 30, tzinfo=UTC))
    plan = acts.plan(a, research=True)
    acts.save(plan, b)  # b co-writes with a
    obs = acts.observation(a, [c, d], plan=plan)
    acts.submit(obs, c)
    acts.submit(obs, d)
    clock.at(datetime(2026, 7, 14, 0, 30, tzinfo=UTC))
    acts.debrief(obs)
    clock.at(datetime(2026, 7, 14, 1, 0, tzinfo=UTC))
    acts.save(plan, a)  # the first revision after the debrief closes the cycle
    acts.save(plan, a)  # a second one does not
    comments.add(plan, c, "Bagus")  # on a colleague's plan
    comments.add(plan, a, "Catatan saya")  # on one's own: not counted
    acts.message(b, room_id=9)
    db.session.commit()

    day = date(2026, 7, 14)
    counts = _day_counts(made.id)
    assert counts[(day, a.id, rollup.PLAN_WRITTEN)] == 1
    assert counts[(day, b.id, rollup.PLAN_COWRITTEN)] == 1
    assert counts[(day, a.id, rollup.PLAN_COWRITTEN)] == 2  # b wrote it before
    assert counts[(day, a.id, rollup.OBSERVATION_REQUESTED)] == 1
    assert counts[(day, c.id, rollup.OBSERVATION_GIVEN)] == 1
    assert counts[(day, d.id, rollup.OBSERVATION_GIVEN)] == 1
    assert counts[(day, a.id, rollup.OBSERVATION_DEBRIEFED)] == 1
    assert counts[(day, a.id, rollup.CYCLE_COMPLETED)] == 1
    assert counts[(day, c.id, rollup.COMMENT_GIVEN)] == 1
    assert (day, a.id, rollup.COMMENT_GIVEN) not in counts
    assert counts[(day, b.id, rollup.ROOM_MESSAGE)] == 1
    assert counts[(day, 9, rollup.ROOM)] == 1
    assert not any(key[0] != day for key in counts)
    pairs = {(p.first_id, p.second_id, p.kind): p.count for p in db.session.scalars(
        select(PairCount).where(PairCount.school_id == made.id, PairCount.span == "d"))}
    ab, ac, ad, cd = ((min(x.id, y.id), max(x.id, y.id)) for x, y in
                      ((a, b), (a, c), (a, d), (c, d)))
    assert pairs[(*ab, "cowrite")] == 3
    assert pairs[(*ac, "observe")] == 1 and pairs[(*ad, "observe")] == 1
    assert pairs[(*ac, "debrief")] == pairs[(*ad, "debrief")] == pairs[(*cd, "debrief")] == 1
    weeks = {c.start for c in db.session.scalars(
        select(Count).where(Count.school_id == made.id, Count.span == "w"))}
    assert weeks == {date(2026, 7, 13)}  # the Monday
    months = {c.start for c in db.session.scalars(
        select(Count).where(Count.school_id == made.id, Count.span == "m"))}
    assert months == {date(2026, 7, 1)}
    school = {c.kind: c.count for c in db.session.scalars(select(Count).where(
        Count.school_id == made.id, Count.span == "m", Count.subject_id == rollup.SCHOOL))}
    assert school[rollup.PLAN_COWRITTEN] == 3 and school[rollup.OBSERVATION_GIVEN] == 2
    assert rollup.ROOM not in school  # rooms with activity are counted, not summed
    assert {(p.span, p.day) for p in db.session.scalars(select(PairCount).where(
        PairCount.school_id == made.id))} == {("d", day), ("w", date(2026, 7, 13)),
                                              ("m", date(2026, 7, 1))}


def test_peer_feedback_is_kept_apart_from_named_feedback_and_self_assessment_is_not_feedback(
        school):
    made, (a, b, *_), acts, _clock = school
    acts.feedback(a, b, kind="peer")
    acts.feedback(a, b, kind="mentor")
    acts.feedback(a, a, kind="self")
    db.session.commit()

    counts = _day_counts(made.id)
    day = START.date()
    assert counts[(day, b.id, rollup.FEEDBACK_RECEIVED)] == 2
    assert counts[(day, a.id, rollup.FEEDBACK_GIVEN_PEER)] == 1
    assert counts[(day, a.id, rollup.FEEDBACK_GIVEN)] == 1
    kinds = {p.kind for p in db.session.scalars(select(PairCount))}
    assert kinds == {"feedback_peer", "feedback"}


def test_the_last_day_with_a_colleague_only_moves_forward(school):
    _made, (a, b, *_), acts, clock = school
    pair = acts.pair(a, b)
    clock.at(START + timedelta(days=5))
    acts.check_in(pair, a)
    clock.at(START + timedelta(days=1))  # an event stamped earlier (a slow transaction)
    acts.check_in(pair, b)
    db.session.commit()

    last = dict(db.session.execute(
        select(LastCollaboration.user_id, LastCollaboration.day)).all())
    assert last == {a.id: date(2026, 7, 18), b.id: date(2026, 7, 18)}


def test_a_message_alone_never_counts_as_working_with_a_colleague(school):
    _made, (a, *_), acts, _clock = school
    acts.message(a)
    db.session.commit()
    assert db.session.scalars(select(LastCollaboration)).all() == []
