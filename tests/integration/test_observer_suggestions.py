"""The suggestions' reasons come from the timetables: same subject and same grade, the grade
read from the class's row, or from its name when the class has no row."""

import pytest
from sqlalchemy import delete

from collab.extensions import db
from collab.observations import service_suggestions as observer_suggestions
from collab.timetables.models import SchoolClass
from tests.integration.test_observations import a, future_lesson  # noqa: F401  (fixture `a`)

pytestmark = pytest.mark.dialect  # DISTINCT, CASE and GROUP BY queries


def reasons(a):  # noqa: F811
    lesson = future_lesson(a["teacher"])
    found = observer_suggestions.suggest(a["school"].id, a["teacher"].id, lesson.on,
                                         lesson.period, lesson.subject, lesson.class_name)
    return {s.user.id: (s.same_subject, s.same_grade) for s in found}


def test_the_grade_comes_from_the_class_or_else_its_name(a):  # noqa: F811
    a["mentor"].profile.grades = []  # only the timetable says the mentor teaches grade 7
    db.session.commit()
    assert reasons(a)[a["mentor"].id] == (True, True)
    db.session.execute(delete(SchoolClass).where(SchoolClass.school_id == a["school"].id))
    db.session.commit()
    assert reasons(a)[a["mentor"].id] == (True, True), "7C read from the name"
    assert reasons(a)[a["principal"].id] == (False, False)
