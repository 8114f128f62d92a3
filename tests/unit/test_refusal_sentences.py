"""Every refusal a user can read has its sentence on its error class (docs/architecture.md,
"Refusals"): each RuleError subclass carries a table of lazy strings, and every code a
service raises with a literal finds its sentence there, so a new code without one fails here.

The codes are read from the source with `ast` (`raise PlanError("title_missing", "title")`);
the sentences are rendered in a small Babel app, as a page would show them."""

import ast
import importlib
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import Babel, LazyString

from collab.core.refusals import RuleError

ROOT = Path(__file__).resolve().parents[2]
COLLAB = ROOT / "collab"

# Refusals no user reads as a sentence, each with the reason.
SILENT_CLASSES = {
    "NotAllowed": "the observation pages answer 403; the phone's sync reads its MESSAGES",
    "InvalidRubric": "each of its problems has its sentence in assessments/rubric_problems",
    "TooLarge": "the upload is answered 413",
}
SILENT_CODES = {
    ("PlanError", "revision"): "the restore view answers 404 before the service is asked",
    ("RubricError", "unknown_library_rubric"): "the library view answers 404 before",
}
# The rooms keep their sentences in one table of their own, for pages and socket acks.
ROOM_TABLE = "collab.rooms.refusals"


def _service_modules() -> list[str]:
    names = []
    for path in sorted(COLLAB.rglob("service*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        names.append(".".join(parts))
    return names


def _subclasses(cls) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_subclasses(sub)}
    return found


@pytest.fixture(scope="module")
def error_classes() -> dict[str, type]:
    for name in _service_modules():
        importlib.import_module(name)
    return {cls.__name__: cls for cls in _subclasses(RuleError)
            if cls.__module__.startswith("collab.")}


@pytest.fixture(scope="module")
def babel_context():
    app = Flask(__name__)
    Babel(app)
    with app.test_request_context():
        yield


def _is_rooms(cls) -> bool:
    return any(c.__name__ == "RoomError" for c in cls.__mro__)


def _table(cls) -> dict:
    if _is_rooms(cls):
        return importlib.import_module(ROOM_TABLE).REFUSALS
    return cls.MESSAGES


def _raised_codes(names: set[str]) -> list[tuple[str, str, str]]:
    """(class, code, where) for every `Class("code", …)` in collab/ whose class is a
    RuleError subclass, except those that stand for a 403 (`status=403`)."""
    found = []
    for path in sorted(COLLAB.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            first = node.args[0]
            if name not in names or not (isinstance(first, ast.Constant)
                                         and isinstance(first.value, str)):
                continue
            if any(k.arg == "status" and getattr(k.value, "value", None) == 403
                   for k in node.keywords):
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            found.append((name, first.value, where))
    return found


def test_the_services_error_classes_are_found(error_classes):
    for name in ("PlanError", "CommentError", "AttachmentError", "ObservationError",
                 "NoteError", "TimetableError", "AssessmentError", "CalibrationError",
                 "SchoolError"):
        assert name in error_classes


def test_every_error_class_has_sentences_in_lazy_strings(error_classes):
    for name, cls in error_classes.items():
        if name in SILENT_CLASSES:
            continue
        table = _table(cls)
        assert table, f"{name} has no sentences (MESSAGES)"
        for code, sentence in table.items():
            assert isinstance(sentence, LazyString), (
                f"{name}.MESSAGES[{code!r}] is not a lazy string (use lazy_gettext as _l)")
        if cls.FALLBACK is not None:
            assert isinstance(cls.FALLBACK, LazyString), f"{name}.FALLBACK is not lazy"


def test_every_code_a_service_raises_has_its_sentence(error_classes, babel_context):
    raised = _raised_codes(set(error_classes))
    assert len(raised) > 50, "the scan found suspiciously few refusals"
    missing = []
    for name, code, where in raised:
        if name in SILENT_CLASSES or (name, code) in SILENT_CODES:
            continue
        cls = error_classes[name]
        if _is_rooms(cls):
            known = code in _table(cls)
        else:
            error = cls.__new__(cls)  # the sentence only: no constructor's other arguments
            error.code, error.field = code, None
            known = str(error.message) != code
        if not known:
            missing.append(f"{name}({code!r}) at {where}")
    assert not missing, "refusals without a sentence:\n" + "\n".join(missing)


def test_a_sentence_with_a_number_is_filled_in(babel_context):
    from collab.plans.service_attachments import MAX_PER_PLAN, AttachmentError
    from collab.plans.service_comments import MAX_COMMENT, CommentError

    assert str(CommentError("body_long", "body").message) == (
        f"A comment can have at most {MAX_COMMENT} characters.")
    assert str(AttachmentError("too_many").message) == (
        f"A plan can have at most {MAX_PER_PLAN} files.")
    assert AttachmentError("type").field == "file"
