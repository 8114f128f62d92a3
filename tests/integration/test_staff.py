"""Staff: a principal invites one teacher (mail with a working link, newest link wins, revoke,
resend, a mail server that is down or real) and invites many from a CSV file (every row checked
in a preview, nothing imported before the confirmation, which checks every row again)."""

import email
import email.policy
import io
import re
import threading
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from collab.core.mail import OutgoingMail
from collab.extensions import db
from collab.people.models import Invitation, Membership, User
from tests.conftest import csrf_token, deliver_mail, post_form
from tests.support.pgserver import free_port

INVITE = "/settings/school/invite"
IMPORT = "/settings/school/import"
LINK = re.compile(r"http://127.0.0.1:5000/auth/invite/[\w.\-]+")


@pytest.fixture
def principal_client(world, client_for):
    """School A's principal, reading the pages in English."""
    c = client_for(world["a"]["principal"])
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return c


def outbox(app) -> list[email.message.EmailMessage]:
    """The mails sent (written to the outbox folder), oldest first."""
    deliver_mail(app)
    folder = Path(app.config["MAIL_OUTBOX"])
    if not folder.exists():
        return []
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted(folder.glob("*.eml"))]


def invite_link(message) -> str:
    match = LINK.search(message.get_content())
    assert match, message.get_content()
    return match.group(0).removeprefix("http://127.0.0.1:5000")


def invitations_for(address: str) -> list[Invitation]:
    return list(db.session.scalars(
        select(Invitation).where(Invitation.email == address).order_by(Invitation.id)))


def open_invitation_count(school) -> int:
    return db.session.scalar(select(func.count(Invitation.id)).where(
        Invitation.school_id == school.id, Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None)))


def flashes(html: str) -> list[tuple[str, str]]:
    soup = BeautifulSoup(html, "html.parser")
    return [(" ".join(p["class"]), p.get_text(" ", strip=True)) for p in soup.select(".flash")]


def field_error(html: str, name: str) -> str:
    soup = BeautifulSoup(html, "html.parser")
    block = soup.find(attrs={"name": name}).find_parent(class_="field")
    error = block.select_one(".error")
    return error.get_text(" ", strip=True) if error else ""


def typed_value(html: str, name: str) -> str | None:
    return BeautifulSoup(html, "html.parser").find("input", attrs={"name": name}).get("value")


def invite(c, **data):
    fields = {"name": "Rina Wulandari", "email": "rina@test.sch.id", "role": "teacher",
              "subjects": "Matematika; IPA", "grades": "7, 8", "years_teaching": "2", **data}
    return post_form(c, INVITE, fields)


# ---------------------------------------------------------------- inviting one teacher


@pytest.mark.smoke
def test_inviting_saves_one_invitation_and_mails_a_link_naming_the_school(
    app, world, principal_client
):
    response = invite(principal_client)

    assert response.status_code == 302
    assert response.headers["Location"] == "/settings/school/"
    [invitation] = invitations_for("rina@test.sch.id")
    assert invitation.school_id == world["a"]["school"].id
    assert invitation.invited_by_id == world["a"]["principal"].id
    assert (invitation.name, invitation.role) == ("Rina Wulandari", "teacher")
    assert invitation.subjects == ["Matematika", "IPA"]
    assert invitation.grades == ["7", "8"]
    assert invitation.years_teaching == 2
    [message] = outbox(app)
    assert message["To"] == "rina@test.sch.id"
    assert "SMP Alpha" in message["Subject"]
    assert "SMP Alpha" in message.get_content()
    assert "/auth/invite/" in message.get_content()
    join_page = app.test_client().get(invite_link(message))
    assert join_page.status_code == 200
    assert "Rina Wulandari" in join_page.text


def test_the_staff_page_lists_the_waiting_invitation(principal_client):
    invite(principal_client)
    page = principal_client.get("/settings/school/")
    assert "rina@test.sch.id" in page.text
    assert "Rina Wulandari" in page.text
    assert any("rina@test.sch.id" in text for _, text in flashes(page.text))


def test_a_teacher_cannot_invite(app, world, client_for):
    teacher = client_for(world["a"]["teacher"])
    assert teacher.get(INVITE).status_code == 403
    response = teacher.post(INVITE, data={"csrf_token": csrf_token(teacher.get("/").text),
                                          "name": "X", "email": "x@test.sch.id"})
    assert response.status_code == 403
    assert invitations_for("x@test.sch.id") == []
    assert outbox(app) == []


@pytest.mark.dialect
def test_inviting_a_member_of_my_own_school_is_refused_and_keeps_the_typed_name(
    app, world, principal_client
):
    member = world["a"]["teacher2"].email  # on the principal's staff page already
    response = invite(principal_client, name="Rina Typed", email=member.upper())

    assert response.status_code == 400
    assert "already a member of your school" in field_error(response.text, "email")
    assert typed_value(response.text, "name") == "Rina Typed"
    assert typed_value(response.text, "email") == member.upper()
    assert invitations_for(member) == []
    assert outbox(app) == []


@pytest.mark.dialect
def test_inviting_an_address_with_an_account_elsewhere_answers_as_for_any_address(
    app, world, principal_client
):
    """Issue 14: the principal is not told that an address of another school has an account;
    the mail tells the owner instead, with no join link that could not work."""
    elsewhere = world["b"]["teacher"]
    fresh = invite(principal_client, name="Rina", email="rina@test.sch.id")
    taken = invite(principal_client, name="Rina", email=elsewhere.email.upper())

    assert fresh.status_code == taken.status_code == 302
    assert fresh.headers["Location"] == taken.headers["Location"]
    page = principal_client.get("/settings/school/").text
    assert ("flash success", f"Invitation sent to {elsewhere.email}.") in flashes(page)
    assert [i.is_open for i in invitations_for(elsewhere.email)] == [True]
    by_address = {m["To"]: m.get_content() for m in outbox(app)}
    assert "/auth/invite/" in by_address["rina@test.sch.id"]
    assert "already has an account" in by_address[elsewhere.email]
    assert "/auth/invite/" not in by_address[elsewhere.email]
    assert "http://127.0.0.1:5000/auth/login" in by_address[elsewhere.email]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", "", "Enter a name."),
    ("email", "not-an-address", "not a valid e-mail address"),
    ("years_teaching", "99", "Between 0 and 60."),
    ("role", "admin", "Not a valid choice"),
])
def test_bad_invitation_input_is_refused_next_to_the_field(
    app, principal_client, field, value, message
):
    response = invite(principal_client, **{field: value})
    assert response.status_code == 400
    assert message in field_error(response.text, field)
    assert outbox(app) == []


@pytest.mark.dialect
def test_inviting_the_same_address_twice_leaves_only_the_newest_link_working(
    app, world, principal_client
):
    invite(principal_client, name="First Try")
    outbox(app)  # the first mail leaves before the second invitation
    invite(principal_client, name="Second Try")

    first, second = invitations_for("rina@test.sch.id")
    assert first.revoked_at is not None
    assert second.is_open
    old_mail, new_mail = outbox(app)
    anonymous = app.test_client()
    stale = anonymous.get(invite_link(old_mail))
    assert stale.status_code == 410
    fresh = anonymous.get(invite_link(new_mail))
    assert fresh.status_code == 200
    assert "Second Try" in fresh.text
    assert open_invitation_count(world["a"]["school"]) == 2  # the world's invitee and Rina


def test_withdrawing_an_invitation_makes_its_link_gone(app, world, principal_client):
    invite(principal_client)
    [invitation] = invitations_for("rina@test.sch.id")
    link = invite_link(outbox(app)[0])

    response = post_form(principal_client,
                         f"/settings/school/invitations/{invitation.id}/revoke",
                         page="/settings/school/")

    assert response.status_code == 302
    db.session.refresh(invitation)
    assert invitation.revoked_at is not None
    assert app.test_client().get(link).status_code == 410
    page = BeautifulSoup(principal_client.get("/settings/school/").text, "html.parser")
    waiting = " ".join(li.get_text(" ") for li in page.select("section li"))
    assert "rina@test.sch.id" not in waiting
    assert world["a"]["invitation"].email in waiting


def test_sending_again_mails_another_working_link(app, principal_client):
    invite(principal_client)
    [invitation] = invitations_for("rina@test.sch.id")

    response = post_form(principal_client,
                         f"/settings/school/invitations/{invitation.id}/resend",
                         page="/settings/school/")

    assert response.status_code == 302
    first, again = outbox(app)
    assert first["To"] == again["To"] == "rina@test.sch.id"
    assert app.test_client().get(invite_link(again)).status_code == 200
    assert len(invitations_for("rina@test.sch.id")) == 1


def test_another_schools_invitation_cannot_be_withdrawn_or_resent(app, world, principal_client):
    other = world["b"]["invitation"]
    for action in ("revoke", "resend"):
        response = post_form(principal_client,
                             f"/settings/school/invitations/{other.id}/{action}",
                             page="/settings/school/")
        assert response.status_code == 404
    db.session.refresh(other)
    assert other.is_open
    assert outbox(app) == []


def test_a_school_id_in_the_form_is_ignored_the_inviters_school_is_used(world, principal_client):
    response = invite(principal_client, school_id=str(world["b"]["school"].id),
                      invited_by_id=str(world["b"]["principal"].id))

    assert response.status_code == 302
    [invitation] = invitations_for("rina@test.sch.id")
    assert invitation.school_id == world["a"]["school"].id
    assert invitation.invited_by_id == world["a"]["principal"].id


def test_a_teacher_cannot_raise_their_role_or_move_school_through_the_profile_form(
    world, client_for
):
    teacher = world["a"]["teacher"]
    c = client_for(teacher)
    response = post_form(c, "/settings/profile", {
        "name": "Teacher A", "subjects": "IPA", "grades": "9", "years_teaching": "6",
        "language": "", "role": "principal", "school_id": str(world["b"]["school"].id),
    })

    assert response.status_code == 302
    membership = db.session.scalar(select(Membership).where(Membership.user_id == teacher.id))
    assert membership.role == "teacher"
    assert membership.school_id == world["a"]["school"].id
    assert teacher.profile.subjects == ["IPA"]  # the real fields were saved
    assert c.get("/settings/school/").status_code == 403


def test_when_the_mail_server_is_down_the_invitation_waits_in_the_outbox_and_leaves_later(
    app, world, principal_client, smtp_server
):
    controller, handler = smtp_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_USE_TLS=False,
                      MAIL_RETRY_SECONDS=0)

    response = invite(principal_client)

    assert response.status_code == 302
    [invitation] = invitations_for("rina@test.sch.id")
    assert invitation.is_open
    page = principal_client.get(response.headers["Location"])
    assert ("flash success", "Invitation sent to rina@test.sch.id.") in flashes(page.text)
    deliver_mail(app)
    [row] = db.session.scalars(select(OutgoingMail)).all()
    assert (row.status, row.attempts) == ("queued", 1)
    assert "ConnectionRefusedError" in row.last_error

    app.config.update(MAIL_SERVER=controller.hostname, MAIL_PORT=controller.port)
    deliver_mail(app)

    assert handler.received.wait(5)
    [envelope] = handler.messages
    assert envelope.rcpt_tos == ["rina@test.sch.id"]
    db.session.refresh(row)
    assert (row.status, row.body) == ("sent", "")  # the token does not stay in the table


class CollectingHandler:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.messages = []
        self.received = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        self.messages.append(envelope)
        self.received.set()
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    handler = CollectingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


def test_the_invitation_mail_is_delivered_through_a_real_smtp_server(
    app, world, principal_client, smtp_server
):
    controller, handler = smtp_server
    app.config.update(MAIL_SERVER=controller.hostname, MAIL_PORT=controller.port,
                      MAIL_USE_TLS=False, MAIL_USERNAME=None)

    response = invite(principal_client)

    assert response.status_code == 302
    assert handler.messages == []  # never inside the request: the outbox's sender sends it
    deliver_mail(app)
    assert handler.received.wait(5)
    [envelope] = handler.messages
    assert envelope.rcpt_tos == ["rina@test.sch.id"]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert "SMP Alpha" in message["Subject"]
    assert app.test_client().get(invite_link(message)).status_code == 200
    assert outbox(app) == []  # sent by SMTP, not written to the folder
    flash_page = principal_client.get("/settings/school/")
    assert ("flash success", "Invitation sent to rina@test.sch.id.") in flashes(flash_page.text)


# ---------------------------------------------------------------- CSV import


def upload(c, content: bytes, filename: str = "staff.csv", **extra):
    html = c.get(IMPORT).text
    data = {"csrf_token": csrf_token(html), "file": (io.BytesIO(content), filename), **extra}
    return c.post(IMPORT, data=data, content_type="multipart/form-data")


def preview_rows(html: str) -> dict[str, list[str]]:
    """The preview table as {e-mail: [row, name, result]}, keyed by the cell of the e-mail."""
    soup = BeautifulSoup(html, "html.parser")
    rows = {}
    for tr in soup.select("tbody tr"):
        cells = [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        rows[f"{cells[0]}:{cells[2]}"] = [cells[1], cells[-1], tr["class"][0]]
    return rows


def confirm_data(html: str) -> dict:
    soup = BeautifulSoup(html, "html.parser")
    form = soup.find("input", attrs={"name": "confirm"}).find_parent("form")
    return {i["name"]: i.get("value", "") for i in form.find_all("input")}


def mixed_csv(world) -> bytes:
    taken = world["a"]["mentor"].email
    return "\n".join([
        "name,email,subjects,grades,years_teaching",
        "Rina Wulandari,rina@test.sch.id,Matematika;IPA,7;8,2",
        ",noname@test.sch.id,IPA,7,3",
        "Bad Mail,not-an-address,IPA,7,3",
        "Dewi Lestari,dewi@test.sch.id,Bahasa Indonesia,9,",
        "Dewi Again,DEWI@test.sch.id,IPS,8,4",
        f"Has Account,{taken},IPA,7,10",
        "Letters,letters@test.sch.id,IPA,7,abc",
        "Too Long,toolong@test.sch.id,IPA,7,99",
        "",
        "Agus Prasetyo,agus@test.sch.id,IPA,,15",
    ]).encode()


VALID_ADDRESSES = {"rina@test.sch.id", "dewi@test.sch.id", "agus@test.sch.id"}


def invitation_addresses(school) -> set[str]:
    return set(db.session.scalars(select(Invitation.email).where(
        Invitation.school_id == school.id)))


def test_the_preview_shows_every_rows_problem_and_imports_nothing(app, world, principal_client):
    before = invitation_addresses(world["a"]["school"])

    response = upload(principal_client, mixed_csv(world))

    assert response.status_code == 200
    rows = preview_rows(response.text)
    taken = world["a"]["mentor"].email
    assert rows == {
        "2:rina@test.sch.id": ["Rina Wulandari", "Ready", "ok"],
        "3:noname@test.sch.id": ["", "The name is missing.", "bad"],
        "4:not-an-address": ["Bad Mail", "The e-mail address is not valid.", "bad"],
        "5:dewi@test.sch.id": ["Dewi Lestari", "Ready", "ok"],
        "6:dewi@test.sch.id": ["Dewi Again", "This e-mail address appears twice in the file.",
                               "bad"],
        f"7:{taken}": ["Has Account", "This person is already a member of your school.",
                       "bad"],
        "8:letters@test.sch.id": ["Letters",
                                  "Years of teaching must be a whole number from 0 to 60.",
                                  "bad"],
        "9:toolong@test.sch.id": ["Too Long",
                                  "Years of teaching must be a whole number from 0 to 60.",
                                  "bad"],
        "11:agus@test.sch.id": ["Agus Prasetyo", "Ready", "ok"],
    }
    assert "3 rows can be invited" in response.text
    assert "6 rows have a problem" in response.text
    assert "Invite the 3 valid rows" in response.text
    assert invitation_addresses(world["a"]["school"]) == before
    assert outbox(app) == []


def test_confirming_imports_only_the_valid_rows_and_mails_them(app, world, principal_client):
    preview = upload(principal_client, mixed_csv(world))

    response = principal_client.post(IMPORT, data=confirm_data(preview.text))

    assert response.status_code == 302
    assert response.headers["Location"] == "/settings/school/"
    school = world["a"]["school"]
    assert invitation_addresses(school) == {world["a"]["invitation"].email, *VALID_ADDRESSES}
    [rina] = invitations_for("rina@test.sch.id")
    assert (rina.name, rina.subjects, rina.grades, rina.years_teaching) == (
        "Rina Wulandari", ["Matematika", "IPA"], ["7", "8"], 2)
    [dewi] = invitations_for("dewi@test.sch.id")
    assert (dewi.name, dewi.years_teaching) == ("Dewi Lestari", None)
    assert {m["To"] for m in outbox(app)} == VALID_ADDRESSES
    assert len(outbox(app)) == 3
    page = principal_client.get("/settings/school/")
    assert ("flash success", "3 invitations created.") in flashes(page.text)


def test_an_import_while_the_mail_server_is_down_keeps_the_invitations_queued(
    app, world, principal_client
):
    preview = upload(principal_client, mixed_csv(world))
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_USE_TLS=False)

    response = principal_client.post(IMPORT, data=confirm_data(preview.text),
                                     follow_redirects=True)

    assert response.status_code == 200
    assert invitation_addresses(world["a"]["school"]) >= VALID_ADDRESSES
    assert ("flash success", "3 invitations created.") in flashes(response.text)
    deliver_mail(app)
    rows = db.session.scalars(select(OutgoingMail)).all()
    assert sorted(r.to_address for r in rows) == sorted(VALID_ADDRESSES)
    assert {(r.status, r.attempts) for r in rows} == {("queued", 1)}


def test_a_forged_confirmation_with_edited_rows_is_checked_again(app, world, principal_client):
    preview = upload(principal_client, mixed_csv(world))
    data = confirm_data(preview.text)
    data["csv_text"] = "\n".join([
        "name,email,school_id,role",
        f"Smuggled,{world['b']['teacher'].email},{world['b']['school'].id},principal",
        "Bad,not-an-address,,",
        f"Outsider Boss,boss@test.sch.id,{world['b']['school'].id},principal",
    ])

    response = principal_client.post(IMPORT, data=data)

    assert response.status_code == 302
    [boss] = invitations_for("boss@test.sch.id")
    assert boss.school_id == world["a"]["school"].id  # never taken from the file
    assert boss.role == "teacher"
    # Another school's teacher is invited as anyone (the principal learns nothing), with
    # this school and role, never the file's.
    [smuggled] = invitations_for(world["b"]["teacher"].email)
    assert (smuggled.school_id, smuggled.role) == (world["a"]["school"].id, "teacher")
    assert invitations_for("not-an-address") == []
    assert sorted(m["To"] for m in outbox(app)) == sorted(
        ["boss@test.sch.id", world["b"]["teacher"].email])


def test_a_confirmation_rechecks_an_address_that_got_an_account_since_the_preview(
    app, world, make, principal_client
):
    preview = upload(principal_client, mixed_csv(world))
    make.user(world["a"]["school"], email="rina@test.sch.id")  # joined this school since

    principal_client.post(IMPORT, data=confirm_data(preview.text))

    assert invitations_for("rina@test.sch.id") == []
    assert {m["To"] for m in outbox(app)} == VALID_ADDRESSES - {"rina@test.sch.id"}


def test_confirming_without_a_csrf_token_imports_nothing(app, world, principal_client):
    preview = upload(principal_client, mixed_csv(world))
    data = confirm_data(preview.text)
    del data["csrf_token"]
    assert principal_client.post(IMPORT, data=data).status_code == 400
    assert invitations_for("rina@test.sch.id") == []


@pytest.mark.parametrize(("content", "message"), [
    (b"Rina Wulandari,rina@test.sch.id,Matematika,7,2\n",
     "The first row must name the columns, with at least name and email."),
    (b"nama,surel\nRina,rina@test.sch.id\n",
     "The first row must name the columns, with at least name and email."),
    (b"", "The file has no rows."),
    (b"\n\n", "The file has no rows."),
    (b"name,email,subjects\n", "The file has no rows."),
    (b"name,email\n,\n , \n", "The file has no rows."),
    ("name,email\nJosé Ramos,jose@test.sch.id\n".encode("latin-1"),
     "The file is not UTF-8 text."),
    ("name,email\nRina,rina@test.sch.id\n".encode("utf-16"), "The file is not UTF-8 text."),
    # UTF-16 without its byte-order mark decodes as "UTF-8" full of NUL bytes.
    ("name,email\nRina,rina@test.sch.id\n".encode("utf-16-le"), "The file is not UTF-8 text."),
    (b"name,email\nRi\x00na,rina@test.sch.id\n", "The file is not UTF-8 text."),
])
def test_an_unusable_file_gets_a_clear_message_and_imports_nothing(
    app, world, principal_client, content, message
):
    response = upload(principal_client, content)

    assert response.status_code == 400
    alert = BeautifulSoup(response.text, "html.parser").select_one(".error-summary")
    assert message in alert.get_text(" ", strip=True)
    assert 'type="file"' in response.text  # the upload form is shown again
    assert invitations_for("rina@test.sch.id") == []
    assert outbox(app) == []


def test_a_file_with_too_many_rows_is_refused(app, principal_client):
    lines = ["name,email"] + [f"T {i},t{i}@test.sch.id" for i in range(501)]
    response = upload(principal_client, "\n".join(lines).encode())
    assert response.status_code == 400
    assert "more than 500 rows" in response.text


def test_a_spreadsheet_export_with_bom_crlf_and_semicolon_lists_is_read(
    app, world, principal_client
):
    content = ("\ufeffName,E-mail,Email,Subjects,Grades,Years_Teaching,Catatan\r\n"
               "Siti Aminah,,siti@test.sch.id,\"Matematika; IPA\",7;8;9, 4 ,wali kelas\r\n"
               "\"Nur, Aini\",,nur@test.sch.id,Bahasa Inggris,9,0,\r\n").encode("utf-8")

    preview = upload(principal_client, content)

    assert preview.status_code == 200
    rows = preview_rows(preview.text)
    assert rows["2:siti@test.sch.id"] == ["Siti Aminah", "Ready", "ok"]
    assert rows["3:nur@test.sch.id"] == ["Nur, Aini", "Ready", "ok"]
    principal_client.post(IMPORT, data=confirm_data(preview.text))
    [siti] = invitations_for("siti@test.sch.id")
    assert siti.subjects == ["Matematika", "IPA"]
    assert siti.grades == ["7", "8", "9"]
    assert siti.years_teaching == 4
    [nur] = invitations_for("nur@test.sch.id")
    assert (nur.name, nur.years_teaching) == ("Nur, Aini", 0)


def test_non_latin_names_survive_the_preview_and_the_confirmation(world, principal_client):
    content = "name,email\nI Gusti Ayu Ngurah Łucja 王,ayu@test.sch.id\n".encode()
    preview = upload(principal_client, content)
    principal_client.post(IMPORT, data=confirm_data(preview.text))
    [ayu] = invitations_for("ayu@test.sch.id")
    assert ayu.name == "I Gusti Ayu Ngurah Łucja 王"


def test_a_preview_with_only_bad_rows_offers_no_confirmation(world, principal_client):
    response = upload(principal_client, b"name,email\n,bad\n")
    assert response.status_code == 200
    assert 'name="confirm"' not in response.text
    assert "0 rows can be invited" in response.text


def test_a_teacher_cannot_open_the_import(world, client_for):
    teacher = client_for(world["a"]["teacher"])
    assert teacher.get(IMPORT).status_code == 403


def test_an_import_never_creates_accounts(world, principal_client):
    users_before = db.session.scalar(select(func.count(User.id)))
    preview = upload(principal_client, mixed_csv(world))
    principal_client.post(IMPORT, data=confirm_data(preview.text))
    assert db.session.scalar(select(func.count(User.id))) == users_before
