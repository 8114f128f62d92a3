"""Mentoring's bad input, item by item as issue 12 lists it, in both languages: a capacity
outside 1-3, a mentor pairing with themselves, a second open pair for the same novice, a
mentor over capacity, a check-in dated in the future or empty, a goal over 500 characters.
Each is refused with its sentence next to the field (`<field>-error`) in the user's language,
nothing is stored, and what was typed is still there. (Two requests racing for a mentor's
last place: test_mentoring_races.py.)"""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from collab.core.models import utcnow
from collab.extensions import db
from collab.mentoring import service as mentoring
from collab.mentoring.models import CheckIn, MentoringGoal, MentorPair
from tests.conftest import post_form
from tests.integration.test_mentoring import _active_pair, school  # noqa: F401  (fixture)

SENTENCES = {
    "capacity": {"en": "Choose how many novices: 1 to 3.",
                 "id": "Pilih berapa guru pemula: 1 sampai 3."},
    "self": {"en": "Nobody can mentor themselves.",
             "id": "Tidak ada yang bisa menjadi mentor bagi dirinya sendiri."},
    "novice_paired": {"en": "This novice already has a mentor or an open request.",
                      "id": "Guru pemula ini sudah punya mentor atau permintaan yang masih "
                            "terbuka."},
    "mentor_full": {"en": "This mentor has no free place left.",
                    "id": "Mentor ini tidak punya tempat kosong lagi."},
    "future": {"en": "A check-in cannot be dated in the future.",
               "id": "Tanggal pertemuan tidak boleh di masa depan."},
    "no_date": {"en": "Choose the date of the check-in.", "id": "Pilih tanggal pertemuan."},
    "no_talk": {"en": "Write what you talked about.", "id": "Tuliskan apa yang dibicarakan."},
    "long_goal": {"en": "At most 500 characters.", "id": "Paling banyak 500 karakter."},
}


@pytest.fixture(params=["id", "en"])
def lang(request):
    return request.param


def client_in(client_for, user, lang):
    user.language = lang
    db.session.commit()
    return client_for(user)


def error_next_to(response, field_id: str) -> str:
    """The error sentence of a field, read from the page as a browser shows it."""
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    found = page.find(id=f"{field_id}-error")
    assert found is not None, f"no error next to {field_id}"
    return found.get_text(" ", strip=True)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("typed", ["0", "4", "-1", "dua", ""])
def test_a_teachers_capacity_outside_one_to_three(school, client_for, lang, typed):  # noqa: F811
    c = client_in(client_for, school["citra"], lang)
    response = post_form(c, "/mentoring/offer", {"capacity": typed, "note": "Catatan saya"},
                         page="/mentoring/")
    assert response.status_code == 400
    assert SENTENCES["capacity"][lang] in error_next_to(response, "capacity")
    assert f'value="{typed}"' in response.text and 'value="Catatan saya"' in response.text
    assert mentoring.profile_of(school["citra"]) is None


@pytest.mark.parametrize("typed", ["0", "7"])
def test_a_capacity_the_principal_sets_outside_one_to_three(school, client_for, lang,  # noqa: F811
                                                            typed):
    c = client_in(client_for, school["principal"], lang)
    citra = school["citra"]
    response = post_form(c, f"/mentoring/teachers/{citra.id}/offer", {"capacity": typed},
                         page="/mentoring/")
    assert response.status_code == 400
    assert SENTENCES["capacity"][lang] in error_next_to(response, f"capacity-{citra.id}")
    assert f'value="{typed}"' in response.text
    assert mentoring.profile_of(citra) is None


def test_a_novice_asking_themselves(school, client_for, lang):  # noqa: F811
    eko = school["eko"]
    c = client_in(client_for, eko, lang)
    response = post_form(c, "/mentoring/ask", {"mentor_id": str(eko.id),
                                               "message": "Pesan untuk diri sendiri"},
                         page="/mentoring/")
    assert response.status_code == 400
    assert SENTENCES["self"][lang] in error_next_to(response, "message")
    assert "Pesan untuk diri sendiri" in response.text
    assert count(MentorPair) == 0


def test_the_principal_pairing_a_novice_with_themselves(school, client_for, lang):  # noqa: F811
    dewi = school["dewi"]
    c = client_in(client_for, school["principal"], lang)
    url = f"/mentoring/novices/{dewi.id}"
    response = post_form(c, url, {"mentor_id": str(dewi.id)})
    # A button, nothing typed: the sentence is said at the top of the page.
    assert response.status_code == 400 and SENTENCES["self"][lang] in response.text
    assert count(MentorPair) == 0


def test_a_second_open_pair_for_the_same_novice(school, client_for, lang):  # noqa: F811
    mentoring.request_mentor(school["dewi"], school["ana"])  # asked in another tab
    db.session.commit()
    c = client_in(client_for, school["dewi"], lang)
    response = post_form(c, "/mentoring/ask", {"mentor_id": str(school["budi"].id),
                                               "message": "Pesan kedua saya"},
                         page="/mentoring/")
    assert response.status_code == 400
    assert SENTENCES["novice_paired"][lang] in error_next_to(response, "message")
    assert "Pesan kedua saya" in response.text
    assert [p.mentor_id for p in db.session.scalars(select(MentorPair))] == [school["ana"].id]


def test_a_mentor_over_capacity(school, client_for, lang):  # noqa: F811
    _active_pair(school, "eko", "budi")  # Budi's only place
    c = client_in(client_for, school["dewi"], lang)
    response = post_form(c, "/mentoring/ask", {"mentor_id": str(school["budi"].id),
                                               "message": "Tolong saya"}, page="/mentoring/")
    assert response.status_code == 400
    assert SENTENCES["mentor_full"][lang] in error_next_to(response, "message")
    assert "Tolong saya" in response.text
    assert mentoring.open_pair_of_novice(school["dewi"].id) is None


@pytest.mark.parametrize(("held_on", "talked", "field", "sentence"), [
    (2, "Rencana minggu depan", "held_on", "future"),
    (None, "Tanpa tanggal", "held_on", "no_date"),
    (0, "   ", "talked", "no_talk"),
    (0, "", "talked", "no_talk"),
])
def test_a_check_in_in_the_future_or_empty(school, client_for, lang, held_on, talked,  # noqa: F811
                                           field, sentence):
    pair = _active_pair(school)
    c = client_in(client_for, school["dewi"], lang)
    url = f"/mentoring/pairs/{pair.id}"
    day = "" if held_on is None else (utcnow().date() + timedelta(days=held_on)).isoformat()
    response = post_form(c, f"{url}/checkins", {"held_on": day, "talked": talked,
                                                "next_step": "Langkah saya"}, page=url)
    assert response.status_code == 400
    assert SENTENCES[sentence][lang] in error_next_to(response, field)
    assert 'value="Langkah saya"' in response.text
    if talked.strip():
        assert talked in response.text
    if day:
        assert f'value="{day}"' in response.text
    assert count(CheckIn) == 0


@pytest.mark.parametrize("field", ["text", "success"])
def test_a_goal_over_500_characters(school, client_for, lang, field):  # noqa: F811
    pair = _active_pair(school)
    c = client_in(client_for, school["ana"], lang)
    url = f"/mentoring/pairs/{pair.id}"
    typed = {"text": "Tujuan singkat", "success": "Sukses singkat", field: "g" * 501}
    response = post_form(c, f"{url}/goals", typed, page=url)
    assert response.status_code == 400
    assert SENTENCES["long_goal"][lang] in error_next_to(response, field)
    assert all(value in response.text for value in typed.values())
    assert count(MentoringGoal) == 0


def test_the_principal_lowering_a_mentors_capacity_below_their_mentees(school, client_for,  # noqa: F811
                                                                       lang):
    ana = school["ana"]  # capacity 2
    _active_pair(school, "dewi", "ana")
    mentoring.request_mentor(school["eko"], ana)
    db.session.commit()
    c = client_in(client_for, school["principal"], lang)
    response = post_form(c, f"/mentoring/teachers/{ana.id}/offer", {"capacity": "1"},
                         page="/mentoring/")
    assert response.status_code == 400
    sentence = {"en": "This teacher already has more novices than that; choose a larger "
                      "number.",
                "id": "Guru ini sudah punya lebih banyak guru pemula dari itu; pilih angka "
                      "yang lebih besar."}[lang]
    assert sentence in error_next_to(response, f"capacity-{ana.id}")
    assert 'value="1"' in response.text
    assert mentoring.profile_of(ana).capacity == 2


def test_a_mentor_whose_capacity_was_lowered_after_a_pair_ended_is_not_filled_over_it(
        school):  # noqa: F811
    ana = school["ana"]  # capacity 2
    first = _active_pair(school, "dewi", "ana")  # place 1
    second = _active_pair(school, "eko", "ana")  # place 2
    from collab.mentoring import service_life as life

    life.end(first, school["dewi"], "Selesai lebih awal.")  # place 1 is free again
    mentoring.set_offer(ana, 1, [], [], [])  # one mentee left: allowed
    db.session.commit()
    assert second.place == 2
    with pytest.raises(mentoring.MentoringError) as refused:
        mentoring.propose(school["principal"], school["fajar"], ana)
    assert refused.value.code == "mentor_full"
    db.session.rollback()
    assert len(mentoring.open_pairs_of_mentor(ana.id)) == 1


def test_the_database_refuses_a_capacity_outside_one_to_three(school):  # noqa: F811
    from sqlalchemy.exc import IntegrityError

    from collab.mentoring.models import MentoringProfile

    for capacity in (0, 4):
        db.session.add(MentoringProfile(user_id=school["citra"].id,
                                        school_id=school["school"].id, willing=True,
                                        capacity=capacity))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
