"""Every user-visible string exists in Bahasa Indonesia, and the catalogues compile and load.

The messages are extracted afresh from the source (the same command as `make extract-messages`),
so a new `_()` that nobody translated fails here with the list of what is missing. The fix is
`make extract-messages`, then fill in the new msgstr in collab/translations/id/.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2 import Environment

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "collab" / "translations"
ID_PO = TRANSLATIONS / "id" / "LC_MESSAGES" / "messages.po"
EN_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"

# A %-conversion (named or positional), a literal %%, or a lone % that would break formatting.
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa%]|%")


def _pybabel(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", *args],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=120,
    )


def _read(path: Path, locale: str):
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def _msgids(message) -> tuple[str, ...]:
    return tuple(message.id) if message.pluralizable else (message.id,)


def _msgstrs(message) -> tuple[str, ...]:
    return tuple(message.string) if message.pluralizable else (message.string,)


def _show(message) -> str:
    return " / ".join(repr(part) for part in _msgids(message))


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """The messages in the source as it is now, not the committed messages.pot."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    result = _pybabel(
        "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "."
    )
    assert result.returncode == 0, result.stderr
    catalog = _read(pot, "en")
    assert len([m for m in catalog if m.id]) > 50, "extraction found suspiciously few messages"
    return catalog


@pytest.fixture(scope="module")
def indonesian():
    return _read(ID_PO, "id")


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    """A compiled copy of the catalogues, so the test does not depend on `make translations`."""
    directory = tmp_path_factory.mktemp("translations") / "translations"
    shutil.copytree(TRANSLATIONS, directory, ignore=shutil.ignore_patterns("*.mo"))
    result = _pybabel("compile", "--statistics", "-d", str(directory))
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", f"pybabel compile reported:\n{result.stderr}"
    return directory


def test_every_message_in_the_source_is_in_the_indonesian_catalogue(template, indonesian):
    missing = []
    for message in template:
        if not message.id:
            continue
        entry = indonesian.get(message.id, message.context)
        if entry is None or _msgids(entry) != _msgids(message):
            missing.append(_show(message))
    assert not missing, (
        f"{len(missing)} message(s) in the source are not in {ID_PO.relative_to(ROOT)}; run "
        "`make extract-messages` and translate them:\n  " + "\n  ".join(missing)
    )


def test_every_indonesian_message_is_translated_and_not_fuzzy(indonesian):
    assert indonesian.num_plurals == 1, "Indonesian has one plural form: nplurals=1; plural=0;"
    assert not indonesian.fuzzy, "the catalogue header is marked fuzzy"
    problems = []
    for message in indonesian:
        if not message.id:
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {_show(message)}")
        strings = _msgstrs(message)
        if not all(s.strip() for s in strings) or len(strings) > indonesian.num_plurals:
            problems.append(f"empty or extra msgstr: {_show(message)}")
    assert not problems, "\n".join(problems)


def test_placeholders_survive_translation(indonesian):
    """Each msgstr has the same %(name)s placeholders as its msgid; a plural form is used for
    every count in Indonesian, so it must match the msgid and the msgid_plural together."""
    problems = []
    for message in indonesian:
        if not message.id:
            continue
        expected = set().union(*(_placeholders(part) for part in _msgids(message)))
        for string in _msgstrs(message):
            if _placeholders(string) != expected:
                problems.append(
                    f"{_show(message)}: expected {sorted(expected)}, "
                    f"got {sorted(_placeholders(string))} in {string!r}"
                )
    assert not problems, "\n".join(problems)


def test_indonesian_catalogue_translates(compiled):
    translations = Translations.load(str(compiled), ["id"])
    assert isinstance(translations, Translations), "no compiled Indonesian catalogue found"
    assert translations.gettext("Sign in") != "Sign in"
    assert translations.gettext("Sign out") != "Sign out"
    members = translations.ngettext("%(num)d member", "%(num)d members", 3) % {"num": 3}
    assert members.startswith("3 ") and "members" not in members

    env = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    env.install_gettext_translations(translations, newstyle=True)
    page = env.from_string('{{ _("Hello, %(name)s", name="Sari") }}').render()
    assert "Sari" in page and "Hello" not in page


def test_english_catalogue_falls_back_to_the_source_text(compiled):
    translations = Translations.load(str(compiled), ["en"])
    assert isinstance(translations, Translations), "no compiled English catalogue found"
    assert translations.gettext("Sign in") == "Sign in"
    assert translations.ngettext("%(num)d member", "%(num)d members", 1) == "%(num)d member"
    assert translations.ngettext("%(num)d member", "%(num)d members", 2) == "%(num)d members"
    assert _read(EN_PO, "en").num_plurals == 2
