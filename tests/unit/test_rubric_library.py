"""The built-in rubric library: every rubric valid in both languages with the same shape in
each, the PKG structure and the lesson-study levels, its data files refused at load when
broken (naming the file and place), the PKG conversion and its bands at their edges, and the
check of the rubric JSON format finding each kind of problem in its place."""

import copy
import json
import math
import shutil

import pytest

from collab.assessments.library import (
    DATA_FOLDER,
    LANGUAGES,
    LIBRARY,
    LIBRARY_KEYS,
    PKG_BAND_LABELS,
    PKG_BANDS,
    PKG_MAX_TOTAL,
    PROBLEM_CODES,
    TARGETS,
    LibraryDataError,
    Problem,
    describe,
    library_rubric,
    load_library,
    pkg_band,
    pkg_conversion,
    validate_rubric,
)

KEYS = sorted(LIBRARY)


def max_total(rubric: dict) -> float:
    top = max(level["score"] for level in rubric["levels"])
    return sum(criterion["weight"] * top for criterion in rubric["criteria"])


def group_runs(rubric: dict) -> list[tuple[str, int]]:
    """The groups in order with how many criteria each has, e.g. [("Pedagogik", 7), …]."""
    runs: list[tuple[str, int]] = []
    for criterion in rubric["criteria"]:
        if runs and runs[-1][0] == criterion["group"]:
            runs[-1] = (criterion["group"], runs[-1][1] + 1)
        else:
            runs.append((criterion["group"], 1))
    return runs


# ---------------------------------------------------------------- the library


def test_the_library_holds_the_three_rubrics_and_only_pkg_is_pkg():
    assert set(LIBRARY) == {"pkg", "lesson_study_observation", "plan_quality"}
    assert [key for key, rubric in LIBRARY.items() if rubric.pkg] == ["pkg"]
    assert {key: rubric.target for key, rubric in LIBRARY.items()} == {
        "pkg": "observation", "lesson_study_observation": "observation", "plan_quality": "plan"}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("key", KEYS)
def test_every_library_rubric_passes_the_import_check(key, language):
    rubric = library_rubric(key, language)
    assert validate_rubric(rubric) == []
    assert rubric["target"] == LIBRARY[key].target


@pytest.mark.parametrize("key", KEYS)
def test_indonesian_and_english_have_the_same_shape(key):
    indonesian, english = library_rubric(key, "id"), library_rubric(key, "en")
    assert [level["score"] for level in indonesian["levels"]] == \
        [level["score"] for level in english["levels"]]
    assert [c["weight"] for c in indonesian["criteria"]] == \
        [c["weight"] for c in english["criteria"]]
    assert [count for _, count in group_runs(indonesian)] == \
        [count for _, count in group_runs(english)]
    assert [len(c["descriptors"]) for c in indonesian["criteria"]] == \
        [len(c["descriptors"]) for c in english["criteria"]]


@pytest.mark.parametrize("key", KEYS)
def test_english_is_a_translation_not_a_copy(key):
    indonesian, english = library_rubric(key, "id"), library_rubric(key, "en")
    assert indonesian["title"] != english["title"]
    for id_criterion, en_criterion in zip(indonesian["criteria"], english["criteria"],
                                          strict=True):
        assert id_criterion["title"] != en_criterion["title"]
        for id_text, en_text in zip(id_criterion["descriptors"], en_criterion["descriptors"],
                                    strict=True):
            assert id_text != en_text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("key", KEYS)
def test_no_descriptor_is_empty_or_repeated_within_a_criterion(key, language):
    for criterion in library_rubric(key, language)["criteria"]:
        descriptors = [text.strip() for text in criterion["descriptors"]]
        assert all(descriptors), criterion["title"]
        assert len(set(descriptors)) == len(descriptors), criterion["title"]
        assert all(text.endswith(".") for text in descriptors), criterion["title"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_pkg_has_fourteen_competencies_in_four_groups_scored_one_to_four(language):
    rubric = library_rubric("pkg", language)
    groups = {"id": ["Pedagogik", "Kepribadian", "Sosial", "Profesional"],
              "en": ["Pedagogical", "Personal", "Social", "Professional"]}[language]
    assert group_runs(rubric) == list(zip(groups, [7, 3, 2, 2], strict=True))
    assert [level["score"] for level in rubric["levels"]] == [1, 2, 3, 4]
    assert {criterion["weight"] for criterion in rubric["criteria"]} == {1.0}
    assert max_total(rubric) == PKG_MAX_TOTAL == 56


def test_the_pkg_competencies_carry_their_national_names():
    titles = [criterion["title"] for criterion in library_rubric("pkg", "id")["criteria"]]
    assert titles[0] == "Mengenal karakteristik peserta didik"
    assert titles[6] == "Penilaian dan evaluasi"
    assert titles[13] == "Mengembangkan keprofesionalan melalui tindakan yang reflektif"


def test_lesson_study_observation_has_the_three_ministry_style_levels():
    levels = {language: library_rubric("lesson_study_observation", language)["levels"]
              for language in LANGUAGES}
    assert levels["id"] == [
        {"score": 1, "label": "Belum dilakukan"},
        {"score": 2, "label": "Sudah dilakukan tetapi belum efektif"},
        {"score": 3, "label": "Sudah dilakukan dan efektif"},
    ]
    assert [level["label"] for level in levels["en"]] == [
        "Not yet done", "Done but not yet effective", "Done and effective"]


def test_lesson_study_observation_looks_at_student_learning():
    criteria = library_rubric("lesson_study_observation", "en")["criteria"]
    assert [criterion["title"] for criterion in criteria] == [
        "Student engagement", "Visible student thinking", "Use of anticipated student responses",
        "Equity of participation", "Evidence for the research goal"]
    for criterion in criteria:
        assert not any(text.startswith("The teacher") for text in criterion["descriptors"])


def test_plan_quality_weighs_objectives_and_aligned_assessment_double():
    rubric = library_rubric("plan_quality", "en")
    assert rubric["target"] == "plan"
    assert [level["score"] for level in rubric["levels"]] == [1, 2, 3, 4]
    assert [criterion["weight"] for criterion in rubric["criteria"]] == [2.0, 2.0, 1.0, 1.0, 1.0]
    assert max_total(rubric) == 28


def test_an_unknown_language_gets_indonesian_and_an_unknown_key_is_a_key_error():
    assert library_rubric("pkg", "fr") == library_rubric("pkg", "id")
    with pytest.raises(KeyError):
        library_rubric("no_such_rubric", "id")


def test_changing_a_copy_leaves_the_library_as_it_was():
    before = copy.deepcopy(LIBRARY["pkg"].content)
    rubric = library_rubric("pkg", "id")
    rubric["criteria"][0]["descriptors"][0] = "changed"
    rubric["levels"].pop()
    assert LIBRARY["pkg"].content == before


# ---------------------------------------------------------------- the library's data files


def test_the_library_is_read_from_one_json_file_per_rubric_in_the_order_of_its_keys():
    assert sorted(path.name for path in DATA_FOLDER.glob("*.json")) == sorted(
        f"{key}.json" for key in LIBRARY_KEYS)
    assert list(LIBRARY) == list(LIBRARY_KEYS) == ["pkg", "lesson_study_observation",
                                                    "plan_quality"]
    assert load_library(DATA_FOLDER) == LIBRARY


@pytest.fixture
def data_copy(tmp_path):
    """A copy of the library's data files to break."""
    for key in LIBRARY_KEYS:
        shutil.copy(DATA_FOLDER / f"{key}.json", tmp_path / f"{key}.json")
    return tmp_path


def edit(folder, key: str, change) -> str:
    """Change one data file in `folder` with `change(data)`; its path as the error names it."""
    path = folder / f"{key}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_an_unchanged_copy_loads_the_same_library(data_copy):
    assert load_library(data_copy) == LIBRARY


def drop_a_descriptor(data):
    data["criteria"][2]["en"]["descriptors"].pop()


def weight_per_language(data):
    data["criteria"][0]["en"]["weight"] = 2


def drop_a_label(data):
    del data["levels"][1]["label"]["en"]


def empty_a_description(data):
    data["criteria"][0]["en"]["description"] = ""


def unknown_group(data):
    data["criteria"][8]["group"] = "sosial"


def unordered_scores(data):
    data["levels"][2]["score"] = 1


def text_not_text(data):
    data["groups"]["social"]["id"] = 7


@pytest.mark.parametrize(("key", "change", "message"), [
    ("pkg", drop_a_descriptor,
     "criteria[2].en.descriptors: needs 4 descriptors, one per level, found 3"),
    ("plan_quality", weight_per_language,
     "criteria[0].en.weight: unknown key; expected one of: description, descriptors, title"),
    ("lesson_study_observation", drop_a_label,
     "levels[1].label.en: missing: every text is needed in both languages"),
    ("lesson_study_observation", empty_a_description,
     "criteria[0].description: differs between the languages: id True, en False"),
    ("pkg", unknown_group, "criteria[8].group: must be null or one of the groups: "
     "pedagogical, personal, social, professional"),
    ("pkg", unordered_scores, "levels[2].score: must be greater than the score before it (2)"),
    ("pkg", text_not_text, "groups.social.id: must be text"),
], ids=["descriptor-missing-in-one-language", "weight-in-one-language", "label-missing",
        "description-in-one-language-only", "unknown-group", "scores-not-ascending",
        "group-label-not-text"])
def test_a_broken_data_file_is_refused_at_load_naming_the_file_and_place(
        data_copy, key, change, message):
    path = edit(data_copy, key, change)
    with pytest.raises(LibraryDataError) as refused:
        load_library(data_copy)
    assert str(refused.value).splitlines()[1:] == [f"  {path}: {message}"]


def test_a_shared_problem_is_reported_once_not_once_per_language(data_copy):
    path = edit(data_copy, "plan_quality", lambda data: data["criteria"][1].update(weight=0))
    with pytest.raises(LibraryDataError) as refused:
        load_library(data_copy)
    assert str(refused.value).splitlines()[1:] == [
        f"  {path}: criteria[1].weight: must be greater than 0"]


def test_a_file_that_is_not_json_is_missing_or_is_not_in_the_library_is_refused(data_copy):
    (data_copy / "pkg.json").write_text('{"key": "pkg",', encoding="utf-8")
    (data_copy / "plan_quality.json").unlink()
    (data_copy / "extra.json").write_text("{}", encoding="utf-8")
    with pytest.raises(LibraryDataError) as refused:
        load_library(data_copy)
    lines = str(refused.value).splitlines()
    assert lines[0] == "the rubric library's data is broken:"
    assert lines[1] == (f"  {data_copy / 'extra.json'}: not a library rubric: add 'extra' to "
                        "LIBRARY_KEYS or remove the file")
    assert lines[2].startswith(f"  {data_copy / 'pkg.json'}: not valid JSON in UTF-8: ")
    assert lines[3] == f"  {data_copy / 'plan_quality.json'}: the file is missing"


def test_the_key_target_and_pkg_flag_of_a_file_are_checked(data_copy):
    def change(data):
        data.update(key="plan", target="lesson", pkg="yes")
    path = edit(data_copy, "plan_quality", change)
    with pytest.raises(LibraryDataError) as refused:
        load_library(data_copy)
    assert str(refused.value).splitlines()[1:] == [
        f"  {path}: key: must be 'plan_quality', the file's name",
        f"  {path}: target: must be one of: observation, plan, reflection",
        f"  {path}: pkg: must be true or false",
    ]


# ---------------------------------------------------------------- PKG conversion and bands


@pytest.mark.parametrize(("total", "score", "band"), [
    (56, 100.0, "amat_baik"),
    (51, 91.07, "amat_baik"),
    (50, 89.29, "baik"),
    (43, 76.79, "baik"),
    (42, 75.0, "cukup"),
    (35, 62.5, "cukup"),
    (34, 60.71, "sedang"),
    (29, 51.79, "sedang"),
    (28, 50.0, "kurang"),
    (14, 25.0, "kurang"),
    (50.5, 90.18, "baik"),  # a median total can be a half
])
def test_pkg_totals_convert_to_a_score_out_of_100_and_a_band(total, score, band):
    assert pkg_conversion(total) == score
    assert pkg_band(pkg_conversion(total)) == band


@pytest.mark.parametrize(("score", "band"), [
    (100, "amat_baik"), (91, "amat_baik"), (90.99, "baik"), (90.5, "baik"), (90, "baik"),
    (76, "baik"), (75.99, "cukup"), (75, "cukup"), (61, "cukup"), (60.5, "sedang"),
    (60, "sedang"), (51, "sedang"), (50.99, "kurang"), (50, "kurang"), (0, "kurang"),
])
def test_a_band_starts_at_its_lower_edge_and_a_score_below_it_falls_to_the_band_below(
        score, band):
    assert pkg_band(score) == band


def test_the_conversion_takes_another_maximum():
    assert pkg_conversion(21, max_total=28) == 75.0


@pytest.mark.parametrize("total", [-1, 56.01, 57, math.nan, math.inf, None, "50", True])
def test_a_total_outside_the_scale_is_refused(total):
    with pytest.raises(ValueError):
        pkg_conversion(total)


@pytest.mark.parametrize("max_total", [0, -56, math.nan, None])
def test_a_maximum_that_is_not_positive_is_refused(max_total):
    with pytest.raises(ValueError):
        pkg_conversion(10, max_total=max_total)


@pytest.mark.parametrize("score", [-0.01, 100.01, math.nan, None, "91"])
def test_a_score_outside_0_to_100_has_no_band(score):
    with pytest.raises(ValueError):
        pkg_band(score)


def test_every_band_has_a_label_in_both_languages():
    assert [band for band, _ in PKG_BANDS] == list(PKG_BAND_LABELS)
    assert PKG_BAND_LABELS["amat_baik"] == {"id": "Amat baik", "en": "Excellent"}
    for labels in PKG_BAND_LABELS.values():
        assert set(labels) == set(LANGUAGES) and all(labels.values())


# ---------------------------------------------------------------- checking the JSON format


def valid() -> dict:
    return {
        "title": "Talk moves",
        "description": "",
        "target": "observation",
        "levels": [{"score": 1, "label": "Not yet"}, {"score": 2, "label": "Partly"},
                   {"score": 3, "label": "Fully"}],
        "criteria": [
            {"title": "Wait time", "description": "", "group": "", "weight": 1.0,
             "descriptors": ["No pause.", "Short pause.", "Three seconds or more."]},
            {"title": "Revoicing", "weight": 2,
             "descriptors": ["Never.", "Sometimes.", "Often."]},
        ],
    }


def test_a_valid_rubric_has_no_problems():
    assert validate_rubric(valid()) == []


def test_only_title_levels_and_criteria_are_needed_and_unknown_keys_are_ignored():
    rubric = valid()
    del rubric["description"], rubric["target"], rubric["criteria"][1]["weight"]
    rubric["version"] = 3
    assert validate_rubric(rubric) == []


def set_at(path: str, value):
    """A change to valid(): set (or, with DELETE, remove) the value at a dotted path."""
    def change(rubric: dict) -> dict:
        *parents, last = [int(part) if part.isdigit() else part for part in path.split(".")]
        container = rubric
        for part in parents:
            container = container[part]
        if value is DELETE:
            del container[last]
        else:
            container[last] = value
        return rubric
    return change


DELETE = object()

# One case per code (several for the commonest), each with the place it must be reported at.
CASES = [
    ("required", set_at("title", DELETE), "title"),
    ("required", set_at("title", "   "), "title"),
    ("required", set_at("levels", DELETE), "levels"),
    ("required", set_at("levels.1.score", DELETE), "levels[1].score"),
    ("required", set_at("levels.0.label", ""), "levels[0].label"),
    ("required", set_at("criteria.1.title", None), "criteria[1].title"),
    ("required", set_at("criteria.0.descriptors", DELETE), "criteria[0].descriptors"),
    ("required", set_at("criteria.0.descriptors.2", " "), "criteria[0].descriptors[2]"),
    ("not_text", set_at("title", 12), "title"),
    ("not_text", set_at("criteria.0.group", ["a"]), "criteria[0].group"),
    ("too_long", set_at("title", "x" * 201), "title"),
    ("too_long", set_at("levels.2.label", "x" * 81), "levels[2].label"),
    ("too_long", set_at("criteria.1.descriptors.0", "x" * 1001), "criteria[1].descriptors[0]"),
    ("too_long", set_at("description", "x" * 2001), "description"),
    ("not_number", set_at("levels.1.score", "2"), "levels[1].score"),
    ("not_number", set_at("levels.1.score", True), "levels[1].score"),
    ("not_number", set_at("criteria.0.weight", "heavy"), "criteria[0].weight"),
    ("not_ascending", set_at("levels.2.score", 2), "levels[2].score"),
    ("too_few", set_at("levels", [{"score": 1, "label": "Only"}]), "levels"),
    ("too_few", set_at("criteria", []), "criteria"),
    ("wrong_count", set_at("criteria.1.descriptors", ["Never.", "Often."]),
     "criteria[1].descriptors"),
    ("not_positive", set_at("criteria.1.weight", 0), "criteria[1].weight"),
    ("not_positive", set_at("criteria.1.weight", -1.5), "criteria[1].weight"),
    ("not_object", set_at("levels.0", "1: Not yet"), "levels[0]"),
    ("not_object", set_at("criteria.1", ["Revoicing"]), "criteria[1]"),
    ("not_list", set_at("criteria", {"title": "Wait time"}), "criteria"),
    ("not_list", set_at("criteria.0.descriptors", "No pause."), "criteria[0].descriptors"),
    ("unknown_target", set_at("target", "lesson"), "target"),
]


@pytest.mark.parametrize(("code", "change", "place"), CASES,
                         ids=[f"{code}-{place}" for code, _, place in CASES])
def test_each_problem_is_found_at_its_place(code, change, place):
    problems = validate_rubric(change(valid()))
    assert [(problem.place, problem.code) for problem in problems] == [(place, code)]
    assert describe(problems[0])


def test_every_problem_code_has_a_case_and_an_english_message():
    assert {code for code, _, _ in CASES} == PROBLEM_CODES
    for _, change, _ in CASES:
        (problem,) = validate_rubric(change(valid()))
        message = describe(problem)
        assert message and "{" not in message and "_" not in message


@pytest.mark.parametrize("data", [[], "rubric", None, 3, [valid()]])
def test_anything_but_an_object_is_one_problem_at_the_top(data):
    problems = validate_rubric(data)
    assert problems == [Problem("", "not_object", {})]
    assert describe(problems[0]) == "must be a JSON object"


def test_messages_carry_the_figures():
    rubric = valid()
    rubric["levels"].append({"score": 4, "label": "Beyond"})
    rubric["title"] = "x" * 250
    rubric["target"] = "lesson"
    messages = {problem.place: describe(problem) for problem in validate_rubric(rubric)}
    assert messages == {
        "title": "must be at most 200 characters, found 250",
        "target": "must be one of: " + ", ".join(TARGETS),
        "criteria[0].descriptors": "needs 4 descriptors, one per level, found 3",
        "criteria[1].descriptors": "needs 4 descriptors, one per level, found 3",
    }


def test_too_few_levels_do_not_also_make_every_descriptor_list_wrong():
    rubric = valid()
    rubric["levels"] = [{"score": 1, "label": "Only"}]
    assert [(problem.place, problem.code) for problem in validate_rubric(rubric)] == [
        ("levels", "too_few")]


def test_every_problem_is_reported_not_only_the_first():
    rubric = valid()
    rubric["title"] = ""
    rubric["levels"][1]["score"] = 0
    rubric["criteria"][0]["weight"] = 0
    rubric["criteria"][1]["descriptors"] = ["Never.", "", "Often."]
    assert [(problem.place, problem.code) for problem in validate_rubric(rubric)] == [
        ("title", "required"),
        ("levels[1].score", "not_ascending"),
        ("criteria[0].weight", "not_positive"),
        ("criteria[1].descriptors[1]", "required"),
    ]


def test_an_unusable_score_does_not_also_count_as_out_of_order():
    rubric = valid()
    rubric["levels"][1]["score"] = "two"
    assert [(problem.place, problem.code) for problem in validate_rubric(rubric)] == [
        ("levels[1].score", "not_number")]
    assert validate_rubric(rubric)[0].detail == {}
    rubric["levels"][1]["score"] = 1.5
    assert validate_rubric(rubric) == []  # scores need only ascend; halves are allowed
