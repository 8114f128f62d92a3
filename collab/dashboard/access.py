"""Who may see which dashboard: the school's view (and its files and print view) is the
principal's, a teacher gets 403; one teacher's page is theirs and their principal's, and a
teacher of another school is a 404 (as everywhere else). /dashboard/me is every member's."""

from flask import abort
from flask_login import current_user

from collab.people.access import (
    current_school,
    is_principal,
    member_of_my_school,
    principal_required,
    school_member_required,
)

school_view = principal_required
own_view = school_member_required


def teacher_for_principal(user_id: int):
    """A teacher of my school for the principal's page of them; 404 for anyone else's."""
    current_school()
    if not is_principal():
        abort(403)
    return member_of_my_school(user_id)


def viewer():
    return current_user
