"""Reading a staff CSV: split_list for the subject and grade cells, parse_staff_csv checking
every row (the database look-up for existing accounts needs the `app` fixture)."""

import pytest

from collab.people.service_staff_import import (
    MAX_ROWS,
    ImportFileError,
    parse_staff_csv,
    split_list,
)

HEADER = "name,email,subjects,grades,years_teaching\n"


@pytest.mark.parametrize(("cell", "expected"), [
    ("Matematika; IPA", ["Matematika", "IPA"]),
    ("Matematika, IPA", ["Matematika", "IPA"]),
    ("7;8;9", ["7", "8", "9"]),
    (" IPA ;; ; IPS ,", ["IPA", "IPS"]),
    ("Bahasa Indonesia", ["Bahasa Indonesia"]),
    ("", []),
    ("  ", []),
    (None, []),
])
def test_split_list_splits_on_semicolons_and_commas_and_drops_empties(cell, expected):
    assert split_list(cell) == expected


def by_line(rows):
    return {row.line: row for row in rows}


@pytest.mark.parametrize("mark", [";", "\t"])
def test_excel_files_separated_by_semicolons_or_tabs_are_read(app, mark):
    """Excel saves "CSV" with semicolons where the decimal mark is a comma (Indonesia);
    several subjects in a cell are then separated by commas."""
    text = mark.join(["name", "email", "subjects", "grades", "years_teaching"]) + "\n" + \
        mark.join(["Rina Wulandari", "rina@test.sch.id", "Matematika, IPA", "7, 8", "2"])
    [row] = parse_staff_csv(text + "\n")
    assert row.valid, row.errors
    assert row.details.subjects == ["Matematika", "IPA"]
    assert row.details.grades == ["7", "8"]


def test_a_good_row_becomes_staff_details(app):
    [row] = parse_staff_csv(HEADER + "Rina Wulandari, Rina@Test.sch.id ,Matematika;IPA,7;8,2\n")
    assert row.valid
    assert row.line == 2
    details = row.details
    assert details.name == "Rina Wulandari"
    assert details.email == "rina@test.sch.id"  # normalised like every stored address
    assert details.subjects == ["Matematika", "IPA"]
    assert details.grades == ["7", "8"]
    assert details.years_teaching == 2
    assert details.role == "teacher"


def test_every_bad_row_gets_its_own_problem(app, make):
    school = make.school()
    make.user(school, email="taken@test.sch.id")
    make.user(make.school("SMP Lain"), email="elsewhere@test.sch.id")
    text = HEADER + "\n".join([
        "Good,good@test.sch.id,,,",
        ",noname@test.sch.id,,,",
        "Bad Mail,bad-address,,,",
        "Again,GOOD@test.sch.id,,,",
        "Taken,taken@test.sch.id,,,",
        "Letters,letters@test.sch.id,,,abc",
        "Old,old@test.sch.id,,,99",
        "Negative,neg@test.sch.id,,,-1",
        "Super,super@test.sch.id,,,²",
        f"{'x' * 121},long@test.sch.id,,,",
        "Elsewhere,elsewhere@test.sch.id,,,",
    ])

    rows = by_line(parse_staff_csv(text, school.id))

    assert {line: row.errors for line, row in rows.items()} == {
        2: [],
        3: ["name_missing"],
        4: ["email_invalid"],
        5: ["email_duplicate"],
        6: ["already_member"],
        7: ["years_invalid"],
        8: ["years_invalid"],
        9: ["years_invalid"],
        10: ["years_invalid"],
        11: ["name_long"],
        12: [],  # an account in another school is not told (issue 14)
    }


def test_a_row_can_have_several_problems(app):
    [row] = parse_staff_csv(HEADER + ",not-an-address,,,abc\n")
    assert row.errors == ["name_missing", "email_invalid", "years_invalid"]
    assert not row.valid


def test_two_rows_without_an_address_are_not_called_duplicates(app):
    rows = parse_staff_csv(HEADER + "A,,,,\nB,,,,\n")
    assert [row.errors for row in rows] == [["email_invalid"], ["email_invalid"]]


def test_years_from_0_to_60_are_accepted_and_blank_means_unknown(app):
    rows = parse_staff_csv(HEADER + "A,a@test.sch.id,,,0\nB,b@test.sch.id,,,60\n"
                           "C,c@test.sch.id,,, 7 \nD,d@test.sch.id,,,\n")
    assert [(row.errors, row.details.years_teaching) for row in rows] == [
        ([], 0), ([], 60), ([], 7), ([], None)]


def test_column_order_is_free_extra_columns_are_ignored_and_headers_are_case_blind(app):
    text = " Email ,Catatan,NAME\nrina@test.sch.id,wali kelas,Rina\n"
    [row] = parse_staff_csv(text)
    assert row.valid
    assert (row.details.name, row.details.email) == ("Rina", "rina@test.sch.id")
    assert (row.details.subjects, row.details.grades, row.details.years_teaching) == (
        [], [], None)


def test_a_byte_order_mark_and_crlf_line_ends_are_read(app):
    [row] = parse_staff_csv("\ufeffname,email,subjects\r\nRina,rina@test.sch.id,"
                            "\"Matematika; IPA\"\r\n")
    assert row.valid
    assert row.details.subjects == ["Matematika", "IPA"]


def test_rows_are_numbered_as_lines_of_the_file_even_after_blank_lines(app):
    rows = parse_staff_csv(HEADER + "A,a@test.sch.id,,,\n\n\n,,,,\nB,b@test.sch.id,,,\n")
    assert [(row.line, row.details.name) for row in rows] == [(2, "A"), (6, "B")]


@pytest.mark.parametrize("text", [
    "Rina,rina@test.sch.id\n",
    "nama,surel\nRina,rina@test.sch.id\n",
    "name\nRina\n",
])
def test_a_file_without_a_usable_header_is_refused(app, text):
    with pytest.raises(ImportFileError) as error:
        parse_staff_csv(text)
    assert error.value.code == "header"


@pytest.mark.parametrize("text", ["", "\ufeff", "\n\n", "  \r\n", "name,email\n",
                                  "name,email\n,\n  ,  \n"])
def test_a_file_without_rows_is_called_empty(app, text):
    with pytest.raises(ImportFileError) as error:
        parse_staff_csv(text)
    assert error.value.code == "empty"


def test_a_file_with_more_than_the_row_limit_is_refused(app):
    body = "".join(f"T{i},t{i}@test.sch.id\n" for i in range(MAX_ROWS + 1))
    with pytest.raises(ImportFileError) as error:
        parse_staff_csv("name,email\n" + body)
    assert error.value.code == "too_many"


def test_exactly_the_row_limit_is_accepted(app):
    body = "".join(f"T{i},t{i}@test.sch.id\n" for i in range(MAX_ROWS))
    rows = parse_staff_csv("name,email\n" + body)
    assert len(rows) == MAX_ROWS
    assert all(row.valid for row in rows)


def test_a_short_row_leaves_the_missing_cells_blank(app):
    [row] = parse_staff_csv(HEADER + "Rina,rina@test.sch.id\n")
    assert row.valid
    assert (row.details.subjects, row.details.years_teaching) == ([], None)
