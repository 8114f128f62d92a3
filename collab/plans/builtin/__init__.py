"""The built-in lesson-plan templates, read from the Markdown files in this folder.

Each template is two files, `<key>.id.md` (Indonesian) and `<key>.en.md` (English); the key is
lower-case letters, digits and underscores. A file is a small front matter and then the body:

    ---
    title: Modul Ajar (Kurikulum Merdeka)
    order: 1
    ---
    ## Informasi umum
    ...

- title: the name shown in the template menu, in the file's language; one line, not empty.
- order: the template's place in the menu, a whole number, the same in both of its files and
  different from every other template's.
- Everything after the closing `---` line, to the end of the file, is the body exactly as
  written (UTF-8; an empty body is allowed: the blank template).

Files not ending in `.md` (this module, __pycache__) and hidden files are ignored; any other
`.md` name is refused. load() reads a folder once and checks all of it; the first problem found
raises TemplateFileError with the file's path at the start of the message. Pure: standard
library only, no Flask.
"""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

FOLDER = Path(__file__).resolve().parent
LANGUAGES = ("id", "en")
FIELDS = ("title", "order")
FENCE = "---"
_FILE_NAME = re.compile(r"(?P<key>[a-z][a-z0-9_]*)\.(?P<language>[a-z]+)\.md")
_WHOLE_NUMBER = re.compile(r"[0-9]+")


class TemplateFileError(ValueError):
    """A built-in template file is missing or malformed; the message starts with its path."""

    def __init__(self, path: Path, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path = path


@dataclass(frozen=True)
class BuiltinTemplate:
    """One built-in template: `titles` and `bodies` map each of LANGUAGES to its text."""

    key: str
    order: int
    titles: dict[str, str]
    bodies: dict[str, str]


class _File(NamedTuple):
    path: Path
    title: str
    order: int
    body: str


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise TemplateFileError(path, f"is not UTF-8 text ({error.reason} at byte "
                                      f"{error.start})") from None
    except OSError as error:
        raise TemplateFileError(path, f"cannot be read ({error.strerror})") from None


def _split(path: Path, text: str) -> tuple[list[str], str]:
    """The front-matter lines (without line ends) and the body after the closing fence."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\n") != FENCE:
        raise TemplateFileError(path, f"does not start with a '{FENCE}' line (the front matter "
                                      "with title and order)")
    for end in range(1, len(lines)):
        if lines[end].rstrip("\n") == FENCE:
            return [line.rstrip("\n") for line in lines[1:end]], "".join(lines[end + 1:])
    raise TemplateFileError(path, f"the front matter has no closing '{FENCE}' line")


def _fields(path: Path, header: list[str]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for number, line in enumerate(header, start=2):
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        name, value = name.strip(), value.strip()
        if not colon or name not in FIELDS:
            raise TemplateFileError(path, f"line {number}: expected 'title: …' or 'order: …', "
                                          f"found {line!r}")
        if name in fields:
            raise TemplateFileError(path, f"line {number}: '{name}' is given twice")
        if not value:
            raise TemplateFileError(path, f"line {number}: '{name}' is empty")
        fields[name] = value
    missing = [name for name in FIELDS if name not in fields]
    if missing:
        raise TemplateFileError(path, f"the front matter lacks {' and '.join(missing)}")
    if not _WHOLE_NUMBER.fullmatch(fields["order"]):
        raise TemplateFileError(path, f"order must be a whole number, not {fields['order']!r}")
    return fields


def _parse(path: Path) -> _File:
    header, body = _split(path, _read(path))
    fields = _fields(path, header)
    return _File(path, fields["title"], int(fields["order"]), body)


def _template(folder: Path, key: str, files: dict[str, _File]) -> BuiltinTemplate:
    """One template from its files, which must be there in every language with one order."""
    for language in LANGUAGES:
        if language not in files:
            raise TemplateFileError(folder / f"{key}.{language}.md",
                                    f"is missing (each template has a file in each of "
                                    f"{', '.join(LANGUAGES)})")
    first = files[LANGUAGES[0]]
    for language in LANGUAGES[1:]:
        if files[language].order != first.order:
            raise TemplateFileError(files[language].path,
                                    f"order {files[language].order} differs from "
                                    f"{first.path.name}'s order {first.order}")
    return BuiltinTemplate(key, first.order,
                           {language: files[language].title for language in LANGUAGES},
                           {language: files[language].body for language in LANGUAGES})


def _files(folder: Path) -> dict[str, dict[str, _File]]:
    """Every template file in the folder, parsed, by key and language."""
    found: dict[str, dict[str, _File]] = {}
    for path in sorted(folder.glob("*.md")):
        if path.name.startswith("."):
            continue
        match = _FILE_NAME.fullmatch(path.name)
        if match is None or match["language"] not in LANGUAGES:
            raise TemplateFileError(path, f"is not named <key>.<language>.md with the language "
                                          f"one of {', '.join(LANGUAGES)}")
        found.setdefault(match["key"], {})[match["language"]] = _parse(path)
    return found


def load(folder: Path = FOLDER, required: tuple[str, ...] = ()) -> tuple[BuiltinTemplate, ...]:
    """Every template in `folder` in menu order, each checked; `required` keys must be there.

    Raises TemplateFileError, naming the file, for the first problem found."""
    folder = Path(folder)
    if not folder.is_dir():
        raise TemplateFileError(folder, "is not a folder of built-in templates")
    templates = [_template(folder, key, files) for key, files in _files(folder).items()]
    if not templates:
        raise TemplateFileError(folder, "holds no template files (<key>.<language>.md)")
    by_order: dict[int, BuiltinTemplate] = {}
    for template in templates:
        other = by_order.setdefault(template.order, template)
        if other is not template:
            raise TemplateFileError(folder / f"{template.key}.{LANGUAGES[0]}.md",
                                    f"order {template.order} is also {other.key}'s order")
    keys = {template.key for template in templates}
    for key in required:
        if key not in keys:
            raise TemplateFileError(folder / f"{key}.{LANGUAGES[0]}.md", "is missing")
    return tuple(sorted(templates, key=lambda template: template.order))
