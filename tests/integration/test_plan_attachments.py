"""Worksheets and images on a plan: the accepted types judged by content, the size limit, names
that never become paths, downloads that never run as pages, and who may do what."""

import base64
import io
import re
import struct
import zipfile
import zlib

import docx
import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from collab.core.activity import ActivityEvent
from collab.extensions import db
from collab.plans import service as plans
from collab.plans import service_attachments as attachments
from collab.plans.models import PlanAttachment
from collab.plans.service import PlanFields
from tests.conftest import csrf_token

MB = 1024 * 1024

# ---------------------------------------------------------------- tiny real files


def pdf_bytes() -> bytes:
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x80\x00")) + chunk(b"IEND", b""))


def jpeg_bytes() -> bytes:
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0 + b"\xff\xd9"


def webp_bytes() -> bytes:  # a 1x1 lossless WebP
    return base64.b64decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")


def docx_bytes() -> bytes:
    document = docx.Document()
    document.add_heading("Lembar kerja", level=1)
    document.add_paragraph("Isilah titik-titik berikut.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def office_package(main_part: str, main_type: str) -> bytes:
    """A minimal Office Open XML package: content types, relationships and the main part."""
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main_part}" ContentType="{main_type}"/></Types>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("[Content_Types].xml", content_types)
        package.writestr("_rels/.rels", "<Relationships/>")
        package.writestr(main_part, "<root/>")
    return out.getvalue()


def pptx_bytes() -> bytes:
    return office_package("ppt/presentation.xml", "application/vnd.openxmlformats-"
                          "officedocument.presentationml.presentation.main+xml")


def xlsx_bytes() -> bytes:
    return office_package("xl/workbook.xml", "application/vnd.openxmlformats-"
                          "officedocument.spreadsheetml.sheet.main+xml")


def docm_bytes() -> bytes:  # a Word file with macros: not accepted
    return office_package("word/document.xml",
                          "application/vnd.ms-word.document.macroEnabled.main+xml")


ALLOWED = [
    ("lembar-kerja.pdf", pdf_bytes, "application/pdf"),
    ("gambar.png", png_bytes, "image/png"),
    ("foto kelas.jpg", jpeg_bytes, "image/jpeg"),
    ("diagram.webp", webp_bytes, "image/webp"),
    ("Lembar Kerja.docx", docx_bytes, attachments.DOCX.content_type),
    ("slide.pptx", pptx_bytes, attachments.PPTX.content_type),
    ("nilai.xlsx", xlsx_bytes, attachments.XLSX.content_type),
]


# ---------------------------------------------------------------- fixtures and helpers


@pytest.fixture(autouse=True)
def storage(app, tmp_path):
    """Attachments of this test go to a folder of its own, not the real instance/."""
    folder = tmp_path / "attachments"
    app.config["ATTACHMENT_DIR"] = str(folder)
    return folder


@pytest.fixture
def plan(world):
    """A team plan of school A: its owner edits, the mentor (team member) only reads, the
    second teacher (not in the team) may not read it."""
    a = world["a"]
    created = plans.create(a["teacher"], PlanFields(
        title="Pecahan senilai", body="# Tujuan", visibility="team", team_id=a["team"].id))
    db.session.commit()
    return created


def upload(client, plan, data: bytes, name: str, content_type: str | None = None,
           token: str | bool | None = None):
    """POST one file as a browser would. The body is encoded in memory: the test client would
    spool a large one to a temporary file that it never closes."""
    fields = {"file": FileStorage(io.BytesIO(data), filename=name, content_type=content_type)}
    if token is not False:
        fields["csrf_token"] = token or csrf_token(client.get("/").text)
    boundary, body = encode_multipart(fields)
    return client.post(f"/plans/{plan.id}/attachments", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def post(client, url: str):
    return client.post(url, data={"csrf_token": csrf_token(client.get("/").text)})


def stored(plan) -> list[PlanAttachment]:
    return list(db.session.scalars(
        select(PlanAttachment).where(PlanAttachment.plan_id == plan.id)))


def attach(plan, user, storage, data: bytes | None = None, name: str = "lembar.pdf"):
    item = attachments.add(plan, user, io.BytesIO(data or pdf_bytes()), name, storage)
    db.session.commit()
    return item


def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


# ---------------------------------------------------------------- uploading


@pytest.mark.parametrize(("name", "make_file", "content_type"), ALLOWED,
                         ids=[a[0] for a in ALLOWED])
def test_an_editor_attaches_each_accepted_type(name, make_file, content_type, plan, world,
                                               client_for, storage):
    data = make_file()
    response = upload(client_for(world["a"]["teacher"]), plan, data, name)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/plans/{plan.id}#attachments")
    [item] = stored(plan)
    assert item.content_type == content_type
    assert item.size == len(data)
    assert item.uploader_id == world["a"]["teacher"].id
    assert item.filename.endswith(name.rsplit(".", 1)[1])
    # Kept under a random name, never the teacher's.
    assert re.fullmatch(r"[0-9a-f]{32}", item.stored_name)
    assert [p.name for p in storage.iterdir()] == [item.stored_name]
    assert (storage / item.stored_name).read_bytes() == data
    event = db.session.scalar(select(ActivityEvent).where(
        ActivityEvent.verb == "plan.attachment_added"))
    assert event.object_id == plan.id and event.school_id == plan.school_id


def test_two_uploads_of_one_name_get_two_stored_names(plan, world, client_for, storage):
    c = client_for(world["a"]["teacher"])
    upload(c, plan, pdf_bytes(), "sama.pdf")
    upload(c, plan, pdf_bytes(), "sama.pdf")
    first, second = stored(plan)
    assert first.stored_name != second.stored_name
    assert len(list(storage.iterdir())) == 2


def test_a_file_over_10_mb_gets_the_friendly_413_page(plan, world, client_for, storage):
    c = client_for(world["a"]["teacher"])
    response = upload(c, plan, pdf_bytes() + b"0" * (10 * MB), "besar.pdf")
    assert response.status_code == 413
    assert "413" in response.text and "<footer>" in response.text
    assert stored(plan) == []
    assert not storage.exists() or list(storage.iterdir()) == []


def test_a_file_of_exactly_10_mb_is_accepted(plan, world, client_for):
    data = pdf_bytes() + b"0" * (10 * MB - len(pdf_bytes()))
    response = upload(client_for(world["a"]["teacher"]), plan, data, "pas.pdf")
    assert response.status_code == 302
    assert stored(plan)[0].size == 10 * MB


def test_a_request_over_the_app_limit_is_413_too(plan, world, client_for, storage):
    response = upload(client_for(world["a"]["teacher"]), plan, b"%PDF-" + b"0" * (13 * MB),
                      "sangat-besar.pdf")
    assert response.status_code == 413
    assert stored(plan) == []


DISGUISED = [
    ("x.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'),
    ("a.pdf", b"<!doctype html><script>alert(document.cookie)</script>"),
    ("foto.jpg", b"alert(document.cookie)"),
    ("gambar.webp", b"RIFF\x10\x00\x00\x00WAVEfmt "),
    ("lembar.docx", docm_bytes()),
    ("arsip.xlsx", b"PK\x03\x04 not really a zip"),
    ("teks.txt", b"just words"),
]


@pytest.mark.parametrize(("name", "data"), DISGUISED, ids=[d[0] for d in DISGUISED])
def test_files_whose_content_is_not_an_accepted_type_are_refused(name, data, plan, world,
                                                                 client_for, storage):
    c = english(client_for(world["a"]["teacher"]))
    response = upload(c, plan, data, name)
    assert response.status_code == 400
    assert "This type of file cannot be attached." in response.text
    assert 'aria-invalid="true"' in response.text  # the message sits next to the field
    assert stored(plan) == []
    assert list(storage.iterdir()) == []


def test_a_plain_zip_named_docx_is_refused(plan, world, client_for):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("word/document.xml", "<x/>")
    assert upload(client_for(world["a"]["teacher"]), plan, out.getvalue(),
                  "x.docx").status_code == 400
    assert stored(plan) == []


def test_the_browsers_content_type_is_not_believed(plan, world, client_for):
    c = client_for(world["a"]["teacher"])
    response = upload(c, plan, b"<html><script>alert(1)</script>", "x.png", "image/png")
    assert response.status_code == 400
    assert stored(plan) == []


@pytest.mark.parametrize(("name", "kept"), [
    ("../../etc/passwd", "etc_passwd.pdf"),
    ("..\\..\\windows\\win.ini", "windowswin.ini.pdf"),
    ("/tmp/evil.pdf", "tmp_evil.pdf"),
    ("....", "file.pdf"),
    ("<script>.pdf", "script.pdf"),
    ("rencana.pdf\x00.html", "rencana.pdf.html.pdf"),
])
def test_path_tricks_in_the_name_are_stored_under_a_generated_name(name, kept, plan, world,
                                                                   client_for, storage,
                                                                   tmp_path):
    before = set(tmp_path.rglob("*"))
    response = upload(client_for(world["a"]["teacher"]), plan, pdf_bytes(), name)
    assert response.status_code == 302
    [item] = stored(plan)
    assert item.filename == kept
    assert re.fullmatch(r"[0-9a-f]{32}", item.stored_name)
    assert set(tmp_path.rglob("*")) - before <= {storage, storage / item.stored_name}


def test_an_image_named_as_a_pdf_keeps_its_real_type_and_ending(plan, world, client_for):
    upload(client_for(world["a"]["teacher"]), plan, png_bytes(), "lembar.pdf")
    [item] = stored(plan)
    assert item.content_type == "image/png"
    assert item.filename == "lembar.pdf.png"


def test_an_empty_file_and_a_missing_file_are_refused(plan, world, client_for):
    c = english(client_for(world["a"]["teacher"]))
    response = upload(c, plan, b"", "kosong.pdf")
    assert response.status_code == 400
    assert "The file is empty." in response.text
    response = c.post(f"/plans/{plan.id}/attachments",
                      data={"csrf_token": csrf_token(c.get("/").text)})
    assert response.status_code == 400
    assert "Choose a file to attach." in response.text
    assert stored(plan) == []


def test_an_upload_without_the_csrf_token_is_refused(plan, world, client_for):
    response = upload(client_for(world["a"]["teacher"]), plan, pdf_bytes(), "a.pdf", token=False)
    assert response.status_code == 400
    assert stored(plan) == []


@pytest.mark.dialect
def test_a_plan_has_at_most_20_attachments(plan, world, client_for, storage):
    teacher = world["a"]["teacher"]
    for number in range(attachments.MAX_PER_PLAN):
        attach(plan, teacher, storage, name=f"lembar-{number}.pdf")
    c = english(client_for(teacher))
    response = upload(c, plan, pdf_bytes(), "satu-lagi.pdf")
    assert response.status_code == 400
    assert "A plan can have at most 20 files." in response.text
    assert len(stored(plan)) == attachments.MAX_PER_PLAN
    page = c.get(f"/plans/{plan.id}").text
    assert "Remove one to add another." in page
    assert 'enctype="multipart/form-data"' not in page


# ---------------------------------------------------------------- downloading


def test_a_pdf_is_downloaded_as_an_attachment_that_never_runs(plan, world, client_for, storage):
    item = attach(plan, world["a"]["teacher"], storage, name="Lembar Kerja 1.pdf")
    response = client_for(world["a"]["mentor"]).get(
        f"/plans/{plan.id}/attachments/{item.id}")
    try:
        assert response.status_code == 200
        assert response.mimetype == "application/pdf"
        assert response.headers["Content-Disposition"] == (
            "attachment; filename=Lembar_Kerja_1.pdf")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
        assert response.data == pdf_bytes()
    finally:
        response.close()


@pytest.mark.parametrize(("name", "make_file", "content_type"), ALLOWED[1:4],
                         ids=[a[0] for a in ALLOWED[1:4]])
def test_an_image_is_shown_inline_with_its_real_type(name, make_file, content_type, plan, world,
                                                     client_for, storage):
    item = attach(plan, world["a"]["teacher"], storage, make_file(), name)
    response = client_for(world["a"]["mentor"]).get(f"/plans/{plan.id}/attachments/{item.id}")
    try:
        assert response.status_code == 200
        assert response.mimetype == content_type
        assert response.headers["Content-Disposition"].startswith("inline")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response.headers["Content-Security-Policy"]
    finally:
        response.close()


@pytest.mark.parametrize(("name", "make_file", "content_type"), ALLOWED[4:],
                         ids=[a[0] for a in ALLOWED[4:]])
def test_office_files_are_downloads(name, make_file, content_type, plan, world, client_for,
                                    storage):
    item = attach(plan, world["a"]["teacher"], storage, make_file(), name)
    response = client_for(world["a"]["teacher"]).get(f"/plans/{plan.id}/attachments/{item.id}")
    try:
        assert response.mimetype == content_type
        assert response.headers["Content-Disposition"].startswith("attachment")
    finally:
        response.close()


def test_an_attachment_is_only_found_through_its_own_plan(plan, world, client_for, storage):
    teacher = world["a"]["teacher"]
    item = attach(plan, teacher, storage)
    other = plans.create(teacher, PlanFields(title="Lain", visibility="school"))
    db.session.commit()
    c = client_for(world["a"]["teacher2"])  # may read `other`, not `plan`
    assert c.get(f"/plans/{other.id}/attachments/{item.id}").status_code == 404
    assert c.get(f"/plans/{plan.id}/attachments/{item.id}").status_code == 404


def test_a_file_missing_on_disk_is_404(plan, world, client_for, storage):
    item = attach(plan, world["a"]["teacher"], storage)
    (storage / item.stored_name).unlink()
    response = client_for(world["a"]["teacher"]).get(f"/plans/{plan.id}/attachments/{item.id}")
    assert response.status_code == 404


# ---------------------------------------------------------------- removing


@pytest.mark.smoke
def test_an_editor_removes_an_attachment_and_its_file(plan, world, client_for, storage):
    item = attach(plan, world["a"]["teacher"], storage)
    path = storage / item.stored_name
    response = post(client_for(world["a"]["teacher"]),
                    f"/plans/{plan.id}/attachments/{item.id}/delete")
    assert response.status_code == 302
    assert stored(plan) == []
    assert not path.exists()


def test_a_coauthor_may_attach_and_remove(plan, world, client_for, storage):
    teacher2 = world["a"]["teacher2"]
    plans.set_coauthors(plan, {teacher2.id}, world["a"]["teacher"])
    db.session.commit()
    c = client_for(teacher2)
    assert upload(c, plan, pdf_bytes(), "a.pdf").status_code == 302
    [item] = stored(plan)
    assert post(c, f"/plans/{plan.id}/attachments/{item.id}/delete").status_code == 302


# ---------------------------------------------------------------- who may do what


def test_a_reader_who_may_not_edit_gets_403_on_upload_and_delete(plan, world, client_for,
                                                                 storage):
    item = attach(plan, world["a"]["teacher"], storage)
    c = client_for(world["a"]["mentor"])
    assert upload(c, plan, pdf_bytes(), "a.pdf").status_code == 403
    assert post(c, f"/plans/{plan.id}/attachments/{item.id}/delete").status_code == 403
    assert stored(plan) == [item]
    assert (storage / item.stored_name).exists()


@pytest.mark.parametrize("who", [("a", "teacher2"), ("a", "principal"), ("b", "teacher"),
                                 ("b", "principal")])
def test_a_non_reader_or_another_school_gets_404_for_every_attachment_route(
        who, plan, world, client_for, storage):
    item = attach(plan, world["a"]["teacher"], storage)
    c = client_for(world[who[0]][who[1]])
    download = c.get(f"/plans/{plan.id}/attachments/{item.id}")
    assert download.status_code == 404
    assert pdf_bytes() not in download.data
    assert upload(c, plan, pdf_bytes(), "a.pdf").status_code == 404
    assert post(c, f"/plans/{plan.id}/attachments/{item.id}/delete").status_code == 404
    assert stored(plan) == [item]


def test_anonymous_and_schoolless_users_get_no_attachment(plan, world, client, client_for,
                                                          storage):
    item = attach(plan, world["a"]["teacher"], storage)
    url = f"/plans/{plan.id}/attachments/{item.id}"
    assert client.get(url).status_code == 302
    assert client_for(world.outsider).get(url).status_code == 403


# ---------------------------------------------------------------- the plan page


def test_the_plan_page_lists_attachments_and_offers_upload_only_to_editors(plan, world,
                                                                           client_for, storage):
    item = attach(plan, world["a"]["teacher"], storage, name="Lembar Kerja.pdf")
    owner_page = client_for(world["a"]["teacher"]).get(f"/plans/{plan.id}").text
    assert "Lembar_Kerja.pdf" in owner_page
    assert f'href="/plans/{plan.id}/attachments/{item.id}"' in owner_page
    assert 'enctype="multipart/form-data"' in owner_page
    assert '<label for="file">' in owner_page
    assert f'action="/plans/{plan.id}/attachments/{item.id}/delete"' in owner_page

    reader_page = client_for(world["a"]["mentor"]).get(f"/plans/{plan.id}").text
    assert "Lembar_Kerja.pdf" in reader_page
    assert 'enctype="multipart/form-data"' not in reader_page
    assert "/delete" not in reader_page.split('id="attachments"')[1].split("</section>")[0]


# ---------------------------------------------------------------- deleting the plan


def test_deleting_a_plan_removes_its_rows_and_files_and_keeps_adaptations(
        storage, world, client_for):
    from collab.plans import service_comments as plan_comments
    from collab.plans.models import Plan, PlanComment, PlanRevision

    a = world["a"]
    plan = plans.create(a["teacher"], PlanFields(title="Dihapus", body="# Satu",
                                                 visibility="school"))
    db.session.flush()
    plans.save(plan, a["teacher"], PlanFields(title="Dihapus", body="# Dua",
                                              visibility="school"), 1, "")
    attachments.add(plan, a["teacher"], io.BytesIO(pdf_bytes()), "lk.pdf", storage)
    plan_comments.add(plan, a["mentor"], "Bagus.")
    copy = plans.fork(plan, a["teacher2"])
    db.session.commit()
    plan_id, stored = plan.id, next(storage.iterdir())
    owner = client_for(a["teacher"])

    page = owner.get(f"/plans/{plan_id}/delete")
    assert page.status_code == 200
    for fact in ("2 revisi", "1 komentar", "1 berkas", "1 rekan mengadaptasi"):
        assert fact in page.text, fact
    # A co-author or reader may not delete it.
    reader = client_for(a["mentor"])
    token = csrf_token(reader.get(f"/plans/{plan_id}").text)
    assert reader.post(f"/plans/{plan_id}/delete", data={"csrf_token": token}).status_code == 403

    answer = owner.post(f"/plans/{plan_id}/delete", data={"csrf_token": csrf_token(page.text)})
    assert answer.status_code == 302 and answer.headers["Location"] == "/plans/"
    db.session.expire_all()
    assert db.session.get(Plan, plan_id) is None
    for model in (PlanRevision, PlanComment, PlanAttachment):
        assert db.session.scalars(select(model).where(model.plan_id == plan_id)).all() == []
    assert not stored.exists(), "the file is gone from disk"
    kept = db.session.get(Plan, copy.id)
    assert kept is not None and kept.forked_from_id is None and kept.body == "# Dua"
    assert owner.get(f"/plans/{plan_id}").status_code == 404
    assert "Dihapus" not in owner.get("/plans/?q=dihapus").text
    assert db.session.scalar(select(ActivityEvent.verb).order_by(ActivityEvent.id.desc())) == (
        "plan.deleted")
