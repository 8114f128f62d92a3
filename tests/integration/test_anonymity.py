"""Issue 14, item 2: with the school's anonymous setting on, nothing the assessed teacher sees
names a colleague or lets them work it out (docs/anonymity.md): labels in an order drawn per
request (not by name, not by submission) and stable as answers come in; no answer shown alone;
no notification naming a colleague or stamped with one colleague's submission time; no
colleague's own assessment page; no submission time; the print view and the growth chart too."""

import pytest
from sqlalchemy import select

from collab.assessments import service_anonymity as anonymity
from collab.assessments import service_growth
from collab.assessments.models import Assessment
from collab.core.notify import Notification
from collab.extensions import db
from tests.integration.test_assessment_pages import (  # noqa: F401  (fixtures)
    ask,
    client_for,
    deadline_today,
    mine,
    post,
    rate_form,
    setup,
    text,
    the_request,
)


@pytest.fixture
def anonymous(world):
    world["a"]["school"].anonymous_peer_feedback = True
    db.session.commit()
    return world["a"]


@pytest.fixture
def colleagues(anonymous, make):
    """Six colleagues whose names sort A…F and who are asked (rows made) in that order."""
    people = [make.user(anonymous["school"], name=f"Rekan {c}") for c in "ABCDEF"]
    db.session.commit()
    return people


def answer(client_for, request, person, setup, glow):  # noqa: F811
    response = post(client_for(person), f"/assessments/{mine(request, person).id}",
                    rate_form(setup["version"], [3, 2], glow=glow, grow="-"))
    assert response.status_code == 302


def labels_by_glow(page: str, glows: list[str]) -> dict[str, str]:
    """Which label each glow is shown under ("Glow (#2): Glowtext0")."""
    found = {}
    for glow in glows:
        marker = f"): {glow}"
        if marker in page:
            before = page[:page.index(marker)]
            found[glow] = before[before.rindex("(") + 1:]
    return found


def kinds_for(user) -> list[str]:
    return list(db.session.scalars(select(Notification.kind).where(
        Notification.recipient_id == user.id, Notification.kind.like("assessment.%"))
        .order_by(Notification.id)))


def test_labels_follow_neither_names_nor_submission_and_stay_put(
        anonymous, colleagues, setup, client_for):  # noqa: F811
    teacher = client_for(anonymous["teacher"])
    assert ask(teacher, {"a": anonymous}, setup,
               assessors=[p.id for p in colleagues]).status_code == 302
    request = the_request()
    glows = {p.id: f"Glowtext{n}" for n, p in enumerate(colleagues)}
    url = f"/assessments/requests/{request.id}"

    # Answers come in alphabetical order, which is also the order the rows were made in.
    answer(client_for, request, colleagues[0], setup, glows[colleagues[0].id])
    answer(client_for, request, colleagues[1], setup, glows[colleagues[1].id])
    early = labels_by_glow(text(teacher.get(url)), list(glows.values()))
    for person in colleagues[2:]:
        answer(client_for, request, person, setup, glows[person.id])
    page = text(teacher.get(url))
    final = labels_by_glow(page, list(glows.values()))

    assert set(final.values()) == {f"#{n}" for n in range(1, 7)}
    assert {g: final[g] for g in early} == early  # no label moved as more answers came
    in_order = [final[glows[p.id]] for p in colleagues]
    assert in_order != [f"#{n}" for n in range(1, 7)]  # not by name, nor by submission
    drawn = anonymity.labelled([mine(request, p) for p in colleagues])
    assert in_order == [drawn[mine(request, p).id] for p in colleagues]  # the keyed draw
    for person in colleagues:
        assert person.name not in page
    printed = text(teacher.get(url + "/print"))
    assert labels_by_glow(printed, list(glows.values())) == final
    assert not any(p.name in printed for p in colleagues)


def test_the_draw_depends_on_the_secret_key(
        app, anonymous, colleagues, setup, client_for):  # noqa: F811
    ask(client_for(anonymous["teacher"]), {"a": anonymous}, setup,
        assessors=[p.id for p in colleagues])
    rows = [mine(the_request(), p) for p in colleagues]
    first = anonymity.labelled(rows)
    app.config["SECRET_KEY"] = "another-secret-key-that-is-long-enough-012345"
    assert anonymity.labelled(rows) != first


def test_one_answer_is_not_shown_alone(anonymous, setup, client_for):  # noqa: F811
    teacher = client_for(anonymous["teacher"])
    ask(teacher, {"a": anonymous}, setup)  # the mentor and the second teacher
    request = the_request()
    answer(client_for, request, anonymous["mentor"], setup, "Sangat jelas")

    page = text(teacher.get(f"/assessments/requests/{request.id}"))

    assert "Sangat jelas" not in page and "#1" not in page
    assert "appear once at least two have answered" in page
    assert "1 of 2 colleagues" in page
    answer(client_for, request, anonymous["teacher2"], setup, "Runtut")
    page = text(teacher.get(f"/assessments/requests/{request.id}"))
    assert "Sangat jelas" in page and "Runtut" in page and "#2" in page
    assert anonymous["mentor"].name not in page and anonymous["teacher2"].name not in page


def test_notifications_name_nobody_and_come_only_when_answers_can_be_read(
        anonymous, colleagues, setup, client_for):  # noqa: F811
    teacher = anonymous["teacher"]
    ask(client_for(teacher), {"a": anonymous}, setup,
        assessors=[p.id for p in colleagues[:3]])
    request = the_request()

    answer(client_for, request, colleagues[0], setup, "a")
    assert kinds_for(teacher) == []  # its time would be this colleague's
    answer(client_for, request, colleagues[1], setup, "b")
    assert kinds_for(teacher) == ["assessment.answers_readable"]
    answer(client_for, request, colleagues[2], setup, "c")
    assert kinds_for(teacher) == ["assessment.answers_readable", "assessment.all_answered"]

    listed = text(client_for(teacher).get("/notifications/"))
    assert "can now be read" in listed and "Every colleague you asked" in listed
    assert not any(p.name in listed for p in colleagues)
    # Each leads the teacher to a page they may open.
    for note in db.session.scalars(select(Notification).where(
            Notification.recipient_id == teacher.id)):
        assert client_for(teacher).get(note.href).status_code == 200, note.kind


def test_without_the_setting_the_notification_names_the_colleague(
        world, setup, client_for):  # noqa: F811
    a = world["a"]
    ask(client_for(a["teacher"]), world, setup)
    answer(client_for, the_request(), a["mentor"], setup, "a")
    assert kinds_for(a["teacher"]) == ["assessment.submitted"]
    assert a["mentor"].name in text(client_for(a["teacher"]).get("/notifications/"))


def test_the_assessed_teacher_cannot_open_a_colleagues_own_page(
        anonymous, setup, client_for):  # noqa: F811
    teacher = client_for(anonymous["teacher"])
    ask(teacher, {"a": anonymous}, setup)
    request = the_request()
    answer(client_for, request, anonymous["mentor"], setup, "a")
    answer(client_for, request, anonymous["teacher2"], setup, "b")
    for person in (anonymous["mentor"], anonymous["teacher2"]):
        url = f"/assessments/{mine(request, person).id}"
        assert teacher.get(url).status_code == 404
        own = client_for(person).get(url)
        assert own.status_code == 200 and "Submitted on" in text(own)  # the author sees it


def test_an_observers_own_assessment_shows_no_name_and_no_time(
        anonymous, client_for):  # noqa: F811
    from collab.assessments import service_rubrics as rubrics
    from tests.integration.test_rooms_service import _completed_observation

    version = rubrics.published(rubrics.from_library(
        anonymous["school"].id, anonymous["principal"], "lesson_study_observation", "id"))
    observation = _completed_observation({"a": anonymous})
    db.session.commit()
    mentor = client_for(anonymous["mentor"])
    started = post(mentor, f"/assessments/observations/{observation.id}/start",
                   {"rubric": version.id})
    assert started.status_code == 302
    item = db.session.scalar(select(Assessment).where(
        Assessment.assessor_id == anonymous["mentor"].id))
    levels = [version.levels[0].score] * len(version.criteria)
    assert post(mentor, started.headers["Location"],
                rate_form(version, levels)).status_code == 302

    page = client_for(anonymous["teacher"]).get(f"/assessments/{item.id}")

    assert page.status_code == 200
    assert "Submitted on" not in text(page)
    assert anonymous["mentor"].name not in text(page)
    assert kinds_for(anonymous["teacher"]) == ["assessment.submitted_anonymously"]
    note = db.session.scalars(select(Notification).where(
        Notification.kind == "assessment.submitted_anonymously")).one()
    assert client_for(anonymous["teacher"]).get(note.href).status_code == 200


def test_the_growth_chart_tells_nothing_the_results_withhold(
        anonymous, setup, client_for):  # noqa: F811
    ask(client_for(anonymous["teacher"]), {"a": anonymous}, setup)
    request = the_request()
    answer(client_for, request, anonymous["mentor"], setup, "a")
    self_row = mine(request, anonymous["teacher"])
    post(client_for(anonymous["teacher"]), f"/assessments/{self_row.id}",
         rate_form(setup["version"], [2, 2]))

    [hidden] = service_growth.growth(anonymous["teacher"], setup["rubric"], anonymous=True)
    [shown] = service_growth.growth(anonymous["teacher"], setup["rubric"])

    assert hidden.total is None and hidden.self_total is not None
    assert shown.total is not None
    assert hidden.on == request.created_at.date()
