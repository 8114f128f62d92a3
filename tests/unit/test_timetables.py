"""The timetable service: periods per weekday, terms and holidays, saving a teacher's week,
real upcoming lessons (in a term, holidays skipped, in the school's time zone), who is busy
when, and the grade of a class name."""

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from collab.extensions import db
from collab.timetables import service as timetables
from collab.timetables.models import Lesson, SchoolClass
from collab.timetables.service import LessonSlot, TimetableError, grade_of

MONDAY = date(2026, 11, 30)
FRIDAY = date(2026, 12, 4)


def hm(text: str) -> time:
    return time.fromisoformat(text)


@pytest.fixture
def school(make):
    school = make.school("SMP Jadwal")
    for weekday in range(4):
        timetables.set_periods(school, weekday, [(hm("07:00"), hm("07:45")),
                                                 (hm("07:45"), hm("08:30")),
                                                 (hm("08:45"), hm("09:30"))])
    timetables.set_periods(school, 4, [(hm("07:30"), hm("08:05")), (hm("08:05"), hm("08:40"))])
    timetables.add_term(school, "Semester Ganjil", date(2026, 7, 13), date(2026, 12, 18))
    db.session.commit()
    return school


@pytest.fixture
def teacher(make, school):
    return make.user(school)


# ---------------------------------------------------------------- grade_of


@pytest.mark.parametrize(("name", "grade"), [
    ("7A", 7), ("7", 7), ("10 IPA 2", 10), ("12", 12), (" 8B", 8),
    ("X IPA 1", 10), ("VII-B", 7), ("XII", 12), ("iv", 4), ("IX.2", 9), ("VIII A", 8),
    ("Kelas 7", None), ("13A", None), ("0A", None), ("", None), ("IPA", None),
    ("Ivan", None), ("XIII", None), ("123", None),
])
def test_grade_of_reads_arabic_and_roman_grades(name, grade):
    assert grade_of(name) == grade


# ---------------------------------------------------------------- periods


def test_periods_are_numbered_in_order_and_friday_differs(school):
    periods = timetables.periods_by_weekday(school.id)
    assert [p.number for p in periods[0]] == [1, 2, 3]
    assert [(p.starts_at, p.ends_at) for p in periods[4]] == [
        (hm("07:30"), hm("08:05")), (hm("08:05"), hm("08:40"))]
    assert 5 not in periods and 6 not in periods


def test_setting_a_day_again_replaces_its_periods(school):
    timetables.set_periods(school, 0, [(hm("08:00"), hm("08:40"))])
    assert [(p.number, p.starts_at) for p in timetables.periods_by_weekday(school.id)[0]] == [
        (1, hm("08:00"))]


@pytest.mark.parametrize("times", [
    [(hm("08:00"), hm("07:00"))],
    [(hm("08:00"), hm("08:00"))],
    [(hm("07:00"), hm("07:45")), (hm("07:30"), hm("08:15"))],
    [(hm("07:00"), hm("07:05"))] * 15,
])
def test_impossible_period_times_are_refused(school, times):
    with pytest.raises(TimetableError):
        timetables.set_periods(school, 1, times)


def test_copying_monday_gives_the_other_days_the_same_periods(school):
    timetables.set_periods(school, 0, [(hm("06:45"), hm("07:30"))])
    timetables.copy_periods(school, 0, [1, 2, 5])
    periods = timetables.periods_by_weekday(school.id)
    for weekday in (1, 2, 5):
        assert [(p.starts_at, p.ends_at) for p in periods[weekday]] == [
            (hm("06:45"), hm("07:30"))]
    assert len(periods[3]) == 3  # not chosen: unchanged


# ---------------------------------------------------------------- terms and holidays


def test_overlapping_terms_and_backwards_ranges_are_refused(school):
    with pytest.raises(TimetableError) as overlap:
        timetables.add_term(school, "Tumpang", date(2026, 12, 1), date(2027, 1, 10))
    assert overlap.value.code == "term_overlap"
    with pytest.raises(TimetableError) as backwards:
        timetables.add_holiday(school, "Mundur", date(2026, 12, 5), date(2026, 12, 1))
    assert backwards.value.code == "ends_before_start"
    with pytest.raises(TimetableError):
        timetables.add_holiday(school, "  ", date(2026, 12, 5))


def test_a_one_day_holiday_ends_the_day_it_starts(school):
    holiday = timetables.add_holiday(school, "Rapat guru", date(2026, 12, 2))
    assert holiday.ends_on == holiday.starts_on


# ---------------------------------------------------------------- saving a timetable


def test_saving_replaces_the_whole_week_and_knows_the_classes(school, teacher):
    timetables.save_timetable(teacher, [LessonSlot(0, 1, "7A", "Matematika", "R.1")])
    timetables.save_timetable(teacher, [
        LessonSlot(0, 2, "  7B ", " Matematika  Wajib", ""),
        LessonSlot(4, 2, "X IPA 1", "Matematika", "Lab"),
    ])
    db.session.commit()
    lessons = [(lesson.weekday, lesson.period, lesson.class_name, lesson.subject)
               for lesson in timetables.timetable(teacher)]
    assert lessons == [(0, 2, "7B", "Matematika Wajib"), (4, 2, "X IPA 1", "Matematika")]
    classes = {c.name: c.grade for c in db.session.scalars(select(SchoolClass))}
    assert classes == {"7A": 7, "7B": 7, "X IPA 1": 10}  # classes stay once known


@pytest.mark.parametrize("slot", [
    LessonSlot(4, 3, "7A", "Matematika"),        # Friday has two periods only
    LessonSlot(5, 1, "7A", "Matematika"),        # no lessons on Saturday
    LessonSlot(0, 1, "", "Matematika"),
    LessonSlot(0, 1, "7A", " "),
    LessonSlot(0, 1, "7" * 21, "Matematika"),
    LessonSlot(0, 1, "7A", "M" * 61),
    LessonSlot(0, 1, "7A", "Matematika", "R" * 31),
])
def test_a_bad_slot_saves_nothing(school, teacher, slot):
    timetables.save_timetable(teacher, [LessonSlot(1, 1, "8A", "IPA")])
    db.session.commit()
    with pytest.raises(TimetableError):
        timetables.save_timetable(teacher, [LessonSlot(2, 1, "9A", "IPA"), slot])
    db.session.rollback()
    assert [(x.weekday, x.class_name) for x in timetables.timetable(teacher)] == [(1, "8A")]


def test_control_characters_never_reach_the_database(school, teacher):
    timetables.save_timetable(teacher, [LessonSlot(0, 1, "7\x00A", "IPA\x1b", "R\n1")])
    term = timetables.add_term(school, "Genap\x00", date(2027, 1, 5), date(2027, 6, 25))
    [lesson] = timetables.timetable(teacher)
    assert (lesson.class_name, lesson.subject, lesson.room, term.name) == (
        "7A", "IPA", "R1", "Genap")
    with pytest.raises(TimetableError):
        timetables.save_timetable(teacher, [LessonSlot(0, 1, "\x00", "IPA")])


def test_two_lessons_in_one_period_are_refused(school, teacher):
    with pytest.raises(TimetableError):
        timetables.save_timetable(teacher, [LessonSlot(0, 1, "7A", "IPA"),
                                            LessonSlot(0, 1, "7B", "IPA")])


# ---------------------------------------------------------------- upcoming lessons


def test_upcoming_lessons_are_real_dates_in_the_schools_time_zone(school, teacher):
    timetables.save_timetable(teacher, [LessonSlot(0, 1, "7A", "Matematika", "R.1"),
                                        LessonSlot(4, 2, "7B", "Matematika", "")])
    lessons = timetables.upcoming_lessons(teacher, MONDAY, weeks=1)
    assert [(x.on, x.period, x.class_name) for x in lessons] == [
        (MONDAY, 1, "7A"), (FRIDAY, 2, "7B")]
    monday, friday = lessons
    # 07:00 in Jakarta (UTC+7) is midnight UTC; Friday's period 2 is 08:05-08:40 local.
    assert monday.starts_at == datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
    assert monday.ends_at == datetime(2026, 11, 30, 0, 45, tzinfo=UTC)
    assert friday.starts_at == datetime(2026, 12, 4, 1, 5, tzinfo=UTC)
    assert monday.room == "R.1" and monday.subject == "Matematika"
    assert monday.teacher_id == teacher.id


def test_upcoming_lessons_follow_the_schools_own_time_zone(make, teacher, school):
    school.timezone = "Asia/Jayapura"  # UTC+9
    db.session.commit()
    timetables.save_timetable(teacher, [LessonSlot(0, 1, "7A", "Matematika")])
    [lesson] = timetables.upcoming_lessons(teacher, MONDAY, weeks=1)
    assert lesson.starts_at == datetime(2026, 11, 29, 22, 0, tzinfo=UTC)


def test_upcoming_lessons_skip_holidays_and_stop_at_the_end_of_the_term(school, teacher):
    timetables.add_holiday(school, "Rapat guru", date(2026, 12, 7))
    timetables.add_holiday(school, "Libur", date(2026, 12, 14), date(2026, 12, 15))
    timetables.save_timetable(teacher, [LessonSlot(0, 1, "7A", "Matematika"),
                                        LessonSlot(1, 1, "7A", "Matematika")])
    dates = [x.on for x in timetables.upcoming_lessons(teacher, MONDAY, weeks=4)]
    assert dates == [date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 8)]


def test_no_upcoming_lessons_before_a_term_or_without_a_school(school, teacher, make):
    timetables.save_timetable(teacher, [LessonSlot(0, 1, "7A", "Matematika")])
    assert timetables.upcoming_lessons(teacher, date(2026, 6, 1), weeks=4) == []
    assert timetables.upcoming_lessons(make.user(None), MONDAY) == []


def test_upcoming_lessons_start_again_in_the_next_term(school, teacher):
    timetables.add_term(school, "Semester Genap", date(2027, 1, 5), date(2027, 6, 25))
    timetables.save_timetable(teacher, [LessonSlot(1, 1, "7A", "Matematika")])
    dates = [x.on for x in timetables.upcoming_lessons(teacher, date(2026, 12, 14), weeks=4)]
    assert dates == [date(2026, 12, 15), date(2027, 1, 5)]


def test_a_lesson_whose_period_was_removed_is_not_upcoming(school, teacher):
    timetables.save_timetable(teacher, [LessonSlot(0, 3, "7A", "Matematika")])
    timetables.set_periods(school, 0, [(hm("07:00"), hm("07:45"))])
    assert timetables.upcoming_lessons(teacher, MONDAY, weeks=1) == []


# ---------------------------------------------------------------- who is busy


def test_busy_teachers_are_those_with_a_lesson_then(school, teacher, make):
    other = make.user(school)
    free = make.user(school)
    elsewhere = make.user(make.school("SMP Lain"))
    timetables.save_timetable(teacher, [LessonSlot(0, 1, "7A", "Matematika")])
    timetables.save_timetable(other, [LessonSlot(0, 1, "7B", "IPA"),
                                      LessonSlot(0, 2, "7A", "IPA")])
    db.session.add(Lesson(school_id=elsewhere.school_id, teacher_id=elsewhere.id, weekday=0,
                          period=1, class_name="7A", subject="IPA", room=""))
    db.session.commit()
    assert timetables.busy_teachers(school.id, MONDAY, 1) == {teacher.id, other.id}
    assert timetables.busy_teachers(school.id, MONDAY, 2) == {other.id}
    assert free.id not in timetables.busy_teachers(school.id, MONDAY, 1)
    assert timetables.busy_teachers(school.id, date(2026, 12, 1), 1) == set()  # Tuesday


def test_nobody_is_busy_on_a_holiday(school, teacher):
    timetables.add_holiday(school, "Rapat guru", MONDAY)
    timetables.save_timetable(teacher, [LessonSlot(0, 1, "7A", "Matematika")])
    assert timetables.busy_teachers(school.id, MONDAY, 1) == set()


def test_busy_teachers_takes_three_queries_for_the_whole_school(school, teacher, count_queries):
    timetables.save_timetable(teacher, [LessonSlot(0, 1, "7A", "Matematika")])
    db.session.commit()
    school_id = school.id
    with count_queries() as queries:
        timetables.busy_teachers(school_id, MONDAY, 1)
    assert len(queries) <= 3  # the school-day check (terms, holidays) and the lessons
