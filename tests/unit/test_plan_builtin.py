"""The built-in plan templates as files: the shipped folder loads with every template in both
languages and in menu order, bodies come back exactly as written, and a folder with a missing
or malformed file is refused with a message that names the file."""

import shutil
from pathlib import Path

import pytest

from collab.plans.builtin import FOLDER, LANGUAGES, TemplateFileError, load


@pytest.fixture
def folder(tmp_path) -> Path:
    """A copy of the shipped templates to spoil."""
    copy = tmp_path / "builtin"
    copy.mkdir()
    for path in FOLDER.glob("*.md"):
        shutil.copy(path, copy / path.name)
    return copy


def test_the_shipped_templates_load_in_menu_order_in_both_languages():
    templates = load(FOLDER, required=("modul_ajar", "research_lesson", "blank"))
    assert [t.key for t in templates] == ["modul_ajar", "research_lesson", "blank"]
    assert [t.order for t in templates] == sorted(t.order for t in templates)
    for template in templates:
        assert tuple(template.titles) == LANGUAGES == tuple(template.bodies)
        assert all(template.titles.values())
    blank = templates[-1]
    assert blank.bodies == {"id": "", "en": ""}
    assert blank.titles == {"id": "Kosong", "en": "Blank"}
    assert templates[0].bodies["id"].startswith("## Informasi umum\n")
    assert templates[0].bodies["en"].endswith("- Glossary:\n")


def test_the_body_is_everything_after_the_front_matter_exactly(tmp_path):
    body = "\n## Judul  \n| a | b |\n---\ntitle: not a field here\n"
    for language in LANGUAGES:
        (tmp_path / f"x.{language}.md").write_text(
            f"---\ntitle: X {language}\n\norder: 7\n---\n{body}", encoding="utf-8")
    (tmp_path / "y.id.md").write_text("---\ntitle: Y\norder: 1\n---", encoding="utf-8")
    (tmp_path / "y.en.md").write_text("---\ntitle:  Y  \norder: 1\n---\n", encoding="utf-8")
    (tmp_path / "README.txt").write_text("not a template", encoding="utf-8")
    (tmp_path / ".x.id.md.swp").write_text("editor litter", encoding="utf-8")

    x_template, y_template = sorted(load(tmp_path), key=lambda t: t.key)

    assert x_template.bodies == {"id": body, "en": body}
    assert x_template.titles == {"id": "X id", "en": "X en"}
    assert x_template.order == 7
    assert y_template.bodies == {"id": "", "en": ""}
    assert y_template.titles == {"id": "Y", "en": "Y"}
    assert [t.key for t in load(tmp_path)] == ["y", "x"]


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


MODUL = "---\ntitle: Modul Ajar (Kurikulum Merdeka)\norder: 1\n---\n## Informasi umum\n"


@pytest.mark.parametrize(("spoil", "named", "says"), [
    (lambda f: (f / "modul_ajar.en.md").unlink(), "modul_ajar.en.md", "is missing"),
    (lambda f: write(f, "modul_ajar.id.md", "## Informasi umum\n"),
     "modul_ajar.id.md", "does not start with a '---' line"),
    (lambda f: write(f, "modul_ajar.id.md", "---\ntitle: M\norder: 1\n## Informasi umum\n"),
     "modul_ajar.id.md", "no closing '---' line"),
    (lambda f: write(f, "blank.en.md", "---\ntitle: Blank\n---\n"),
     "blank.en.md", "lacks order"),
    (lambda f: write(f, "blank.en.md", "---\norder: 3\n---\n"), "blank.en.md", "lacks title"),
    (lambda f: write(f, "blank.en.md", "---\ntitle:\norder: 3\n---\n"),
     "blank.en.md", "'title' is empty"),
    (lambda f: write(f, "blank.en.md", "---\ntitle: Blank\ntitle: Empty\norder: 3\n---\n"),
     "blank.en.md", "line 3: 'title' is given twice"),
    (lambda f: write(f, "blank.en.md", "---\ntitle: Blank\norder: 3\nauthor: me\n---\n"),
     "blank.en.md", "line 4: expected 'title: …' or 'order: …'"),
    (lambda f: write(f, "blank.en.md", "---\ntitle: Blank\norder: three\n---\n"),
     "blank.en.md", "order must be a whole number"),
    (lambda f: write(f, "modul_ajar.en.md", MODUL.replace("order: 1", "order: 9")),
     "modul_ajar.en.md", "order 9 differs from modul_ajar.id.md's order 1"),
    (lambda f: [write(f, f"blank.{lang}.md", "---\ntitle: B\norder: 1\n---\n")
                for lang in LANGUAGES],
     "modul_ajar.id.md", "order 1 is also blank's order"),
    (lambda f: write(f, "modul_ajar.fr.md", MODUL), "modul_ajar.fr.md", "is not named"),
    (lambda f: write(f, "Catatan.md", "notes"), "Catatan.md", "is not named"),
    (lambda f: (f / "blank.id.md").write_bytes(b"---\ntitle: Kosong\xff\norder: 3\n---\n"),
     "blank.id.md", "is not UTF-8"),
])
def test_a_malformed_folder_is_refused_naming_the_file(folder, spoil, named, says):
    spoil(folder)
    with pytest.raises(TemplateFileError) as refused:
        load(folder)
    assert refused.value.path == folder / named
    assert str(refused.value).startswith(f"{folder / named}: ")
    assert says in str(refused.value)


def test_a_required_template_must_be_there(folder):
    for language in LANGUAGES:
        (folder / f"research_lesson.{language}.md").unlink()
    with pytest.raises(TemplateFileError, match=r"research_lesson\.id\.md: is missing"):
        load(folder, required=("modul_ajar", "research_lesson"))


def test_an_empty_or_absent_folder_is_refused(tmp_path):
    with pytest.raises(TemplateFileError, match="holds no template files"):
        load(tmp_path)
    with pytest.raises(TemplateFileError, match="is not a folder"):
        load(tmp_path / "nowhere")
