"""Lesson plans: create from a template, save a revision (refusing a stale base), restore,
adapt ("fork"), co-authors, and the word-level diff of two revisions."""

import difflib
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import delete as delete_statement
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from collab.core import activity
from collab.core.models import utcnow
from collab.core.refusals import RuleError
from collab.core.rendering import render_markdown, stored_html
from collab.extensions import db
from collab.people.models import Membership, Team
from collab.plans.models import (
    VISIBILITIES,
    Plan,
    PlanAttachment,
    PlanCoauthor,
    PlanComment,
    PlanRevision,
    PlanTag,
)

MAX_BODY = 200_000
MAX_TAGS = 15


class PlanError(RuleError):
    """A plan change that breaks a rule; `field` names the form field at fault."""

    MESSAGES = {
        "title_missing": _l("Give the plan a title."),
        "body_long": _l("The plan is too long."),
        "visibility": _l("Choose who can see the plan."),
        "team": _l("Choose one of your school's teams."),
        "team_needed": _l("Choose the team that may see the plan."),
    }


class StaleEdit(Exception):
    """The edit was based on a revision that is no longer the latest."""

    def __init__(self, latest: PlanRevision):
        super().__init__("stale edit")
        self.latest = latest


@dataclass
class PlanFields:
    title: str
    body: str = ""
    subject: str = ""
    grade: str = ""
    topic: str = ""
    duration_minutes: int | None = None
    tags: list[str] = field(default_factory=list)
    visibility: str = "private"
    team_id: int | None = None
    is_research_lesson: bool = False


def fields_of(plan: Plan) -> PlanFields:
    """The plan's current fields, to change some and save the rest as they are."""
    return PlanFields(
        title=plan.title, body=plan.body, subject=plan.subject, grade=plan.grade,
        topic=plan.topic, duration_minutes=plan.duration_minutes, tags=plan.tag_names,
        visibility=plan.visibility, team_id=plan.team_id,
        is_research_lesson=plan.is_research_lesson)


def _check(school_id: int, fields: PlanFields) -> None:
    if not fields.title.strip():
        raise PlanError("title_missing", "title")
    if len(fields.body) > MAX_BODY:
        raise PlanError("body_long", "body")
    if fields.visibility not in VISIBILITIES:
        raise PlanError("visibility", "visibility")
    if fields.team_id is not None:
        team = db.session.get(Team, fields.team_id)
        if team is None or team.school_id != school_id:
            raise PlanError("team", "team_id")
    if fields.visibility == "team" and fields.team_id is None:
        raise PlanError("team_needed", "team_id")


def _normal_tags(tags) -> list[str]:
    seen: list[str] = []
    for tag in tags:
        tag = re.sub(r"\s+", " ", tag.strip().lower())[:40]
        if tag and tag not in seen:
            seen.append(tag)
    return seen[:MAX_TAGS]


def _apply(plan: Plan, fields: PlanFields) -> None:
    plan.title = fields.title.strip()
    plan.body = fields.body
    plan.subject = fields.subject.strip()
    plan.grade = fields.grade.strip()
    plan.topic = fields.topic.strip()
    plan.duration_minutes = fields.duration_minutes
    plan.visibility = fields.visibility
    plan.team_id = fields.team_id
    plan.is_research_lesson = fields.is_research_lesson
    wanted = _normal_tags(fields.tags)
    plan.tags = [t for t in plan.tags if t.tag in wanted] + [
        PlanTag(tag=t) for t in wanted if t not in plan.tag_names
    ]
    plan.updated_at = utcnow()


def _rendered(body: str) -> str:
    # Before the first write of the change: on SQLite the write lock is not held meanwhile.
    return str(render_markdown(body))


def _add_revision(plan: Plan, author, message: str, html: str) -> PlanRevision:
    plan.revision_number = (plan.revision_number or 0) + 1
    revision = PlanRevision(plan_id=plan.id, number=plan.revision_number, title=plan.title,
                            body=plan.body, html=html, message=message.strip()[:300],
                            author_id=author.id)
    db.session.add(revision)
    return revision


def create(user, fields: PlanFields, template_key: str = "blank", message: str = "") -> Plan:
    """Create a plan owned by `user` in their school, with its first revision."""
    _check(user.school_id, fields)
    html = _rendered(fields.body)
    plan = Plan(school_id=user.school_id, owner_id=user.id, template_key=template_key)
    _apply(plan, fields)
    db.session.add(plan)
    db.session.flush()
    _add_revision(plan, user, message, html)
    db.session.flush()
    activity.record(plan.school_id, user, "plan.created", "plan", plan.id)
    return plan


def latest_revision(plan: Plan) -> PlanRevision:
    """The plan's newest revision."""
    return db.session.scalar(
        select(PlanRevision).where(PlanRevision.plan_id == plan.id,
                                   PlanRevision.number == plan.revision_number)
    )


def save(plan: Plan, user, fields: PlanFields, base_revision: int,
         message: str = "") -> PlanRevision:
    """Save a new revision; StaleEdit if `base_revision` is no longer the latest."""
    if base_revision != plan.revision_number:
        raise StaleEdit(latest_revision(plan))
    _check(plan.school_id, fields)
    html = _rendered(fields.body)
    _apply(plan, fields)
    revision = _add_revision(plan, user, message, html)
    try:
        db.session.flush()
    except StaleDataError as exc:
        # Another save of the same base won the race between our read and our write.
        db.session.rollback()
        raise StaleEdit(latest_revision(db.session.get(Plan, plan.id))) from exc
    activity.record(plan.school_id, user, "plan.saved", "plan", plan.id)
    return revision


def restore(plan: Plan, user, number: int) -> PlanRevision:
    """Make an old revision's text the newest revision (history is never rewritten)."""
    old = revision(plan, number)
    if old is None:
        raise PlanError("revision", None)
    html = old.html if old.html is not None else _rendered(old.body)
    plan.title, plan.body, plan.updated_at = old.title, old.body, utcnow()
    new = _add_revision(plan, user, f"restore:{number}", html)
    db.session.flush()
    activity.record(plan.school_id, user, "plan.restored", "plan", plan.id)
    return new


def html_of(plan: Plan) -> Markup:
    """The plan's text as safe HTML: its newest revision's, rendered when it was saved."""
    latest = latest_revision(plan)
    if latest is None or latest.body != plan.body:
        return render_markdown(plan.body)
    return stored_html(latest.html, latest.body)


def revisions(plan: Plan) -> list[PlanRevision]:
    """Every revision of the plan, newest first, with authors loaded."""
    return list(db.session.scalars(
        select(PlanRevision).where(PlanRevision.plan_id == plan.id)
        .options(joinedload(PlanRevision.author))
        .order_by(PlanRevision.number.desc())
    ))


def revision(plan: Plan, number: int) -> PlanRevision | None:
    """One revision of the plan by its number."""
    return db.session.scalar(
        select(PlanRevision).where(PlanRevision.plan_id == plan.id, PlanRevision.number == number)
    )


def fork(plan: Plan, user) -> Plan:
    """Adapt a colleague's plan: a private copy owned by `user`, remembering the original."""
    latest = latest_revision(plan)
    html = latest.html if latest is not None and latest.html is not None else _rendered(
        plan.body)
    copy = Plan(
        school_id=user.school_id, owner_id=user.id, title=plan.title, body=plan.body,
        subject=plan.subject, grade=plan.grade, topic=plan.topic,
        duration_minutes=plan.duration_minutes, visibility="private",
        is_research_lesson=plan.is_research_lesson, template_key=plan.template_key,
        forked_from_id=plan.id,
    )
    copy.tags = [PlanTag(tag=t) for t in plan.tag_names]
    db.session.add(copy)
    db.session.flush()
    _add_revision(copy, user, f"fork:{plan.id}", html)
    db.session.flush()
    activity.record(plan.school_id, user, "plan.forked", "plan", copy.id)
    return copy


@dataclass(frozen=True)
class DeletionFacts:
    """What deleting a plan removes (revisions, comments, files) and what it leaves
    (adaptations keep their own copy)."""

    revisions: int
    comments: int
    files: int
    adaptations: int


def deletion_facts(plan: Plan) -> DeletionFacts:
    def count(model, column):
        return db.session.scalar(select(func.count()).select_from(model).where(column == plan.id))

    return DeletionFacts(count(PlanRevision, PlanRevision.plan_id),
                         count(PlanComment, PlanComment.plan_id),
                         count(PlanAttachment, PlanAttachment.plan_id),
                         count(Plan, Plan.forked_from_id))


def delete(plan: Plan, user) -> list[str]:
    """Delete the plan with its revisions, co-authors, tags, comments and attachment rows
    (the database cascades, and its full-text entry goes with it); adaptations keep their
    copy without the link to it. Returns the stored names of the attachment files, to be
    removed once the change is committed (attachments.remove_file)."""
    stored = list(db.session.scalars(
        select(PlanAttachment.stored_name).where(PlanAttachment.plan_id == plan.id)))
    activity.record(plan.school_id, user, "plan.deleted", "plan", plan.id)
    plan_id = plan.id
    db.session.expunge(plan)
    db.session.execute(delete_statement(Plan).where(Plan.id == plan_id))
    return stored


def set_coauthors(plan: Plan, user_ids: set[int], by) -> list[int]:
    """Replace the co-authors; only colleagues of the plan's school, never the owner.
    Returns the ids newly added."""
    allowed = set(db.session.scalars(
        select(Membership.user_id).where(Membership.school_id == plan.school_id,
                                         Membership.user_id.in_(user_ids))
    )) - {plan.owner_id}
    current = set(db.session.scalars(
        select(PlanCoauthor.user_id).where(PlanCoauthor.plan_id == plan.id)))
    for user_id in current - allowed:
        db.session.delete(db.session.get(PlanCoauthor, (plan.id, user_id)))
    for user_id in allowed - current:
        db.session.add(PlanCoauthor(plan_id=plan.id, user_id=user_id))
    db.session.flush()
    db.session.expire(plan, ["coauthors"])
    activity.record(plan.school_id, by, "plan.coauthors_changed", "plan", plan.id)
    return sorted(allowed - current)


# ---------------------------------------------------------------- diff

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)
# difflib is quadratic where items repeat (blank lines, spaces between words). Up to these
# sizes every item may anchor a match (the best diff); beyond them items that make up more
# than 1% of the text do not (difflib's autojunk), so a long or crafted plan cannot hold a
# worker for minutes. A changed block beyond WORD_DIFF_MAX_TOKENS is shown as whole lines.
EXACT_LINES = 1_000
EXACT_TOKENS = 1_000
WORD_DIFF_MAX_TOKENS = 5_000


@dataclass
class DiffLine:
    kind: str  # "equal", "insert", "delete", "change", "skip"
    segments: list[tuple[str, str]]  # (op, text) with op in "=", "+", "-"


def diff(old: str, new: str, context: int = 3) -> list[DiffLine]:
    """Line diff of two texts with word-level highlight inside changed blocks; long unchanged
    stretches are folded to `context` lines around each change."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(
        None, old_lines, new_lines, autojunk=len(old_lines) + len(new_lines) > EXACT_LINES)
    result: list[DiffLine] = []
    opcodes = matcher.get_opcodes()
    for index, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op == "equal":
            # Context is kept only towards a change: none above the first, none below the last.
            result.extend(_fold(old_lines[i1:i2], context, first=index == 0,
                                last=index == len(opcodes) - 1))
        elif op == "insert":
            result.extend(DiffLine("insert", [("+", line)]) for line in new_lines[j1:j2])
        elif op == "delete":
            result.extend(DiffLine("delete", [("-", line)]) for line in old_lines[i1:i2])
        else:
            result.extend(_changed_block(old_lines[i1:i2], new_lines[j1:j2]))
    return result


def _changed_block(old_lines: list[str], new_lines: list[str]) -> list[DiffLine]:
    a, b = _TOKEN.findall("\n".join(old_lines)), _TOKEN.findall("\n".join(new_lines))
    if len(a) + len(b) > WORD_DIFF_MAX_TOKENS:
        return ([DiffLine("delete", [("-", line)]) for line in old_lines]
                + [DiffLine("insert", [("+", line)]) for line in new_lines])
    return [DiffLine("change", _word_diff(a, b))]


def _fold(lines: list[str], context: int, first: bool, last: bool) -> list[DiffLine]:
    keep_head = 0 if first else context
    keep_tail = 0 if last else context
    if len(lines) <= keep_head + keep_tail + 1:
        return [DiffLine("equal", [("=", line)]) for line in lines]
    hidden = len(lines) - keep_head - keep_tail
    return (
        [DiffLine("equal", [("=", line)]) for line in lines[:keep_head]]
        + [DiffLine("skip", [("=", str(hidden))])]
        + [DiffLine("equal", [("=", line)]) for line in lines[len(lines) - keep_tail:]]
    )


def _word_diff(a: list[str], b: list[str]) -> list[tuple[str, str]]:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=len(a) + len(b) > EXACT_TOKENS)
    segments: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(("=", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            segments.append(("-", "".join(a[i1:i2])))
        if j2 > j1:
            segments.append(("+", "".join(b[j1:j2])))
    return segments
