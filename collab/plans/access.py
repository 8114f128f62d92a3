"""Who may see and change a lesson plan. Every plan route, export, attachment and search goes
through here.

Private: the owner and co-authors. Team: also the members of the plan's team. School:
everyone in the school, the principal included. Anyone else gets a 404, never a 403, so a plan's
existence is not revealed. Editing: the owner and co-authors. Sharing, co-authors and
deleting: the owner.

Comments: any reader of the plan comments; the author deletes their own comment; the plan's
owner hides (and shows again) any comment on their plan, so one can never break or spoil it.
"""

from functools import cache

from flask import abort
from flask_login import current_user
from sqlalchemy import and_, bindparam, exists, false, inspect, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from collab.extensions import db
from collab.people.access import current_school
from collab.people.models import TeamMember, User
from collab.plans.models import Plan, PlanCoauthor, PlanComment, PlanRevision


def visible_to(user):
    """A SQL condition on Plan: the plans `user` may read (only ever within their school)."""
    if user is None or getattr(user, "membership", None) is None:
        return false()
    return readable_by(user.id, user.school_id)


def readable_by(user_id, school_id):
    """visible_to for a member of a school given by ids, which may be bound parameters (a
    statement built once and run for many users)."""
    is_coauthor = exists().where(PlanCoauthor.plan_id == Plan.id,
                                 PlanCoauthor.user_id == user_id)
    in_team = exists().where(TeamMember.team_id == Plan.team_id, TeamMember.user_id == user_id)
    return and_(
        Plan.school_id == school_id,
        or_(
            Plan.visibility == "school",
            Plan.owner_id == user_id,
            is_coauthor,
            and_(Plan.visibility == "team", in_team),
        ),
    )


def _ids(user, plan_id) -> dict:
    return {"plan_id": plan_id, "user_id": user.id, "school_id": user.school_id}


def _is_member(user) -> bool:
    return user is not None and getattr(user, "membership", None) is not None


@cache
def _readable_statement():
    # Built once with bound parameters: every plan page asks, and building the condition
    # anew cost more than running it.
    return select(Plan).where(Plan.id == bindparam("plan_id"),
                              readable_by(bindparam("user_id"), bindparam("school_id")))


@cache
def _readable_id_statement():
    return _readable_statement().with_only_columns(Plan.id)


def can_read(user, plan: Plan) -> bool:
    """True if `user` may read `plan` (the same rule as visible_to, for one loaded plan)."""
    if not _is_member(user):
        return False
    return db.session.scalar(_readable_id_statement(), _ids(user, plan.id)) is not None


def can_edit(user, plan: Plan) -> bool:
    """True for the owner and the co-authors, in the plan's school."""
    if getattr(user, "school_id", None) != plan.school_id:
        return False
    if plan.owner_id == user.id:
        return True
    if "coauthors" not in inspect(plan).unloaded:  # loaded with the plan: no query
        return any(coauthor.id == user.id for coauthor in plan.coauthors)
    return db.session.get(PlanCoauthor, (plan.id, user.id)) is not None


def is_owner(user, plan: Plan) -> bool:
    return plan.owner_id == user.id and plan.school_id == getattr(user, "school_id", None)


def readable_plan(plan_id: int) -> Plan:
    """The plan if the current user may read it, else 404."""
    current_school()
    plan = db.session.scalar(_readable_statement(), _ids(current_user, plan_id))
    if plan is None:
        abort(404)
    return plan


@cache
def _page_statement():
    # The plan page's plan with what the page shows of it in the same query: its owner and
    # team, and its newest revision's stored HTML when that revision is the plan's text.
    latest = aliased(PlanRevision)
    people = (joinedload(Plan.owner).lazyload(User.membership), joinedload(Plan.team),
              selectinload(Plan.coauthors).lazyload(User.membership))
    return (_readable_statement().add_columns(latest.html)
            .outerjoin(latest, and_(latest.plan_id == Plan.id,
                                    latest.number == Plan.revision_number,
                                    latest.body == Plan.body))
            .options(*people))


def readable_plan_page(plan_id: int) -> tuple[Plan, str | None]:
    """As readable_plan, for the plan page: the plan with its owner, team and co-authors
    loaded, and the stored HTML of its text (None for a plan saved before revisions kept
    their HTML)."""
    current_school()
    row = db.session.execute(_page_statement(), _ids(current_user, plan_id)).first()
    if row is None:
        abort(404)
    return row[0], row[1]


def editable_plan(plan_id: int) -> Plan:
    """The plan if the current user may edit it; 404 if they may not even read it, else 403."""
    plan = readable_plan(plan_id)
    if not can_edit(current_user, plan):
        abort(403)
    return plan


def owned_plan(plan_id: int) -> Plan:
    """The plan if the current user owns it; 404 if unreadable, else 403."""
    plan = readable_plan(plan_id)
    if not is_owner(current_user, plan):
        abort(403)
    return plan


def may_delete_comment(user, plan: Plan, comment: PlanComment) -> bool:
    """Only a comment's author deletes it (and only while they may read the plan)."""
    return comment.plan_id == plan.id and comment.author_id == getattr(user, "id", None) \
        and can_read(user, plan)


def may_hide_comment(user, plan: Plan, comment: PlanComment) -> bool:
    """The plan's owner hides or shows any comment on the plan."""
    return comment.plan_id == plan.id and is_owner(user, plan)
