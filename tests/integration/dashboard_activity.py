"""Activity for the dashboard's tests: plans written through the plans service, and
observations, feedback, mentoring and room messages as their services leave them (the rows
and the activity event), at times the test chooses."""

from datetime import UTC, date, datetime, timedelta

from collab.assessments import service_rubrics as rubrics
from collab.assessments.models import Assessment
from collab.core import activity
from collab.extensions import db
from collab.mentoring.models import MentorPair
from collab.observations.models import Observation, ObservationObserver
from collab.plans import service as plans

RUBRIC = {"title": "Umpan balik", "target": "observation",
          "levels": [{"score": 1, "label": "Belum"}, {"score": 2, "label": "Baik"}],
          "criteria": [{"title": "Tujuan", "weight": 1, "descriptors": ["a", "b"]}]}


class Clock:
    """The time activity.record stamps (and a plan's last change): set it with `at(...)`."""

    def __init__(self, monkeypatch, start: datetime):
        self.now = start
        monkeypatch.setattr(activity, "utcnow", lambda: self.now)
        monkeypatch.setattr(plans, "utcnow", lambda: self.now)  # a plan's updated_at

    def at(self, when: datetime) -> "Clock":
        self.now = when
        return self


class Acts:
    """One school's acts, each recorded as its service records it."""

    def __init__(self, school, principal, clock: Clock):
        self.school, self.principal, self.clock = school, principal, clock
        self._version = None

    def plan(self, owner, title="Rencana", research=False, visibility="school"):
        made = plans.create(owner, plans.PlanFields(title=title, body="isi",
                                                    visibility=visibility,
                                                    is_research_lesson=research))
        db.session.flush()
        return made

    def save(self, plan, user):
        plans.save(plan, user, plans.fields_of(plan), plan.revision_number)
        db.session.flush()

    def observation(self, teacher, observers, lesson_day: date | None = None,
                    plan=None) -> Observation:
        day = lesson_day or self.clock.now.date()
        starts = datetime(day.year, day.month, day.day, 1, tzinfo=UTC)
        obs = Observation(school_id=self.school.id, teacher_id=teacher.id, lesson_date=day,
                          period=1, class_name="7A", subject="Matematika", starts_at=starts,
                          ends_at=starts + timedelta(minutes=40), focus="fokus",
                          plan_id=plan.id if plan else None)
        db.session.add(obs)
        db.session.flush()
        for user in observers:
            db.session.add(ObservationObserver(observation_id=obs.id, user_id=user.id,
                                               status="accepted"))
        db.session.flush()
        activity.record(self.school.id, teacher, "observation.requested", "observation", obs.id)
        return obs

    def submit(self, obs: Observation, observer) -> None:
        invite = next(i for i in obs.observers if i.user_id == observer.id)
        invite.submitted_at = self.clock.now
        first = obs.state != "completed"
        if first:
            obs.state, obs.completed_at = "completed", self.clock.now
        db.session.flush()
        verb = "observation.completed" if first else "observation.notes_submitted"
        activity.record(self.school.id, observer, verb, "observation", obs.id)

    def debrief(self, obs: Observation) -> None:
        obs.state, obs.debriefed_at = "debriefed", self.clock.now
        db.session.flush()
        activity.record(self.school.id, obs.teacher_id, "observation.debriefed",
                        "observation", obs.id)

    def feedback(self, assessor, assessed, kind="peer") -> Assessment:
        if self._version is None:
            rubric = rubrics.create(self.school.id, self.principal, RUBRIC, publish_now=True)
            self._version = rubrics.latest(rubric)
        made = Assessment(school_id=self.school.id, rubric_version_id=self._version.id,
                          assessed_id=assessed.id, assessor_id=assessor.id, kind=kind,
                          status="submitted", submitted_at=self.clock.now)
        db.session.add(made)
        db.session.flush()
        activity.record(self.school.id, assessor, "assessment.submitted", "assessment", made.id)
        return made

    def pair(self, novice, mentor) -> MentorPair:
        made = MentorPair(school_id=self.school.id, novice_id=novice.id, mentor_id=mentor.id,
                          place=1, status="active", started_at=self.clock.now)
        db.session.add(made)
        db.session.flush()
        activity.record(self.school.id, mentor, "mentoring.pair_started", "mentor_pair",
                        made.id)
        return made

    def check_in(self, pair: MentorPair, by) -> None:
        activity.record(self.school.id, by, "mentoring.checkin_logged", "mentor_pair", pair.id)

    def message(self, user, room_id: int = 1) -> None:
        activity.record(self.school.id, user, "room.message", "room", room_id)
