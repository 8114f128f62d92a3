"""A plan taken away as Markdown or Word, or printed: what is in the file, how it is offered, and
that only those who may read the plan get it."""

import io
import re
from urllib.parse import unquote

import docx
import pytest

from collab.extensions import db
from collab.plans import service as plans
from collab.plans.service import PlanFields
from collab.plans.service_exports import DOCX_MIMETYPE, filenames, markdown_document

BODY = """# Tujuan pembelajaran

Siswa **membandingkan** pecahan dan *menjelaskan* alasannya.

## Langkah-langkah

1. Apersepsi dengan cerita pizza
2. Diskusi kelompok
    - kelompok A: pecahan senilai
    - kelompok B: garis bilangan
3. Presentasi

- Kartu pecahan
- Lembar kerja

| Kegiatan | Waktu |
|----------|------:|
| Pembukaan | 10 menit |
| Inti | 60 menit |

```
langkah = "ulang"
```

### Asesmen

1. Kuis singkat
2. Refleksi
"""


@pytest.fixture
def plan(world):
    """A team plan of school A: its owner edits, the mentor (team member) only reads, the second
    teacher (not in the team) may not read it."""
    a = world["a"]
    created = plans.create(a["teacher"], PlanFields(
        title="Pecahan – kelas 7: ½ dan ¼", body=BODY, subject="Matematika", grade="7",
        topic="Pecahan senilai", duration_minutes=80, visibility="team", team_id=a["team"].id,
    ))
    db.session.commit()
    return created


def test_markdown_export_has_title_facts_and_body(plan, world, client_for):
    c = client_for(world["a"]["teacher"])
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = c.get(f"/plans/{plan.id}/export.md")
    assert response.status_code == 200
    assert response.content_type == "text/markdown; charset=utf-8"
    text = response.get_data(as_text=True)
    assert text.startswith("# Pecahan – kelas 7: ½ dan ¼\n")
    for line in ("- **Subject:** Matematika", "- **Grade:** 7", "- **Topic:** Pecahan senilai",
                 "- **Duration:** 80 minutes", "- **Author:** Teacher A",
                 "- **Revision:** 1"):
        assert line in text
    assert BODY.strip() in text


def test_markdown_export_is_a_download_with_a_safe_name_and_the_utf8_title(plan, world,
                                                                          client_for):
    response = client_for(world["a"]["teacher"]).get(f"/plans/{plan.id}/export.md")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="pecahan-kelas-7-1-2-dan-1-4.md"')
    encoded = re.search(r"filename\*=UTF-8''(\S+)", disposition).group(1)
    assert unquote(encoded) == "Pecahan – kelas 7: ½ dan ¼.md"
    assert disposition.isascii()


@pytest.mark.parametrize(("title", "plain"), [
    ("../../etc/passwd", "etc-passwd.md"),
    ('Rencana "A"\r\nX-Evil: 1', "rencana-a-x-evil-1.md"),
    ("ÄÖÜ ąę", "aou-ae.md"),
    ("   ", "plan.md"),
    ("ラーニング", "plan.md"),
])
def test_export_names_keep_no_path_quote_or_line_break(title, plain):
    ascii_name, full = filenames(title, "md")
    assert ascii_name == plain
    assert not set(full) & set('/\\"\r\n')


def test_markdown_document_leaves_out_empty_facts():
    text = markdown_document("T", [("Subject", ""), ("Grade", "7")], "Body")
    assert text == "# T\n\n- **Grade:** 7\n\n---\n\nBody\n"


def _open_docx(response) -> docx.Document:
    assert response.status_code == 200
    assert response.mimetype == DOCX_MIMETYPE
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="pecahan-kelas-7-1-2-dan-1-4.docx"')
    return docx.Document(io.BytesIO(response.data))


def test_docx_export_keeps_headings_emphasis_lists_table_and_code(plan, world, client_for):
    document = _open_docx(client_for(world["a"]["mentor"]).get(f"/plans/{plan.id}/export.docx"))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Title", "Pecahan – kelas 7: ½ dan ¼") in paragraphs
    assert ("Heading 1", "Tujuan pembelajaran") in paragraphs
    assert ("Heading 2", "Langkah-langkah") in paragraphs
    assert ("Heading 3", "Asesmen") in paragraphs
    assert ("List Number", "Apersepsi dengan cerita pizza") in paragraphs
    assert ("List Bullet 2", "kelompok A: pecahan senilai") in paragraphs
    assert ("List Bullet", "Kartu pecahan") in paragraphs
    assert ("List Number", "Kuis singkat") in paragraphs
    code = next(p for p in document.paragraphs if "langkah =" in p.text)
    assert code.runs[0].font.name == "Courier New"
    emphasis = next(p for p in document.paragraphs if p.text.startswith("Siswa"))
    assert [r.text for r in emphasis.runs if r.bold] == ["membandingkan"]
    assert [r.text for r in emphasis.runs if r.italic] == ["menjelaskan"]

    facts, steps = document.tables
    assert "Matematika" in [row.cells[1].text for row in facts.rows]
    rows = [[c.text for c in row.cells] for row in steps.rows]
    assert rows == [["Kegiatan", "Waktu"], ["Pembukaan", "10 menit"], ["Inti", "60 menit"]]
    assert all(run.bold for run in steps.rows[0].cells[0].paragraphs[0].runs)


def test_every_numbered_list_in_the_docx_counts_from_its_own_start(plan, world, client_for):
    document = _open_docx(client_for(world["a"]["teacher"]).get(f"/plans/{plan.id}/export.docx"))
    num_ids = {}
    for p in document.paragraphs:
        if p.style.name == "List Number":
            num_ids[p.text] = p._p.pPr.numPr.numId.val
    assert num_ids["Apersepsi dengan cerita pizza"] == num_ids["Presentasi"]
    assert num_ids["Kuis singkat"] != num_ids["Apersepsi dengan cerita pizza"]


def test_docx_export_carries_no_raw_html(world, client_for):
    teacher = world["a"]["teacher"]
    hostile = plans.create(teacher, PlanFields(
        title="Pecahan – kelas 7: ½ dan ¼",
        body="Hai <script>alert(1)</script><img src=x onerror=alert(2)> [x](javascript:alert(3))",
    ))
    db.session.commit()
    document = _open_docx(client_for(teacher).get(f"/plans/{hostile.id}/export.docx"))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Hai" in text
    assert "<script" not in text and "javascript:" not in text


def test_print_view_shows_title_facts_and_rendered_body(plan, world, client_for):
    c = client_for(world["a"]["mentor"])
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = c.get(f"/plans/{plan.id}/print")
    assert response.status_code == 200
    html = response.text
    assert "<h1>Pecahan – kelas 7: ½ dan ¼</h1>" in html
    assert "<dd>Matematika</dd>" in html and "<dd>80 minutes</dd>" in html
    assert "<table>" in html and "<strong>membandingkan</strong>" in html
    assert 'class="plan print-page"' in html


def test_the_plan_page_links_the_exports(plan, world, client_for):
    html = client_for(world["a"]["mentor"]).get(f"/plans/{plan.id}").text
    for path in ("print", "export.docx", "export.md"):
        assert f'href="/plans/{plan.id}/{path}"' in html


EXPORTS = ("export.md", "export.docx", "print")


@pytest.mark.parametrize("path", EXPORTS)
@pytest.mark.parametrize(("who", "status"), [
    (("a", "teacher"), 200),     # owner
    (("a", "mentor"), 200),      # team member: reads
    (("a", "teacher2"), 404),    # same school, not in the team
    (("a", "principal"), 404),   # a team plan is not the whole school's
    (("b", "teacher"), 404),     # another school
    (("b", "principal"), 404),
])
def test_only_readers_may_export_or_print(path, who, status, plan, world, client_for):
    school, role = who
    response = client_for(world[school][role]).get(f"/plans/{plan.id}/{path}")
    assert response.status_code == status
    if status == 404:
        assert "Pecahan" not in response.text


def test_anonymous_and_schoolless_users_get_no_export(plan, world, client, client_for):
    assert client.get(f"/plans/{plan.id}/export.md").status_code == 302
    assert client_for(world.outsider).get(f"/plans/{plan.id}/export.docx").status_code == 403


def test_an_unknown_plan_is_404(world, client_for):
    c = client_for(world["a"]["teacher"])
    for path in EXPORTS:
        assert c.get(f"/plans/999999/{path}").status_code == 404
