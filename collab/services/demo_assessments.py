"""Demo assessments in the demo SMP: the three library rubrics and a school rubric; feedback
on guru01's debriefed lesson from four colleagues (with guru01's self-assessment beside
them); feedback on guru01's integer plan twice, weeks apart, so that the results show growth;
feedback asked by guru09 (a novice) on their plan, which guru01 still has to write; and a
finished calibration round of the principal with three raters.

Made through the services (requests, drafts, submissions, rounds), so notifications, activity
and agreement are as real ones would be (told in the app only, no e-mails). Idempotent:
nothing is made once the school has a feedback request.
"""

from datetime import timedelta

from sqlalchemy import select

from collab.extensions import db
from collab.models import AssessmentRequest, Observation, Plan, School, User
from collab.models.base import utcnow
from collab.services import assessments, calibration, notify, rubrics
from collab.services.assessments import Rating, RequestFields

DOMAIN = "@demo.sch.id"
PRINCIPAL = "kepsek"

SCHOOL_RUBRIC = {
    "title": "Diskusi kelompok yang produktif",
    "description": "Rubrik sekolah untuk mengamati diskusi kelompok siswa.",
    "target": "observation",
    "levels": [{"score": 1, "label": "Belum tampak"}, {"score": 2, "label": "Mulai tampak"},
               {"score": 3, "label": "Tampak jelas"}],
    "criteria": [
        {"title": "Setiap anggota berbicara", "weight": 1,
         "descriptors": ["Satu atau dua siswa mendominasi.",
                         "Sebagian besar anggota berbicara jika diminta.",
                         "Semua anggota menyumbang gagasan tanpa diminta."]},
        {"title": "Siswa saling menanggapi", "weight": 1,
         "descriptors": ["Gagasan disampaikan tanpa ditanggapi.",
                         "Sebagian gagasan ditanggapi.",
                         "Siswa membangun gagasan dari jawaban temannya."]},
        {"title": "Hasil diskusi terdokumentasi", "weight": 1,
         "descriptors": ["Tidak ada catatan.", "Ada catatan singkat.",
                         "Catatan memuat alasan dan kesimpulan kelompok."]},
    ],
}

# Levels (1-based positions of the rubric's levels) per assessor, per criterion.
LESSON_FEEDBACK = {
    "guru02": ([3, 2, 2, 3, 2], "Siswa berani menjelaskan di depan kelas.",
               "Beri waktu tunggu lebih lama sebelum menunjuk siswa."),
    "guru09": ([3, 3, 2, 2, 2], "Pertanyaan pemantiknya membuat siswa penasaran.",
               "Catat jawaban siswa yang berbeda di papan."),
    "guru03": ([2, 2, 1, 3, 2], "Kelompok kecil bekerja dengan tertib.",
               "Rencanakan antisipasi jawaban siswa yang keliru."),
    "guru04": ([3, 2, 2, 2, 1], "Lembar kerja jelas dan menantang.",
               "Kaitkan kesimpulan dengan tujuan penelitian."),
}
LESSON_SELF = [2, 2, 2, 2, 2]


def _user(handle: str) -> User:
    return db.session.scalar(select(User).where(User.email == handle + DOMAIN))


def seed(school: School) -> None:
    """Everything above, once; flushes."""
    if db.session.scalar(select(AssessmentRequest.id).where(
            AssessmentRequest.school_id == school.id).limit(1)) is not None:
        return
    principal = _user(PRINCIPAL)
    library = {key: rubrics.published(rubrics.from_library(school.id, principal, key, "id"))
               for key in ("pkg", "lesson_study_observation", "plan_quality")}
    rubrics.create(school.id, principal, SCHOOL_RUBRIC, publish_now=True)
    today = utcnow().date()
    _lesson_feedback(library["lesson_study_observation"], today)
    _plan_growth(library["plan_quality"], today)
    _novice_request(library["plan_quality"], today)
    _calibration(principal, library["plan_quality"])
    db.session.flush()
    notify.forget_pending_mail()  # the demo's people are told in the app only


def _rate(assessment, user, levels, glow="", grow="", submit=True, days_ago=0) -> None:
    version = assessment.rubric_version
    last = len(version.criteria) - 1
    # A glow on the first criterion, a grow on the last: as people write them.
    ratings = {c.id: Rating(version.levels[level - 1].id, glow if n == 0 else "",
                            grow if n == last else "")
               for n, (c, level) in enumerate(zip(version.criteria, levels, strict=True))}
    assessments.save(assessment, user, ratings, submit=submit)
    if submit:
        assessment.submitted_at = utcnow() - timedelta(days=days_ago)


def _of(request, user):
    return next(a for a in request.assessments if a.assessor_id == user.id)


def _lesson_feedback(version, today) -> None:
    teacher = _user("guru01")
    observation = db.session.scalar(select(Observation).where(
        Observation.teacher_id == teacher.id, Observation.state == "debriefed"))
    if observation is None:
        return
    assessors = [_user(h) for h in LESSON_FEEDBACK]
    request = assessments.request_feedback(teacher, RequestFields(
        rubric_version_id=version.id, assessor_ids=[a.id for a in assessors],
        due_on=today + timedelta(days=3), observation_id=observation.id,
        message="Mohon masukan untuk pembelajaran yang diamati minggu lalu."), today)
    for handle, (levels, glow, grow) in LESSON_FEEDBACK.items():
        _rate(_of(request, _user(handle)), _user(handle), levels, glow, grow, days_ago=2)
    _rate(_of(request, teacher), teacher, LESSON_SELF, "Siswa aktif berdiskusi.",
          "Perhatikan siswa yang diam.", days_ago=3)


def _plan_growth(version, today) -> None:
    """guru01's integer plan, assessed by guru02 and guru03 six weeks ago and again now."""
    teacher = _user("guru01")
    plan = db.session.scalar(select(Plan).where(Plan.owner_id == teacher.id)
                             .order_by(Plan.id))
    if plan is None:
        return
    for weeks_ago, levels in ((6, [2, 2, 1, 2, 2]), (0, [3, 3, 2, 3, 3])):
        request = assessments.request_feedback(teacher, RequestFields(
            rubric_version_id=version.id, assessor_ids=[_user("guru02").id, _user("guru03").id],
            due_on=today + timedelta(days=1), plan_id=plan.id, with_self=False), today)
        request.created_at = utcnow() - timedelta(weeks=weeks_ago)
        for handle in ("guru02", "guru03"):
            _rate(_of(request, _user(handle)), _user(handle), levels,
                  "Tujuan pembelajaran terukur.", "Tambahkan alternatif tanpa internet.",
                  days_ago=7 * weeks_ago + 1)


def _novice_request(version, today) -> None:
    """guru09 asks guru01 and guru02; guru02 has answered, guru01 has a draft to finish."""
    novice = _user("guru09")
    plan = db.session.scalar(select(Plan).where(Plan.owner_id == novice.id).order_by(Plan.id))
    if plan is None:
        return
    request = assessments.request_feedback(novice, RequestFields(
        rubric_version_id=version.id, assessor_ids=[_user("guru01").id, _user("guru02").id],
        due_on=today + timedelta(days=2), plan_id=plan.id,
        message="Ini rencana pertama saya untuk kelas 7C. Terima kasih!"), today)
    _rate(_of(request, _user("guru02")), _user("guru02"), [2, 2, 3, 1, 2],
          "Kegiatan inti sudah berurutan.", "Tulis tujuan dengan kata kerja terukur.")
    _rate(_of(request, _user("guru01")), _user("guru01"), [3, 2, 2, 2, 2],
          "Soal cerita dekat dengan kehidupan siswa.", "", submit=False)


def _calibration(principal, version) -> None:
    plan = db.session.scalar(select(Plan).where(Plan.school_id == principal.school_id,
                                                Plan.visibility == "school").order_by(Plan.id))
    if plan is None:
        return
    raters = [_user(h) for h in ("guru01", "guru02", "guru03")]
    round_ = calibration.create_round(principal, version, "Kalibrasi rubrik kualitas RPP",
                                      [r.id for r in raters], plan=plan)
    everyone = calibration.round_assessments(round_)
    levels = {principal.id: [3, 3, 2, 2, 3], raters[0].id: [3, 2, 2, 2, 3],
              raters[1].id: [4, 3, 1, 2, 3], raters[2].id: [3, 3, 3, 1, 4]}
    for assessment in everyone:
        _rate(assessment, assessment.assessor, levels[assessment.assessor_id], days_ago=5)
    calibration.close(round_, principal)
