"""Reading a timetable CSV: weekday names in both languages, every bad row with its own
problem, nothing written before apply_import, which replaces the listed teachers' weeks."""

from datetime import time

import pytest

from collab.core.csv_files import ImportFileError, decode_csv_bytes
from collab.extensions import db
from collab.timetables import service as timetables
from collab.timetables.service import LessonSlot
from collab.timetables.service_import import apply_import, parse_timetable_csv, parse_weekday

HEADER = "teacher_email,weekday,period,class,subject,room\n"


@pytest.mark.parametrize(("cell", "weekday"), [
    ("1", 0), ("5", 4), ("7", 6), ("Senin", 0), ("SELASA", 1), ("rabu", 2), ("Kamis", 3),
    ("Jumat", 4), ("Jum'at", 4), ("jum’at", 4), ("Sabtu", 5), ("Minggu", 6), ("monday", 0),
    ("Friday", 4), (" Sunday ", 6),
    ("0", None), ("8", None), ("01", None), ("", None), (None, None), ("Mon", None),
    ("٣", None), ("²", None),
])
def test_weekdays_are_numbers_or_names_in_either_language(cell, weekday):
    assert parse_weekday(cell) == weekday


@pytest.fixture
def school(make):
    school = make.school()
    for weekday in range(4):
        timetables.set_periods(school, weekday, [(time(7), time(7, 45)),
                                                 (time(7, 45), time(8, 30))])
    timetables.set_periods(school, 4, [(time(7), time(7, 45))])
    db.session.commit()
    return school


def test_every_bad_row_gets_its_own_problem(school, make):
    rina = make.user(school, email="rina@test.sch.id")
    make.user(make.school("SMP Lain"), email="lain@test.sch.id")
    text = HEADER + "\n".join([
        "RINA@test.sch.id,Senin,1,7A,Matematika,R.1",
        "nobody@test.sch.id,Senin,1,7A,Matematika,",
        "lain@test.sch.id,Senin,1,7A,Matematika,",
        ",Senin,1,7A,Matematika,",
        "rina@test.sch.id,Libur,1,7A,Matematika,",
        "rina@test.sch.id,Selasa,satu,7A,Matematika,",
        "rina@test.sch.id,Jumat,2,7A,Matematika,",
        "rina@test.sch.id,Sabtu,1,7A,Matematika,",
        "rina@test.sch.id,1,1,7B,IPA,",
        "rina@test.sch.id,2,2,,,",
        f"rina@test.sch.id,3,2,{'7' * 21},{'M' * 61},{'R' * 31}",
        "rina@test.sch.id,Kamis,2,9C,IPA",
    ])

    rows = {row.line: row.errors for row in parse_timetable_csv(school, text)}

    assert rows == {
        2: [],
        3: ["teacher_unknown"],
        4: ["teacher_unknown"],  # a teacher of another school is unknown here
        5: ["email_missing"],
        6: ["weekday_invalid"],
        7: ["period_invalid"],
        8: ["period_unknown"],
        9: ["period_unknown"],
        10: ["slot_duplicate"],
        11: ["class_missing", "subject_missing"],
        12: ["class_long", "subject_long", "room_long"],
        13: [],  # a short row: the room is optional
    }
    assert timetables.timetable(rina) == []  # nothing written by reading


@pytest.mark.parametrize(("text", "code"), [
    ("", "empty"),
    ("teacher_email,weekday\nrina@test.sch.id,1\n", "header"),
    (HEADER, "empty"),
    (HEADER + "a@b.c,1,1,7A,IPA,\n" * 501, "too_many"),
])
def test_an_unusable_file_is_refused_as_a_whole(school, text, code):
    with pytest.raises(ImportFileError) as error:
        parse_timetable_csv(school, text)
    assert error.value.code == code


def test_the_file_may_start_with_a_byte_order_mark_and_order_columns_freely(school, make):
    make.user(school, email="rina@test.sch.id")
    data = ("\ufeffRoom,Subject,Class,Period,Weekday,Teacher_Email\n"
            "R.1,IPA,7A,1,Senin,rina@test.sch.id\n")
    [row] = parse_timetable_csv(school, decode_csv_bytes(data.encode("utf-8-sig")))
    assert row.valid
    assert row.slot == LessonSlot(0, 1, "7A", "IPA", "R.1")


def test_utf16_and_binary_files_are_not_text():
    assert decode_csv_bytes("a,b\n".encode("utf-16")) is None
    assert decode_csv_bytes(b"\xff\xfe\x00\x00garbage\x80") is None
    assert decode_csv_bytes(b"a,b\n") == "a,b\n"


def test_an_import_replaces_only_the_listed_teachers_timetables(school, make):
    rina = make.user(school, email="rina@test.sch.id")
    budi = make.user(school, email="budi@test.sch.id")
    dewi = make.user(school, email="dewi@test.sch.id")
    timetables.save_timetable(rina, [LessonSlot(3, 2, "9A", "IPA")])
    timetables.save_timetable(dewi, [LessonSlot(3, 2, "9B", "IPS")])
    db.session.commit()
    text = HEADER + "\n".join([
        "rina@test.sch.id,Senin,1,7A,Matematika,R.1",
        "rina@test.sch.id,Jumat,1,7B,Matematika,R.2",
        "rina@test.sch.id,Jumat,9,7C,Matematika,",
        "budi@test.sch.id,Rabu,2,8A,IPA,Lab",
    ])

    imported = apply_import(parse_timetable_csv(school, text))
    db.session.commit()

    assert {user.email: count for user, count in imported.items()} == {
        "rina@test.sch.id": 2, "budi@test.sch.id": 1}
    assert [(x.weekday, x.period, x.class_name) for x in timetables.timetable(rina)] == [
        (0, 1, "7A"), (4, 1, "7B")]
    assert [(x.weekday, x.class_name, x.room) for x in timetables.timetable(budi)] == [
        (2, "8A", "Lab")]
    assert [x.class_name for x in timetables.timetable(dewi)] == ["9B"]  # not in the file
