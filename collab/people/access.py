"""The current user's school, role checks, and school-scoped look-ups shared by every area."""

from functools import wraps

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from collab.extensions import db
from collab.people.models import Invitation, Membership, School, Team, User
from collab.timetables.models import Holiday, Term


def current_school() -> School:
    """The signed-in user's school; 403 for a user who belongs to none."""
    membership = getattr(current_user, "membership", None)
    if membership is None:
        abort(403)
    return membership.school


def is_principal() -> bool:
    """True if the signed-in user is a principal of their school."""
    return bool(current_user.is_authenticated and current_user.is_principal)


def school_member_required(view):
    """Only signed-in members of a school may use the view (others get 403)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        current_school()
        return view(*args, **kwargs)

    return wrapped


def principal_required(view):
    """Only the school's principal may use the view (teachers get 403)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        current_school()
        if not is_principal():
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def in_my_school(model, row_id: int):
    """The row of `model` with this id if it belongs to my school, else 404."""
    school = current_school()
    row = db.session.get(model, row_id)
    if row is None or row.school_id != school.id:
        abort(404)
    return row


def member_of_my_school(user_id: int) -> User:
    """A colleague in my school by id, else 404."""
    school = current_school()
    user = db.session.scalar(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(User.id == user_id, Membership.school_id == school.id)
    )
    if user is None:
        abort(404)
    return user


def team_of_my_school(team_id: int) -> Team:
    """A team of my school by id, else 404."""
    return in_my_school(Team, team_id)


def invitation_of_my_school(invitation_id: int) -> Invitation:
    """An invitation of my school by id, else 404."""
    return in_my_school(Invitation, invitation_id)


def term_of_my_school(term_id: int) -> Term:
    """A term of my school by id, else 404."""
    return in_my_school(Term, term_id)


def holiday_of_my_school(holiday_id: int) -> Holiday:
    """A holiday of my school by id, else 404."""
    return in_my_school(Holiday, holiday_id)
