"""Demo observations in the demo SMP: one in each state (requested, scheduled in the coming
days, completed with an observer's notes, debriefed with a reflection and action steps,
declined, cancelled), and one **today** in which guru01 is an accepted observer, so that the
notes page is live whenever the demo is seeded. guru01 takes part in most of them, so
guru01's week and calendar feed are full.

They are made through the observation services (request, accept, decline, cancel, notes,
submit, debrief), so bookings, activity events and notifications are as real ones would be.
The service refuses a request for a lesson that has begun; the past ones and today's are
therefore requested by writing the same rows `observations.request` writes, and move on
through the services. The demo's people are told in the app only (no e-mails).

Today's observation is of a colleague's lesson in a period in which guru01 teaches nothing,
the one running now or the next one (else the last of the day). When today has no lessons
(a weekend, a holiday, between terms), it still happens today, at the time of a Monday
lesson: the demo should always have a notes page to open.

Idempotent: a demo observation is known by its teacher and focus, today's by guru01 being an
accepted observer of an observation today; nothing is made twice. What cannot be placed
(no lessons in the weeks around today) is left out.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from collab.extensions import db
from collab.models import (
    Lesson,
    Membership,
    Observation,
    ObservationBooking,
    ObservationObserver,
    School,
    User,
)
from collab.models.base import utcnow
from collab.services import activity, notify, observation_notes, observations
from collab.services.observer_suggestions import free_ids
from collab.services.timetables import (
    LessonOccurrence,
    periods_by_weekday,
    to_utc,
    upcoming_lessons,
)

DOMAIN = "@demo.sch.id"
OBSERVER = "guru01"
TODAY_FOCUS = "Bagaimana siswa menjelaskan cara mereka membandingkan pecahan?"


@dataclass(frozen=True)
class Spec:
    """One demo observation: whose lesson, whom to ask (those of them free then), the
    focus, and when (days from today, the first lesson from then on; negative: the past
    lesson nearest to that day)."""

    state: str
    teacher: str
    observers: tuple[str, ...]
    focus: str
    from_day: int


SPECS = (
    Spec("requested", "guru02", ("guru01", "guru09"),
         "Bagaimana siswa menjelaskan strategi mereka menyelesaikan persamaan linear?", 2),
    Spec("scheduled", "guru09", ("guru01", "guru02"),
         "Apakah semua kelompok mendapat kesempatan menyampaikan jawabannya?", 1),
    Spec("completed", "guru04", ("guru01", "guru05"),
         "Bagaimana siswa memakai data percobaan untuk menarik kesimpulan?", -7),
    Spec("debriefed", "guru01", ("guru02", "guru09"),
         "Siswa mana yang belum ikut berpikir saat diskusi kelas?", -14),
    Spec("declined", "guru03", ("guru07", "guru12"),
         "Bagaimana siswa menanggapi tulisan temannya?", 3),
    Spec("cancelled", "guru06", ("guru01",),
         "Apakah diskusi peta membantu siswa bertanya?", 4),
)

NOTES = {
    "guru01": [
        {"client_id": "demo-m1", "kind": "mode", "text": "whole_class", "at_seconds": 0},
        {"client_id": "demo-n1", "text": "Guru membuka dengan pertanyaan: mengapa es mencair "
         "lebih cepat di piring logam?", "tag": "teacher_move", "at_seconds": 180},
        {"client_id": "demo-m2", "kind": "mode", "text": "groups", "at_seconds": 600},
        {"client_id": "demo-n2", "text": "Kelompok di dekat jendela mencatat suhu tiap menit "
         "tanpa diminta.", "tag": "learning", "at_seconds": 900, "seat": "r1c6"},
        {"client_id": "demo-n3", "text": "Siswa ini bertanya apakah warna piring berpengaruh.",
         "tag": "question", "at_seconds": 1260, "seat": "r3c2"},
        {"client_id": "demo-n4", "text": "Dua kelompok menarik kesimpulan dari satu data "
         "saja.", "tag": "evidence", "at_seconds": 1800},
    ],
    "guru02": [
        {"client_id": "demo-m1", "kind": "mode", "text": "whole_class", "at_seconds": 0},
        {"client_id": "demo-n1", "text": "Tiga siswa di barisan belakang diam selama "
         "diskusi kelas.", "tag": "evidence", "at_seconds": 720, "seat": "r5c2"},
        {"client_id": "demo-m2", "kind": "mode", "text": "individual", "at_seconds": 1500},
        {"client_id": "demo-n2", "text": "Setelah waktu berpikir sendiri, lebih banyak siswa "
         "mengangkat tangan.", "tag": "learning", "at_seconds": 1680},
    ],
    "guru09": [
        {"client_id": "demo-n1", "text": "Guru menunggu lima detik sebelum menunjuk siswa.",
         "tag": "teacher_move", "at_seconds": 840},
        {"client_id": "demo-n2", "text": "Siswa ini menjelaskan caranya kepada teman "
         "sebangku.", "tag": "learning", "at_seconds": 1320, "seat": "r2c4"},
    ],
}
REFLECTION = (
    "Diskusi kelas masih dikuasai beberapa siswa yang cepat menjawab. Catatan pengamat "
    "menunjukkan bahwa waktu berpikir sendiri sebelum diskusi membuat lebih banyak siswa "
    "ikut menjawab. Siswa di barisan belakang perlu saya dekati lebih awal."
)
ACTIONS = (("Beri waktu berpikir sendiri dua menit sebelum setiap diskusi kelas.", 7),
           ("Atur tempat duduk berkelompok agar barisan belakang ikut berdiskusi.", 21))
DECLINE_NOTES = {"guru07": "Saya mendampingi lomba pidato hari itu.",
                 "guru12": "Ada rapat MGMP Bahasa pada jam itu."}


def seed(school: School) -> None:
    """Add the demo observations that are missing in the demo SMP. Flushes."""
    people = {u.email.split("@")[0]: u for u in db.session.scalars(
        select(User).join(Membership).where(Membership.school_id == school.id))}
    if OBSERVER not in people:
        return
    today = observations.school_today(school)
    made = {tuple(row) for row in db.session.execute(
        select(Observation.teacher_id, Observation.focus).where(
            Observation.school_id == school.id))}
    for spec in SPECS:
        teacher = people.get(spec.teacher)
        if teacher is not None and (teacher.id, spec.focus) not in made:
            BUILDERS[spec.state](spec, teacher, people, today)
    _today(school, people, today)
    notify.forget_pending_mail()
    db.session.flush()


# ---------------------------------------------------------------- upcoming ones


def _upcoming(spec: Spec, teacher: User, people: dict, today: date) -> Observation | None:
    """Request the teacher's first lesson from `spec.from_day` days ahead at which the
    first-choice observer is free."""
    lessons = [o for o in observations.requestable_lessons(teacher, today)
               if o.on >= today + timedelta(days=spec.from_day) and _teacher_free(o)]
    chosen = _pick(lessons, spec, people)
    if chosen is None:
        return None
    lesson, observer_ids = chosen
    return observations.request(teacher, observations.RequestFields(
        lesson=observations.lesson_key(lesson), focus=spec.focus, observer_ids=observer_ids))


def _requested(spec, teacher, people, today) -> None:
    _upcoming(spec, teacher, people, today)


def _scheduled(spec, teacher, people, today) -> None:
    observation = _upcoming(spec, teacher, people, today)
    if observation is not None:
        observations.accept(observation, observation.observers[0].user)


def _declined(spec, teacher, people, today) -> None:
    observation = _upcoming(spec, teacher, people, today)
    if observation is None:
        return
    for invite in list(observation.observers):
        local = invite.user.email.split("@")[0]
        observations.decline(observation, invite.user, DECLINE_NOTES.get(local, ""))


def _cancelled(spec, teacher, people, today) -> None:
    observation = _upcoming(spec, teacher, people, today)
    if observation is not None:
        observations.cancel(observation, teacher)


# ---------------------------------------------------------------- past ones


def _past(spec: Spec, teacher: User, people: dict, today: date) -> Observation | None:
    """A lesson of the teacher about `-spec.from_day` days ago, requested as
    `observations.request` would have done then, and accepted by the observers."""
    first = today + timedelta(days=spec.from_day - 7)
    lessons = [o for o in upcoming_lessons(teacher, first, weeks=2)
               if o.ends_at < utcnow() and _teacher_free(o)]
    lessons.sort(key=lambda o: abs((o.on - (today + timedelta(days=spec.from_day))).days))
    chosen = _pick(lessons, spec, people)
    if chosen is None:
        return None
    lesson, observer_ids = chosen
    observation = _request_row(teacher, lesson, spec.focus, observer_ids)
    for invite in list(observation.observers):
        observations.accept(observation, invite.user)
    return observation


def _completed(spec, teacher, people, today) -> None:
    observation = _past(spec, teacher, people, today)
    if observation is not None:
        _notes_and_submit(observation, observation.observers[0].user)


def _debriefed(spec, teacher, people, today) -> None:
    observation = _past(spec, teacher, people, today)
    if observation is None:
        return
    for invite in list(observation.observers):
        _notes_and_submit(observation, invite.user)
    observations.debrief(observation, teacher, REFLECTION, [
        observations.ActionFields(text, today + timedelta(days=days))
        for text, days in ACTIONS])


def _notes_and_submit(observation: Observation, observer: User) -> None:
    notes = NOTES.get(observer.email.split("@")[0], NOTES["guru09"])
    observation_notes.sync(observation, observer, observation_notes.clean_batch(
        {"notes": notes}, observation_notes.seating(observation), set()))
    observations.submit_notes(observation, observer)


BUILDERS = {"requested": _requested, "scheduled": _scheduled, "declined": _declined,
            "cancelled": _cancelled, "completed": _completed, "debriefed": _debriefed}


# ---------------------------------------------------------------- today, for guru01


def _today(school: School, people: dict, today: date) -> None:
    observer = people[OBSERVER]
    already = db.session.scalar(
        select(Observation.id).join(ObservationObserver)
        .where(Observation.school_id == school.id, Observation.lesson_date == today,
               ObservationObserver.user_id == observer.id,
               ObservationObserver.status == "accepted"))
    if already is not None:
        return
    lesson = _lesson_to_observe_today(school, people, observer, today)
    if lesson is None:
        return
    teacher = db.session.get(User, lesson.teacher_id)
    observation = _request_row(teacher, lesson, TODAY_FOCUS, [observer.id])
    observations.accept(observation, observer)


def _lesson_to_observe_today(school: School, people: dict, observer: User, today: date
                             ) -> LessonOccurrence | None:
    """A colleague's lesson today (or, on a day without lessons, a Monday lesson held
    today) in a period in which the observer teaches nothing and nobody involved is booked:
    the one running now or the next one, else the day's last."""
    periods = periods_by_weekday(school.id)
    if not periods:
        return None
    weekday = today.weekday() if today.weekday() in periods else min(periods)
    by_number = {p.number: p for p in periods[weekday]}
    lessons = list(db.session.scalars(select(Lesson).where(
        Lesson.school_id == school.id, Lesson.weekday == weekday)))
    own = {lesson.period for lesson in lessons if lesson.teacher_id == observer.id}
    booked = {tuple(row) for row in db.session.execute(
        select(ObservationBooking.user_id, ObservationBooking.period).where(
            ObservationBooking.school_id == school.id, ObservationBooking.lesson_date == today))}
    subjects = {s.casefold() for s in (observer.profile.subjects if observer.profile else [])}
    found = []
    for lesson in lessons:
        period = by_number.get(lesson.period)
        if (period is None or lesson.teacher_id == observer.id or lesson.period in own
                or (lesson.teacher_id, lesson.period) in booked
                or (observer.id, lesson.period) in booked):
            continue
        found.append(LessonOccurrence(
            lesson_id=lesson.id, teacher_id=lesson.teacher_id, on=today, weekday=weekday,
            period=lesson.period, class_name=lesson.class_name, subject=lesson.subject,
            room=lesson.room, starts_at=to_utc(school, today, period.starts_at),
            ends_at=to_utc(school, today, period.ends_at)))
    if not found:
        return None
    now = utcnow()
    coming = [o for o in found if o.ends_at > now]
    if coming:
        return min(coming, key=lambda o: (o.starts_at, o.subject.casefold() not in subjects))
    return max(found, key=lambda o: (o.starts_at, o.subject.casefold() in subjects))


# ---------------------------------------------------------------- shared


def _teacher_free(lesson: LessonOccurrence) -> bool:
    return db.session.scalar(select(ObservationBooking.id).where(
        ObservationBooking.user_id == lesson.teacher_id,
        ObservationBooking.lesson_date == lesson.on,
        ObservationBooking.period == lesson.period)) is None


def _pick(lessons: list[LessonOccurrence], spec: Spec, people: dict
          ) -> tuple[LessonOccurrence, list[int]] | None:
    """The first lesson at which the first-choice observer is free, with the ids of the
    first choices free then (that observer first)."""
    wanted = [people[local].id for local in spec.observers if local in people]
    if not wanted:
        return None
    school_id = people[spec.teacher].school_id
    for lesson in lessons:
        free = free_ids(school_id, lesson.on, lesson.period, set(wanted))
        if wanted[0] in free:
            return lesson, [user_id for user_id in wanted if user_id in free]
    return None


def _request_row(teacher: User, lesson: LessonOccurrence, focus: str,
                 observer_ids: list[int]) -> Observation:
    """What `observations.request` writes, for a lesson it would refuse because it has
    begun: the observation, the teacher's booking, the invitations, the activity event and
    the notifications."""
    observation = Observation(
        school_id=teacher.school_id, teacher_id=teacher.id, lesson_date=lesson.on,
        period=lesson.period, class_name=lesson.class_name, subject=lesson.subject,
        room=lesson.room, starts_at=lesson.starts_at, ends_at=lesson.ends_at, focus=focus,
        state="requested")
    db.session.add(observation)
    db.session.flush()
    db.session.add(ObservationBooking(
        school_id=teacher.school_id, user_id=teacher.id, observation_id=observation.id,
        lesson_date=lesson.on, period=lesson.period, role="observed"))
    for user_id in observer_ids:
        db.session.add(ObservationObserver(observation_id=observation.id, user_id=user_id))
    db.session.flush()
    db.session.refresh(observation, ["observers"])
    activity.record(teacher.school_id, teacher, "observation.requested", "observation",
                    observation.id)
    for invite in observation.observers:
        notify.notify(invite.user, "observation.requested", f"/observations/{observation.id}",
                      date=lesson.on.isoformat(), period=lesson.period,
                      class_name=lesson.class_name, name=teacher.name)
    return observation
