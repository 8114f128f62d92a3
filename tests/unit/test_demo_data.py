"""The demo's data files (collab/demo/data/): the shipped ones load and agree with what the
demo code expects; a missing, malformed or inconsistent file is refused with a message that
names the file; and the demo modules depend on one another one way only (seed → the rest)."""

import ast
import json
import shutil
from pathlib import Path

import pytest

from collab.demo import content, observations, seed
from collab.demo.content import DATA_DIR, DemoDataError

DEMO = Path(seed.__file__).parent


@pytest.fixture
def data(tmp_path) -> Path:
    """A copy of the demo's data folder, to spoil."""
    folder = tmp_path / "data"
    shutil.copytree(DATA_DIR, folder)
    return folder


def edit_json(path: Path, change) -> None:
    value = json.loads(path.read_text(encoding="utf-8"))
    change(value)
    path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")


def refusal(folder: Path) -> str:
    with pytest.raises(DemoDataError) as refused:
        content.load(folder)
    return str(refused.value)


def test_the_shipped_data_loads_and_gives_the_demo_its_names():
    loaded = content.load()
    assert loaded.schools["smp"]["name"] == seed.SMP
    assert loaded.password == seed.DEMO_PASSWORD
    assert seed.DEMO_PASSWORD in seed.LOGINS_TEXT and seed.SD in seed.LOGINS_TEXT
    assert [p["id"] for p in loaded.plans["plans"]] == [
        "integers", "classification", "circuits", "description", "describing_people",
        "market", "pythagoras"]
    assert all(p["body"].startswith("## ") for p in loaded.plans["plans"])
    assert loaded.plans["school_template"]["body"].startswith("## ")


def test_a_copy_of_the_data_folder_loads_the_same(data):
    assert content.load(data).plans == content.load().plans


def test_every_observation_state_in_the_data_has_a_builder():
    assert set(content.OBSERVATION_STATES) == set(observations.BUILDERS)


def test_a_file_that_is_not_json_is_refused_with_its_name(data):
    path = data / "plans.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"plans": [', '"plans" [', 1),
                    encoding="utf-8")

    message = refusal(data)

    assert message.startswith(f"{path}: not valid JSON, line ")


@pytest.mark.parametrize(("name", "change", "expected"), [
    ("schools.json", lambda v: v["schools"]["smp"]["teachers"][0].pop("email"),
     "schools.smp.teachers[0].email: missing"),
    ("plans.json", lambda v: v["plans"][0].update(minutes="80"),
     'plans[0].minutes: expected a whole number, found "80"'),
    ("plans.json", lambda v: v["plans"][1].update(visibility="public"),
     "plans[1].visibility: expected one of 'private', 'team', 'school'"),
    ("plans.json", lambda v: v["plans"][0]["comments"][0].update(author="guru99"),
     "plans[0].comments[0].author: no demo person has the handle 'guru99'"),
    ("plans.json", lambda v: v["plans"][0].update(draft_until="## Tidak ada"),
     "plans[0].draft_until: not in plans/integers.md"),
    ("timetables.json", lambda v: v["terms"][0].update(first="13-07-2026"),
     'terms[0].first: expected a date "YYYY-MM-DD"'),
    ("observations.json", lambda v: v["observations"][0].update(when=2),
     "observations[0].when: unknown key"),
    ("rooms.json", lambda v: v["team_room"].update(team="MGMP Sejarah"),
     "team_room.team: no demo team has that name"),
    ("assessments.json", lambda v: v["calibration"]["levels"].pop("kepsek"),
     "calibration.levels: needs the levels of exactly"),
])
def test_a_malformed_file_is_refused_with_its_name_and_the_place(data, name, change,
                                                                  expected):
    edit_json(data / name, change)

    message = refusal(data)

    assert message.startswith(f"{data / name}: {expected}")


def test_a_missing_plan_body_is_refused_with_its_name(data):
    (data / "plans" / "market.md").unlink()

    assert refusal(data) == f"{data / 'plans' / 'market.md'}: the file is missing"


def test_an_empty_file_is_refused_with_its_name(data):
    (data / "rooms.json").write_text("\n", encoding="utf-8")

    assert refusal(data) == f"{data / 'rooms.json'}: the file is empty"


def test_only_seed_imports_the_other_demo_modules():
    """seed → plans, timetables, observations, rooms, assessments, mentoring → content →
    datafiles: no demo module imports seed, none imports one beside it."""
    allowed = {"seed": {"content", "plans", "timetables", "observations", "rooms",
                        "assessments", "mentoring"},
               "content": {"datafiles"}}
    for path in DEMO.glob("*.py"):
        imported = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "collab.demo":
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                    "collab.demo."):
                imported.add(node.module.split(".")[2])
        assert imported <= allowed.get(path.stem, {"content"}), path.name
