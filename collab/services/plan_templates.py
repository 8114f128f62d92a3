"""Built-in lesson-plan templates, each in Indonesian and English, and the school's own.

The Indonesian and English bodies are content, not interface strings, so they live here
side by side rather than in the translation catalogue.
"""

from dataclasses import dataclass

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from collab.extensions import db
from collab.models import PlanTemplate

MODUL_AJAR = {
    "id": """## Informasi umum
- Satuan pendidikan:
- Fase / kelas:
- Mata pelajaran:
- Alokasi waktu:
- Profil Pelajar Pancasila:
- Sarana dan prasarana:
- Model pembelajaran:

## Tujuan pembelajaran
1.

## Asesmen
- Asesmen diagnostik:
- Asesmen formatif:
- Asesmen sumatif:

## Pemahaman bermakna

## Pertanyaan pemantik
1.

## Kegiatan pembelajaran
### Pendahuluan (… menit)

### Kegiatan inti (… menit)

### Penutup (… menit)

## Refleksi
- Refleksi guru:
- Refleksi peserta didik:

## Lampiran
- Lembar kerja peserta didik:
- Bahan bacaan:
- Glosarium:
""",
    "en": """## General information
- School:
- Phase / grade:
- Subject:
- Time allocation:
- Pancasila student profile:
- Resources and facilities:
- Learning model:

## Learning objectives
1.

## Assessment
- Diagnostic assessment:
- Formative assessment:
- Summative assessment:

## Meaningful understanding

## Trigger questions
1.

## Learning activities
### Opening (… minutes)

### Core activities (… minutes)

### Closing (… minutes)

## Reflection
- Teacher's reflection:
- Students' reflection:

## Attachments
- Student worksheet:
- Reading material:
- Glossary:
""",
}

RESEARCH_LESSON = {
    "id": """## Tema penelitian
Apa yang ingin kita pahami tentang belajar siswa?

## Tujuan
- Tujuan jangka panjang (untuk siswa):
- Tujuan pelajaran ini:

## Latar belakang unit
Posisi pelajaran ini dalam unit, pengetahuan awal siswa, kesulitan yang biasa muncul.

## Alur pelajaran
| Kegiatan belajar dan pertanyaan kunci | Perkiraan respons siswa | Dukungan guru | Hal yang dievaluasi |
| --- | --- | --- | --- |
| Pendahuluan | | | |
| Kegiatan inti | | | |
| Penutup | | | |

## Fokus observasi
Apa yang perlu diperhatikan pengamat? Siswa mana yang diamati?
""",
    "en": """## Research theme
What do we want to understand about how students learn?

## Goals
- Long-term goals (for students):
- Goals of this lesson:

## Unit background
Where this lesson sits in the unit, what students already know, common difficulties.

## Lesson flow
| Learning activities and key questions | Anticipated student responses | Teacher support | Points to evaluate |
| --- | --- | --- | --- |
| Opening | | | |
| Core activities | | | |
| Closing | | | |

## Observation focus
What should observers look for? Which students will they watch?
""",
}


@dataclass(frozen=True)
class TemplateChoice:
    key: str
    name: str
    body: str


BUILT_IN = (
    ("modul_ajar", _l("Modul Ajar (Kurikulum Merdeka)"), MODUL_AJAR),
    ("research_lesson", _l("Research lesson plan (lesson study)"), RESEARCH_LESSON),
    ("blank", _l("Blank"), {"id": "", "en": ""}),
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
