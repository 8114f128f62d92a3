"""Demo lesson plans for the demo SMP, written from `data/plans.json` and the Markdown bodies
in `data/plans/`: plans across subjects, each with a history of revisions, comments and a
reply, co-authors, a research lesson, one private draft, one adaptation by a novice teacher,
and one school template.

A plan's history: a first draft (its body up to the heading `draft_until`), the whole body,
and, if the plan has a `later` revision, the body with that revision's text added after its
anchor, by its author.

Idempotent: a plan is made only if its owner has no plan of that title yet, and its history
and comments come with it, so a second run adds nothing.
"""

from datetime import timedelta

from sqlalchemy import select

from collab.core.models import utcnow
from collab.core.rendering import headings
from collab.demo import content
from collab.demo.content import DemoContent
from collab.extensions import db
from collab.people.models import School, Team, User
from collab.plans import service as plans
from collab.plans import service_comments as plan_comments
from collab.plans import service_templates as plan_templates
from collab.plans.models import Plan, PlanRevision, PlanTemplate


def seed(school: School | None = None, data: DemoContent | None = None) -> None:
    """Add the demo plans that are missing in the demo SMP (found by name when no school is
    given); flushes, the caller commits."""
    data = data or content.load()
    if school is None:
        school = db.session.scalar(
            select(School).where(School.name == data.schools["smp"]["name"]))
    if school is None:
        return
    people = _people(data.domain)
    specs = data.plans
    for spec in specs["plans"]:
        if _plan_of(people[spec["owner"]], spec["title"]) is None:
            _make(spec, school, people, specs["messages"])
    adaptation = specs["adaptation"]
    original = next(p for p in specs["plans"] if p["id"] == adaptation["of"])
    if _plan_of(people[adaptation["owner"]], adaptation["title"]) is None:
        _adapt(_plan_of(people[original["owner"]], original["title"]), adaptation, people,
               school)
    _school_template(school, specs["school_template"], people)
    db.session.flush()


def _people(domain: str) -> dict[str, User]:
    users = db.session.scalars(select(User).where(User.email.like(f"%@{domain}")))
    return {u.email.split("@")[0]: u for u in users}


def _plan_of(owner: User, title: str) -> Plan | None:
    return db.session.scalar(select(Plan).where(Plan.owner_id == owner.id, Plan.title == title))


def _team_id(school: School, name: str | None) -> int | None:
    if name is None:
        return None
    return db.session.scalar(select(Team.id).where(Team.school_id == school.id, Team.name == name))


def _fields(spec: dict, school: School, body: str) -> plans.PlanFields:
    return plans.PlanFields(
        title=spec["title"], body=body, subject=spec["subject"], grade=spec["grade"],
        topic=spec["topic"], duration_minutes=spec["minutes"], tags=list(spec["tags"]),
        visibility=spec["visibility"], team_id=_team_id(school, spec["team"]),
        is_research_lesson=spec["research"])


def _drafts(spec: dict, messages: dict) -> list[tuple[str, str, str]]:
    """(body, author, message) of each revision, oldest first."""
    body, later = spec["body"], spec["later"]
    drafts = [
        (body[:body.index(spec["draft_until"])], spec["owner"], messages["first_draft"]),
        (body, spec["owner"], messages["completed"]),
    ]
    if later is not None:
        drafts.append((content.final_body(spec), later["author"], later["message"]))
    return drafts


def _make(spec: dict, school: School, people: dict[str, User], messages: dict) -> Plan:
    drafts = _drafts(spec, messages)
    first_body, _author, first_message = drafts[0]
    owner = people[spec["owner"]]
    plan = plans.create(owner, _fields(spec, school, first_body), spec["template"],
                        first_message)
    if spec["coauthors"]:
        plans.set_coauthors(plan, {people[c].id for c in spec["coauthors"]}, owner)
    for body, author, message in drafts[1:]:
        plans.save(plan, people[author], _fields(spec, school, body), plan.revision_number,
                   message)
    start = utcnow() - timedelta(days=spec["days_ago"])
    _backdate(plan, start)
    for number, comment in enumerate(spec["comments"]):
        _comment(plan, comment, people, start + timedelta(days=len(drafts), hours=number))
    return plan


def _backdate(plan: Plan, start) -> None:
    """Spread the revisions over the days before today, so the demo history reads naturally."""
    revisions = db.session.scalars(
        select(PlanRevision).where(PlanRevision.plan_id == plan.id)).all()
    for revision in revisions:
        revision.created_at = start + timedelta(days=revision.number - 1, hours=revision.number)
    plan.created_at = start
    plan.updated_at = max(r.created_at for r in revisions)
    db.session.flush()


def _comment(plan: Plan, spec: dict, people: dict[str, User], when) -> None:
    anchors = {title: anchor for anchor, title in headings(plan.body)}
    thread = plan_comments.add(plan, people[spec["author"]], spec["body"],
                               section=anchors.get(spec["section"], ""))
    thread.created_at = when
    for number, reply_spec in enumerate(spec["replies"], start=1):
        reply = plan_comments.add(plan, people[reply_spec["author"]], reply_spec["body"],
                                  parent_id=thread.id)
        reply.created_at = when + timedelta(hours=number)
    if spec["resolved_by"] is not None:
        plan_comments.resolve(thread, people[spec["resolved_by"]])
        thread.resolved_at = when + timedelta(hours=len(spec["replies"]) + 1)
    db.session.flush()


def _adapt(original: Plan, spec: dict, people: dict[str, User], school: School) -> Plan:
    """The novice's adaptation of a colleague's plan: a fork, changed and saved."""
    novice = people[spec["owner"]]
    copy = plans.fork(original, novice)
    body = copy.body
    for change in spec["changes"]:
        body = body.replace(change["old"], change["new"], 1)
    fields = plans.PlanFields(
        title=spec["title"], body=body, subject=copy.subject, grade=copy.grade,
        topic=copy.topic, duration_minutes=spec["minutes"],
        tags=[*copy.tag_names, spec["add_tag"]], visibility=spec["visibility"],
        team_id=_team_id(school, spec["team"]))
    plans.save(copy, novice, fields, copy.revision_number, spec["message"])
    _backdate(copy, utcnow() - timedelta(days=spec["days_ago"]))
    return copy


def _school_template(school: School, spec: dict, people: dict[str, User]) -> None:
    exists = db.session.scalar(select(PlanTemplate.id).where(
        PlanTemplate.school_id == school.id, PlanTemplate.name == spec["name"]))
    if exists is None:
        plan_templates.add_school_template(school.id, spec["name"], spec["body"],
                                           people[spec["author"]])
