"""Services never build a URL by hand: a link is a `core.links.Target` (endpoint, values,
anchor), made into a path by the app's URL map. Checked by reading every service module (and
the demo data, which writes through the services) with `ast`: no string, f-string part or
%-template that starts with a page's path."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COLLAB = ROOT / "collab"
PAGE_PATHS = ("/observations/", "/plans/", "/rooms/", "/assessments/", "/notifications/",
              "/settings/", "/auth/", "/timetables/")
SERVICES = sorted({*COLLAB.rglob("service*.py"), *COLLAB.rglob("service*/*.py"),
                   *(COLLAB / "demo").glob("*.py")})


def hand_built_paths(path: Path) -> list[str]:
    """Each string constant, or literal part of an f-string, that starts with a page's path."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and (
                node.value.startswith(PAGE_PATHS)):
            found.append(f"{path.name}:{node.lineno}: {node.value!r}")
    return found


def test_there_are_service_modules_to_read():
    names = {p.relative_to(COLLAB).as_posix() for p in SERVICES}
    assert {"observations/service.py", "observations/service_ical.py", "rooms/service.py",
            "assessments/service.py", "plans/service_comments.py", "demo/plans.py"} <= names


@pytest.mark.parametrize("path", SERVICES, ids=lambda p: p.relative_to(COLLAB).as_posix())
def test_no_service_builds_a_path_by_hand(path):
    assert hand_built_paths(path) == []


def test_the_check_sees_a_hand_built_path(tmp_path):
    sample = tmp_path / "service.py"
    sample.write_text('link = f"/rooms/{room.id}#m{message.id}"\n'
                      'other = f"{site}/observations/{observation.id}"\n'
                      'legacy = "/assessments/%d" % 3\n', encoding="utf-8")
    assert len(hand_built_paths(sample)) == 3
