"""Comments on a lesson plan: threads one reply deep, optionally on one section (a heading
anchor), resolve and reopen, delete (the author) and hide (the plan's owner), and who is told
about a new comment.

Told about a new comment: the plan's owner and co-authors, the author of the comment replied
to, and colleagues mentioned as `@Full Name` or `@local-part` of their e-mail address. Each
person hears once per comment, never the commenter, and never anyone who cannot read the plan.
"""

import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from collab.core import activity, notify
from collab.core.links import Target
from collab.core.models import utcnow
from collab.core.refusals import RuleError
from collab.core.rendering import headings_in, render_markdown
from collab.extensions import db
from collab.people.models import Membership, User
from collab.plans import access as access
from collab.plans import service as plans
from collab.plans.models import Plan, PlanComment

MAX_COMMENT = 5000
MAX_SECTION = PlanComment.section.type.length


class CommentError(RuleError):
    """A comment that breaks a rule; `field` names the form field at fault."""

    MESSAGES = {
        "body_missing": _l("Write a comment."),
        "body_long": _l("A comment can have at most %(max)d characters.", max=MAX_COMMENT),
        "section": _l("Choose one of the plan's sections."),
        "parent": _l("You can only reply to a comment on this plan."),
    }


@dataclass
class Thread:
    """A top-level comment, its replies (oldest first) and who resolved it."""

    comment: PlanComment
    replies: list[PlanComment] = field(default_factory=list)
    resolved_by: User | None = None

    @property
    def id(self) -> int:
        return self.comment.id

    @property
    def is_resolved(self) -> bool:
        return self.comment.resolved_at is not None


def threads(plan: Plan) -> list[Thread]:
    """The plan's comment threads, oldest first, with authors and resolvers loaded in two
    queries whatever the number of comments."""
    comments = db.session.scalars(
        select(PlanComment).where(PlanComment.plan_id == plan.id)
        # The page shows the authors' names: their memberships (eager on User) stay unread.
        .options(joinedload(PlanComment.author).lazyload(User.membership))
        .order_by(PlanComment.created_at, PlanComment.id)
    ).all()
    by_id = {c.id: Thread(c) for c in comments if c.parent_id is None}
    for comment in comments:
        if comment.parent_id in by_id:
            by_id[comment.parent_id].replies.append(comment)
    resolver_ids = {t.comment.resolved_by_id for t in by_id.values() if t.comment.resolved_by_id}
    if resolver_ids:
        resolvers = {u.id: u for u in db.session.scalars(
            select(User).where(User.id.in_(resolver_ids)))}
        for thread in by_id.values():
            thread.resolved_by = resolvers.get(thread.comment.resolved_by_id)
    return list(by_id.values())


def comment_of(plan: Plan, comment_id: int) -> PlanComment | None:
    """The comment with this id if it belongs to `plan`."""
    return db.session.scalar(
        select(PlanComment).where(PlanComment.id == comment_id, PlanComment.plan_id == plan.id))


def _check(plan: Plan, body: str, section: str, parent_id: int | None) -> PlanComment | None:
    if not body.strip():
        raise CommentError("body_missing", "body")
    if len(body) > MAX_COMMENT:
        raise CommentError("body_long", "body")
    parent = None
    if parent_id is not None:
        parent = comment_of(plan, parent_id)
        if parent is None or parent.parent_id is not None:
            raise CommentError("parent", "body")
    elif section and section not in {anchor for anchor, _title in headings_in(
            plans.html_of(plan))}:
        raise CommentError("section", "section")
    return parent


def add(plan: Plan, author: User, body: str, *, section: str = "",
        parent_id: int | None = None) -> PlanComment:
    """Comment on `plan` (a reply when `parent_id` names a top-level comment of the same plan),
    record the activity and notify those concerned (the link: the comment on the plan page).
    A reply belongs to its thread's section. Raises CommentError."""
    section = (section or "").strip()
    parent = _check(plan, body, section, parent_id)
    comment = PlanComment(
        plan_id=plan.id, author_id=author.id, body=body.strip(),
        html=str(render_markdown(body.strip())),
        parent_id=parent.id if parent else None,
        # A very long heading has a very long anchor: the page matches the stored prefix.
        section=parent.section if parent else section[:MAX_SECTION],
    )
    db.session.add(comment)
    db.session.flush()
    activity.record(plan.school_id, author, "plan.commented", "plan", plan.id)
    target = Target("plans.view", {"plan_id": plan.id}, f"comment-{comment.id}")
    for user, kind in recipients(plan, comment, parent):
        notify.notify(user, kind, target, name=author.name, title=plan.title)
    return comment


def may_resolve(user: User, plan: Plan, comment: PlanComment) -> bool:
    """The plan's editors and the comment's author may resolve or reopen it."""
    return comment.author_id == user.id or access.can_edit(user, plan)


def resolve(comment: PlanComment, by: User) -> None:
    """Mark a thread as dealt with (kept, shown collapsed)."""
    if comment.resolved_at is None:
        comment.resolved_at = utcnow()
        comment.resolved_by_id = by.id
        db.session.flush()


def reopen(comment: PlanComment) -> None:
    """Open a resolved thread again."""
    comment.resolved_at = None
    comment.resolved_by_id = None
    db.session.flush()


def reply_count(comment: PlanComment) -> int:
    """How many replies go with a top-level comment when it is deleted."""
    return db.session.scalar(select(func.count(PlanComment.id)).where(
        PlanComment.parent_id == comment.id)) or 0


def delete(comment: PlanComment, by: User) -> None:
    """Delete a comment (its author's choice; access.may_delete_comment), with its replies
    if it starts a thread."""
    plan_id, school_id = comment.plan_id, db.session.get(Plan, comment.plan_id).school_id
    db.session.delete(comment)
    db.session.flush()
    activity.record(school_id, by, "plan.comment_deleted", "plan", plan_id)


def hide(comment: PlanComment, by: User) -> None:
    """Hide a comment from every reader of the plan (its owner's choice;
    access.may_hide_comment); it is kept and may be shown again."""
    if comment.hidden_at is None:
        comment.hidden_at = utcnow()
        comment.hidden_by_id = by.id
        db.session.flush()


def show(comment: PlanComment) -> None:
    """Show a hidden comment again."""
    comment.hidden_at = None
    comment.hidden_by_id = None
    db.session.flush()


# ---------------------------------------------------------------- who is told


def recipients(plan: Plan, comment: PlanComment,
               parent: PlanComment | None = None) -> list[tuple[User, str]]:
    """(user, notification kind) for everyone to tell about a new comment: one kind per
    person, the most personal one winning (mentioned, then replied to, then plan author)."""
    chosen: dict[int, tuple[User, str]] = {}

    def offer(user: User | None, kind: str) -> None:
        if user is not None and user.id != comment.author_id and user.id not in chosen:
            chosen[user.id] = (user, kind)

    for user in mentioned(plan.school_id, comment.body):
        offer(user, "plan.mentioned")
    if parent is not None:
        offer(parent.author, "plan.comment_replied")
    offer(plan.owner, "plan.commented")
    for user in plan.coauthors:
        offer(user, "plan.commented")
    return [(user, kind) for user, kind in chosen.values() if access.can_read(user, plan)]


# "@" at the start or after a space or punctuation, not inside an e-mail address.
_AT = re.compile(r"(?<![\w@])@")


def mentioned(school_id: int, text: str) -> list[User]:
    """The colleagues of the school mentioned in `text` as `@Full Name` or `@local-part`
    (case-insensitive; where one name starts another, the longest match wins)."""
    lowered = text.lower()
    positions = [m.end() for m in _AT.finditer(lowered)]
    if not positions:
        return []
    colleagues = db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.school_id == school_id)
    ).all()
    handles = [(h, u) for u in colleagues
               for h in {u.name.strip().lower(), u.email.split("@")[0].lower()} if h]
    found: dict[int, User] = {}
    for start in positions:
        matches = [(h, u) for h, u in handles if _mentions_at(lowered, start, h)]
        if matches:
            longest = max(len(h) for h, _u in matches)
            found.update({u.id: u for h, u in matches if len(h) == longest})
    return list(found.values())


def _mentions_at(text: str, start: int, handle: str) -> bool:
    if not text.startswith(handle, start):
        return False
    rest = text[start + len(handle):]
    # "@guru01." ends a sentence; "@guru01x" or "@guru.sd01" is someone else.
    return not re.match(r"[\w.-]*\w", rest)
