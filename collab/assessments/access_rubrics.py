"""Who may see and change a rubric. Every rubric page, export and builder action goes through
here.

Everyone in the school sees the school's rubrics (they are shared instruments, not anyone's
results); another school's rubric is a 404. Editing a rubric — its builder, a new version —
belongs to the teacher who created it and to the principal; anyone else of the school gets a
403.
"""

from flask import abort
from flask_login import current_user

from collab.assessments.models import Rubric
from collab.people.access import in_my_school


def can_edit(user, rubric: Rubric) -> bool:
    """True for the rubric's creator and the principal of its school."""
    if getattr(user, "school_id", None) != rubric.school_id:
        return False
    return bool(user.is_principal or rubric.created_by_id == user.id)


def rubric_of_my_school(rubric_id: int) -> Rubric:
    """The rubric if it belongs to the current user's school, else 404."""
    return in_my_school(Rubric, rubric_id)


def editable_rubric(rubric_id: int) -> Rubric:
    """The rubric if the current user may edit it; 404 outside the school, else 403."""
    rubric = rubric_of_my_school(rubric_id)
    if not can_edit(current_user, rubric):
        abort(403)
    return rubric
