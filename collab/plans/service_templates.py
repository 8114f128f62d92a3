"""Built-in lesson-plan templates, each in Indonesian and English, and the school's own.

The built-in templates are content, not interface strings: their titles and bodies are the
Markdown files in collab/plans/builtin/ (the format is described there), read and checked once
when this module is imported, so a missing or malformed file stops the app from starting with
a message naming the file.
"""

from dataclasses import dataclass

from flask_babel import LazyString, get_locale
from sqlalchemy import select

from collab.extensions import db
from collab.plans import builtin
from collab.plans.models import PlanTemplate

_BUILTIN = builtin.load(builtin.FOLDER, required=("modul_ajar", "research_lesson"))
_BODIES = {template.key: template.bodies for template in _BUILTIN}

MODUL_AJAR = _BODIES["modul_ajar"]
RESEARCH_LESSON = _BODIES["research_lesson"]


@dataclass(frozen=True)
class TemplateChoice:
    key: str
    name: str
    body: str


def _title(titles: dict[str, str]) -> str:
    """The title in the current language. Outside a request (no locale) it is the English one,
    as when the titles were translated messages with English source text; bodies use
    _language(), which falls back to Indonesian."""
    locale = get_locale()
    return titles["id" if locale is not None and locale.language == "id" else "en"]


# (key, name, {language: body}) in menu order; a name is lazy, in the current language.
BUILT_IN = tuple(
    (template.key, LazyString(_title, template.titles), template.bodies) for template in _BUILTIN
)


def _language() -> str:
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "id"


def choices(school_id: int) -> list[TemplateChoice]:
    """Built-in templates in the current language, then the school's own."""
    language = _language()
    result = [TemplateChoice(key, str(name), bodies[language]) for key, name, bodies in BUILT_IN]
    for template in db.session.scalars(
        select(PlanTemplate).where(PlanTemplate.school_id == school_id).order_by(PlanTemplate.name)
    ):
        result.append(TemplateChoice(f"school:{template.id}", template.name, template.body))
    return result


def body_for(school_id: int, key: str) -> str | None:
    """The body of the template with this key, or None if there is no such template."""
    for choice in choices(school_id):
        if choice.key == key:
            return choice.body
    return None


def add_school_template(school_id: int, name: str, body: str, by) -> PlanTemplate:
    """A principal adds a template for the whole school."""
    template = PlanTemplate(school_id=school_id, name=name.strip(), body=body,
                            created_by_id=by.id)
    db.session.add(template)
    db.session.flush()
    return template
