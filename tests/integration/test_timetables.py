"""The timetable pages: the principal's school calendar (periods per weekday, copy a day,
terms, holidays), my weekly timetable, and the timetable CSV import with its report and
confirmation. Bad input is kept with the error next to the field; hostile input is never a
500; another school's items are 404."""

import io
from datetime import date, time

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from collab.extensions import db
from collab.timetables import service as timetables
from collab.timetables.models import Holiday, Lesson, Term
from collab.timetables.service import LessonSlot
from tests.conftest import csrf_token, post_form

SCHEDULE = "/settings/school/schedule"
TIMETABLE = "/settings/timetable"
IMPORT = "/settings/school/timetables/import"


@pytest.fixture
def school(world):
    school = world["a"]["school"]
    for weekday in range(4):
        timetables.set_periods(school, weekday, [(time(7), time(7, 45)),
                                                 (time(7, 45), time(8, 30))])
    timetables.set_periods(school, 4, [(time(7, 30), time(8, 5))])
    db.session.commit()
    return school


def english(c):
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return c


@pytest.fixture
def principal(world, client_for):
    """School A's principal, reading the pages in English."""
    return english(client_for(world["a"]["principal"]))


@pytest.fixture
def teacher(world, client_for):
    """School A's teacher, reading the pages in English."""
    return english(client_for(world["a"]["teacher"]))


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def error_of(page: BeautifulSoup, field_id: str) -> str:
    node = page.find(id=f"{field_id}-error")
    return node.get_text(" ", strip=True) if node else ""


def value_of(page: BeautifulSoup, field_id: str) -> str:
    return page.find(id=field_id).get("value", "")


def periods_of(school, weekday):
    return [(p.number, p.starts_at, p.ends_at)
            for p in timetables.periods_by_weekday(school.id).get(weekday, [])]


# ---------------------------------------------------------------- the school calendar


def test_the_calendar_shows_each_days_periods(school, principal):
    page = soup(principal.get(SCHEDULE))
    assert value_of(page, "day0-rows-0-starts_at") == "07:00"
    assert value_of(page, "day0-rows-1-ends_at") == "08:30"
    assert value_of(page, "day4-rows-0-starts_at") == "07:30"
    assert value_of(page, "day5-rows-0-starts_at") == ""  # Saturday: empty rows to fill
    assert page.find("details", id="day-0").has_attr("open")
    assert not page.find("details", id="day-5").has_attr("open")


def test_saving_a_day_numbers_its_periods_in_order_and_skips_empty_rows(school, principal):
    response = post_form(principal, f"{SCHEDULE}/days/5", {
        "rows-0-starts_at": "07:00", "rows-0-ends_at": "07:40",
        "rows-1-starts_at": "", "rows-1-ends_at": "",
        "rows-2-starts_at": "07.40", "rows-2-ends_at": "08.20",
    }, page=SCHEDULE)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/settings/school/schedule#day-5")
    assert periods_of(school, 5) == [(1, time(7), time(7, 40)), (2, time(7, 40), time(8, 20))]


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"rows-0-starts_at": "7 pagi", "rows-0-ends_at": "07:45"}, "day1-rows-0-starts_at",
     "Enter a time such as 07:30."),
    ({"rows-0-starts_at": "08:00", "rows-0-ends_at": "07:45"}, "day1-rows-0-ends_at",
     "The period must end after it starts."),
    ({"rows-0-starts_at": "07:00", "rows-0-ends_at": "07:45",
      "rows-1-starts_at": "07:30", "rows-1-ends_at": "08:15"}, "day1-rows-1-ends_at",
     "The period starts before the previous one ends."),
    ({"rows-0-starts_at": "07:00", "rows-0-ends_at": ""}, "day1-rows-0-ends_at",
     "Enter both the start and the end."),
])
def test_bad_period_times_are_shown_next_to_the_row_and_kept(school, principal, data, field,
                                                              message):
    response = post_form(principal, f"{SCHEDULE}/days/1", data, page=SCHEDULE)
    assert response.status_code == 400
    page = soup(response)
    row = field.rsplit("-", 1)[0]
    assert message in error_of(page, row)
    assert page.find(id=field)["aria-invalid"] == "true"
    for name, value in data.items():
        assert value_of(page, f"day1-{name}") == value
    assert page.find("details", id="day-1").has_attr("open")
    assert len(periods_of(school, 1)) == 2  # unchanged


def test_copying_monday_to_other_days(school, principal):
    timetables.set_periods(school, 0, [(time(6, 45), time(7, 30))])
    response = post_form(principal, f"{SCHEDULE}/copy",
                         {"source": "0", "targets": ["1", "2", "5"]}, page=SCHEDULE)
    assert response.status_code == 302
    for weekday in (1, 2, 5):
        assert periods_of(school, weekday) == [(1, time(6, 45), time(7, 30))]
    assert len(periods_of(school, 3)) == 2


def test_copying_to_no_day_says_so(school, principal):
    response = post_form(principal, f"{SCHEDULE}/copy", {"source": "0"}, page=SCHEDULE)
    assert response.status_code == 400
    assert "Choose at least one day." in error_of(soup(response), "copy-targets")


def test_adding_and_removing_a_term_and_a_holiday(school, principal):
    response = post_form(principal, f"{SCHEDULE}/terms", {
        "name": "Semester Ganjil", "starts_on": "2026-07-13", "ends_on": "2026-12-18"},
        page=SCHEDULE)
    assert response.status_code == 302
    response = post_form(principal, f"{SCHEDULE}/holidays", {
        "name": "Rapat guru", "starts_on": "2026-12-09", "ends_on": ""}, page=SCHEDULE)
    assert response.status_code == 302
    [term] = db.session.scalars(select(Term).where(Term.school_id == school.id))
    [holiday] = db.session.scalars(select(Holiday).where(Holiday.school_id == school.id))
    assert (term.starts_on, term.ends_on) == (date(2026, 7, 13), date(2026, 12, 18))
    assert holiday.starts_on == holiday.ends_on == date(2026, 12, 9)
    page = principal.get(SCHEDULE).text
    assert "Semester Ganjil" in page and "Rapat guru" in page

    post_form(principal, f"{SCHEDULE}/terms/{term.id}/delete", page=SCHEDULE)
    post_form(principal, f"{SCHEDULE}/holidays/{holiday.id}/delete", page=SCHEDULE)
    assert timetables.terms(school.id) == [] and timetables.holidays(school.id) == []


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"name": "", "starts_on": "2026-07-13", "ends_on": "2026-12-18"}, "term-name",
     "Enter a name."),
    ({"name": "Ganjil", "starts_on": "13/07/2026", "ends_on": "2026-12-18"}, "term-starts_on",
     "Enter a date such as 2026-07-13."),
    ({"name": "Ganjil", "starts_on": "2026-12-18", "ends_on": "2026-07-13"}, "term-ends_on",
     "The last day cannot be before the first day."),
    ({"name": "Ganjil", "starts_on": "2026-07-13", "ends_on": ""}, "term-ends_on",
     "Enter the last day."),
])
def test_a_bad_term_keeps_what_was_typed(school, principal, data, field, message):
    response = post_form(principal, f"{SCHEDULE}/terms", data, page=SCHEDULE)
    assert response.status_code == 400
    page = soup(response)
    assert message in error_of(page, field)
    for name, value in data.items():
        assert value_of(page, f"term-{name}") == value
        assert value_of(page, f"holiday-{name}") == "", "only the form sent keeps its input"
    assert value_of(page, "day0-rows-0-starts_at") == "07:00"
    assert timetables.terms(school.id) == []


@pytest.mark.dialect
def test_an_overlapping_term_is_refused_next_to_its_first_day(school, principal):
    timetables.add_term(school, "Ganjil", date(2026, 7, 13), date(2026, 12, 18))
    response = post_form(principal, f"{SCHEDULE}/terms", {
        "name": "Tumpang", "starts_on": "2026-12-01", "ends_on": "2027-01-31"}, page=SCHEDULE)
    assert response.status_code == 400
    assert "overlaps another term" in error_of(soup(response), "term-starts_on")
    assert [t.name for t in timetables.terms(school.id)] == ["Ganjil"]


HOSTILE = ["", "x" * 10_000, "<script>alert(1)</script>", "\x00", "99:99", "-1", "٠٧:٠٠",
           "2026-02-30", "9999999999999999999", "{{7*7}}", "../../etc/passwd"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_input_on_the_calendar_is_never_a_500(school, principal, value):
    html = principal.get(SCHEDULE).text
    token = csrf_token(html)
    posts = {
        f"{SCHEDULE}/days/0": {"rows-0-starts_at": value, "rows-0-ends_at": value,
                               f"rows-{value[:20]}-starts_at": value},
        f"{SCHEDULE}/days/6": {"rows-99999999999-starts_at": value},
        f"{SCHEDULE}/copy": {"source": value, "targets": [value, "9", "-1"]},
        f"{SCHEDULE}/terms": {"name": value, "starts_on": value, "ends_on": value},
        f"{SCHEDULE}/holidays": {"name": value, "starts_on": value, "ends_on": value},
        TIMETABLE: {"d0p1-class_name": value, "d0p1-subject": value, "d9p9-room": value},
    }
    for url, data in posts.items():
        response = principal.post(url, data={"csrf_token": token, **data})
        assert response.status_code in (302, 400), (url, response.status_code)
        assert "<script>alert(1)</script>" not in response.text


def test_an_unknown_weekday_is_404(school, principal):
    assert post_form(principal, f"{SCHEDULE}/days/7", page=SCHEDULE).status_code == 404


def test_another_schools_term_and_holiday_are_404_and_stay(world, school, client_for):
    term = timetables.add_term(school, "Ganjil A", date(2026, 7, 13), date(2026, 12, 18))
    holiday = timetables.add_holiday(school, "Libur A", date(2026, 12, 9))
    db.session.commit()
    other = client_for(world["b"]["principal"])
    for url in (f"{SCHEDULE}/terms/{term.id}/delete", f"{SCHEDULE}/holidays/{holiday.id}/delete"):
        assert post_form(other, url, page=SCHEDULE).status_code == 404
    assert timetables.terms(school.id) and timetables.holidays(school.id)
    page = other.get(SCHEDULE).text
    assert "Ganjil A" not in page and "Libur A" not in page and "07:45" not in page


def test_a_teacher_cannot_change_the_calendar(school, teacher):
    assert teacher.get(SCHEDULE).status_code == 403
    token = csrf_token(teacher.get(TIMETABLE).text)
    response = teacher.post(f"{SCHEDULE}/days/0", data={"csrf_token": token})
    assert response.status_code == 403
    assert len(periods_of(school, 0)) == 2
    assert teacher.get(IMPORT).status_code == 403


# ---------------------------------------------------------------- my timetable


def test_my_timetable_is_a_grid_of_the_schools_periods(school, world, teacher):
    timetables.save_timetable(world["a"]["teacher"], [LessonSlot(0, 2, "7A", "Matematika",
                                                                 "R.1")])
    db.session.commit()
    page = soup(teacher.get(TIMETABLE))
    assert [h.get_text() for h in page.select(".day h2")] == [
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
    assert value_of(page, "d0p2-class_name") == "7A"
    assert value_of(page, "d0p2-room") == "R.1"
    assert page.find(id="d4p1-subject") is not None
    assert page.find(id="d4p2-subject") is None  # Friday has one period


@pytest.mark.smoke
def test_saving_my_timetable(school, world, teacher):
    response = post_form(teacher, TIMETABLE, {
        "d0p1-class_name": " 7A ", "d0p1-subject": "Matematika", "d0p1-room": "R.1",
        "d4p1-class_name": "VII-B", "d4p1-subject": "Matematika",
        "d1p2-class_name": "", "d1p2-subject": "", "d1p2-room": "",
    })
    assert response.status_code == 302
    lessons = timetables.timetable(world["a"]["teacher"])
    assert [(x.weekday, x.period, x.class_name, x.room) for x in lessons] == [
        (0, 1, "7A", "R.1"), (4, 1, "VII-B", "")]
    assert "Your timetable is saved." in teacher.get(TIMETABLE).text


def test_a_half_filled_period_keeps_what_was_typed(school, world, teacher):
    data = {"d0p1-class_name": "7A", "d0p1-subject": "", "d0p1-room": "Lab",
            "d1p1-class_name": "", "d1p1-subject": "IPA",
            "d2p1-class_name": "8A", "d2p1-subject": "IPA" * 30}
    response = post_form(teacher, TIMETABLE, data)
    assert response.status_code == 400
    page = soup(response)
    assert error_of(page, "d0p1-subject") == "Enter the subject."
    assert error_of(page, "d1p1-class_name") == "Enter the class, such as 7A."
    assert error_of(page, "d2p1-subject") == "At most 60 characters."
    for name, value in data.items():
        assert value_of(page, name) == value
    assert page.find(role="alert") is not None
    assert timetables.timetable(world["a"]["teacher"]) == []


def test_my_timetable_in_indonesian(school, world, client_for):
    teacher = client_for(world["a"]["teacher"])
    teacher.environ_base["HTTP_ACCEPT_LANGUAGE"] = "id"
    response = post_form(teacher, TIMETABLE, {"d0p1-class_name": "7A"})
    page = soup(response)
    assert page.html["lang"] == "id"
    assert "Senin" in page.get_text()
    assert error_of(page, "d0p1-subject") == "Isi mata pelajarannya."


def test_a_school_without_periods_says_so(world, teacher):
    assert "has not set its teaching periods" in teacher.get(TIMETABLE).text


@pytest.mark.dialect
def test_saving_my_timetable_touches_nobody_elses(school, world, teacher):
    colleague = world["a"]["teacher2"]
    timetables.save_timetable(colleague, [LessonSlot(0, 1, "7B", "IPA")])
    db.session.commit()
    post_form(teacher, TIMETABLE, {"d0p1-class_name": "7A", "d0p1-subject": "Matematika",
                                   "teacher_id": str(colleague.id),
                                   "school_id": str(world["b"]["school"].id)})
    assert [x.class_name for x in timetables.timetable(colleague)] == ["7B"]
    [mine] = timetables.timetable(world["a"]["teacher"])
    assert mine.school_id == school.id


# ---------------------------------------------------------------- the CSV import


def upload(c, content: bytes):
    html = c.get(IMPORT).text
    return c.post(IMPORT, data={"csrf_token": csrf_token(html),
                                "file": (io.BytesIO(content), "jadwal.csv")},
                  content_type="multipart/form-data")


def confirm_data(html: str) -> dict:
    form = BeautifulSoup(html, "html.parser").find(
        "input", attrs={"name": "confirm"}).find_parent("form")
    return {i["name"]: i.get("value", "") for i in form.find_all("input")}


def report(html: str) -> dict[str, str]:
    rows = {}
    for tr in BeautifulSoup(html, "html.parser").select("tbody tr"):
        cells = [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        rows[cells[0]] = cells[-1]
    return rows


def mixed_csv(world) -> bytes:
    a, b = world["a"], world["b"]
    return "\n".join([
        "teacher_email,weekday,period,class,subject,room",
        f"{a['teacher'].email},Senin,1,7A,Matematika,R.1",
        f"{a['teacher'].email},Jum'at,1,7B,Matematika,",
        f"{a['teacher'].email},senin,1,7C,Matematika,",
        f"{a['mentor'].email},Sabtu,1,8A,IPA,",
        f"{b['teacher'].email},2,1,8A,IPA,",
        f"{a['mentor'].email},Kamis,2,,IPA,",
        f"{a['teacher2'].email},Rabu,2,9A,IPS,R.9",
    ]).encode()


def test_the_import_report_names_every_problem_and_writes_nothing(school, world, principal):
    response = upload(principal, mixed_csv(world))
    assert response.status_code == 200
    assert report(response.text) == {
        "2": "Ready",
        "3": "Ready",
        "4": "This teacher already has a lesson in this period in the file.",
        "5": "The school has no such period on that day.",
        "6": "No member of the school has this e-mail address.",
        "7": "The class is missing.",
        "8": "Ready",
    }
    assert "3 rows can be imported" in response.text
    assert world["b"]["teacher"].name not in response.text
    assert db.session.scalars(select(Lesson)).all() == []


@pytest.mark.dialect
def test_confirming_replaces_the_listed_teachers_timetables(school, world, principal):
    timetables.save_timetable(world["a"]["teacher"], [LessonSlot(3, 2, "9C", "Matematika")])
    timetables.save_timetable(world["a"]["mentor"], [LessonSlot(3, 2, "9A", "IPA")])
    db.session.commit()
    preview = upload(principal, mixed_csv(world))

    response = principal.post(IMPORT, data=confirm_data(preview.text))

    assert response.status_code == 302
    teacher = [(x.weekday, x.class_name) for x in timetables.timetable(world["a"]["teacher"])]
    assert teacher == [(0, "7A"), (4, "7B")]
    assert [x.room for x in timetables.timetable(world["a"]["teacher2"])] == ["R.9"]
    # The mentor's rows were all refused: their timetable stays as it was.
    assert [x.class_name for x in timetables.timetable(world["a"]["mentor"])] == ["9A"]
    assert timetables.timetable(world["b"]["teacher"]) == []
    page = principal.get(SCHEDULE).text
    assert "The timetables of 2 teachers are replaced." in page


def test_an_unreadable_file_gets_a_message(school, principal):
    response = upload(principal, "teacher_email,weekday\n".encode("utf-16"))
    assert response.status_code == 400
    assert "not UTF-8 text" in response.text
    response = upload(principal, b"name,email\nRina,rina@test.sch.id\n")
    assert response.status_code == 400
    assert "The first row must name the columns" in response.text


def test_an_import_confirmed_without_a_csrf_token_writes_nothing(school, world, principal):
    data = confirm_data(upload(principal, mixed_csv(world)).text)
    del data["csrf_token"]
    assert principal.post(IMPORT, data=data).status_code == 400
    assert db.session.scalars(select(Lesson)).all() == []


def test_the_import_command_prints_the_report_and_imports_when_told(school, world, runner,
                                                                   tmp_path):
    path = tmp_path / "jadwal.csv"
    path.write_bytes(mixed_csv(world))
    dry = runner.invoke(args=["import-timetable", str(path), "--school", str(school.id)],
                        input="n\n")
    assert dry.exit_code == 0, dry.output
    assert "row 6: " in dry.output and "teacher_unknown" in dry.output
    assert "Nothing imported." in dry.output
    db.session.expire_all()
    assert db.session.scalars(select(Lesson)).all() == []

    done = runner.invoke(args=["import-timetable", str(path), "--school", "smp-alpha", "--yes"])
    assert done.exit_code == 0, done.output
    assert "Timetables replaced for 2 teacher(s)." in done.output
    db.session.expire_all()
    assert len(timetables.timetable(world["a"]["teacher"])) == 2

    missing = runner.invoke(args=["import-timetable", str(path), "--school", "no-such"])
    assert missing.exit_code != 0


# ---------------------------------------------------------------- classes and seating


def test_the_principal_sets_each_classes_grade_and_seating_grid(school, world, principal,
                                                                  teacher):
    from collab.observations import service_notes as observation_notes  # noqa: F401  (the grid's reader)
    from collab.timetables.models import SchoolClass
    from collab.timetables.service import LessonSlot

    timetables.save_timetable(world["a"]["teacher"], [LessonSlot(0, 1, "7A", "IPA"),
                                                      LessonSlot(1, 1, "8B", "IPA")])
    theirs = SchoolClass(school_id=world["b"]["school"].id, name="9Z", seat_rows=5, seat_cols=6)
    db.session.add(theirs)
    db.session.commit()
    page = principal.get("/settings/school/classes")
    assert page.status_code == 200
    assert [th.get_text(strip=True) for th in soup(page).select("tbody th")] == ["7A", "8B"]
    assert "9Z" not in page.text
    assert teacher.get("/settings/school/classes").status_code == 403

    seven = db.session.scalar(select(SchoolClass).where(SchoolClass.name == "7A"))
    eight = db.session.scalar(select(SchoolClass).where(SchoolClass.name == "8B"))
    token = csrf_token(page.text)
    data = {"csrf_token": token,
            "classes-0-class_id": seven.id, "classes-0-grade": "7",
            "classes-0-seat_rows": "4", "classes-0-seat_cols": "8",
            "classes-1-class_id": theirs.id, "classes-1-grade": "9",
            "classes-1-seat_rows": "2", "classes-1-seat_cols": "2"}
    assert principal.post("/settings/school/classes", data=data).status_code == 302
    db.session.expire_all()
    assert (seven.grade, seven.seat_rows, seven.seat_cols) == (7, 4, 8)
    assert (theirs.seat_rows, theirs.seat_cols) == (5, 6), "another school's class untouched"

    bad = {"csrf_token": token, "classes-0-class_id": eight.id, "classes-0-grade": "8",
           "classes-0-seat_rows": "dua puluh", "classes-0-seat_cols": "99"}
    refused = principal.post("/settings/school/classes", data=bad)
    assert refused.status_code == 400
    assert "Type a whole number, such as 45." in refused.text
    assert "Between 1 and 12." in refused.text
    assert 'value="dua puluh"' in refused.text, "what was typed is kept"
    db.session.expire_all()
    assert (eight.seat_rows, eight.seat_cols) == (5, 6)
