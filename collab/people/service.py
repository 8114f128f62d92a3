"""Schools and their people: creating a school, inviting staff, joining, teams and roles."""

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from collab.core import activity, mail
from collab.core.models import utcnow
from collab.core.refusals import RuleError
from collab.extensions import db
from collab.people.models import Invitation, Membership, Profile, School, Team, TeamMember, User
from collab.people.service_accounts import TokenError, end_sessions, hash_password, normalise_email


class SchoolError(RuleError):
    """A request about a school that breaks a rule; `field` names the form field at fault."""

    MESSAGES = {
        "email_taken": _l("This e-mail address already has an account."),
        "already_member": _l("This person is already a member of your school."),
        "timezone": _l("Unknown time zone. Example: Asia/Jakarta."),
        "team_exists": _l("The school already has a team with this name."),
        "role": _l("Choose teacher or principal."),
        "own_role": _l("You cannot change your own role."),
    }


@dataclass
class StaffDetails:
    """What a principal knows about a teacher when inviting them."""

    name: str
    email: str
    role: str = "teacher"
    subjects: list[str] = field(default_factory=list)
    grades: list[str] = field(default_factory=list)
    years_teaching: int | None = None


def any_school_exists() -> bool:
    """True once the first school has been created."""
    return db.session.scalar(select(func.count(School.id))) > 0


def valid_timezone(name: str) -> bool:
    """True if `name` is an IANA time-zone name such as Asia/Jakarta."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


# The mail that tells the owner of an address with an account that a school was set up
# with it (written at send time by service_mail.py).
SCHOOL_SETUP_MAIL = "school_setup_existing_account"


def create_school(name: str, timezone: str, principal: StaffDetails, password: str):
    """Create a school with its principal's account; returns (school, principal).

    The answer is the same whatever the address, so that `/setup` and `flask create-school`
    never tell whether it has an account: a new address gets a new account with `password`;
    an address that has one keeps it (and its password) and its owner is told by mail; if
    that account belongs to no school it becomes the new school's principal, else the school
    starts without one. The principal returned is None then, so the caller answers as for a
    new account but signs nobody in. The password is hashed either way (same time)."""
    if not valid_timezone(timezone):
        raise SchoolError("timezone", "timezone")
    password_hash = hash_password(password)
    school = School(name=name.strip(), timezone=timezone)
    db.session.add(school)
    db.session.flush()
    existing = db.session.scalar(
        select(User).where(User.email == normalise_email(principal.email)))
    if existing is None:
        user = _create_member(school, principal, password_hash, role="principal")
        activity.record(school.id, user, "school.created", "school", school.id)
        return school, user
    if existing.membership is None:
        db.session.add(Membership(user_id=existing.id, school_id=school.id, role="principal"))
        if existing.profile is None:
            db.session.add(Profile(user_id=existing.id, subjects=[], grades=[]))
    activity.record(school.id, None, "school.created", "school", school.id)
    mail.queue_composed(SCHOOL_SETUP_MAIL, existing.email,
                        {"school": school.id, "name": principal.name.strip()})
    db.session.flush()
    return school, None


def member_of_school(school_id: int, email: str) -> bool:
    """Whether the address belongs to a member of this school."""
    found = db.session.scalar(
        select(User.id).join(Membership, Membership.user_id == User.id)
        .where(User.email == normalise_email(email), Membership.school_id == school_id))
    return found is not None


def _email_taken(email: str) -> bool:
    found = db.session.scalar(select(User.id).where(User.email == normalise_email(email)))
    return found is not None


def _create_member(school: School, details: StaffDetails, password_hash: str,
                   role: str) -> User:
    user = User(
        email=normalise_email(details.email),
        name=details.name.strip(),
        password_hash=password_hash,
    )
    db.session.add(user)
    db.session.flush()
    db.session.add(Membership(user_id=user.id, school_id=school.id, role=role))
    db.session.add(
        Profile(
            user_id=user.id,
            subjects=list(details.subjects),
            grades=list(details.grades),
            years_teaching=details.years_teaching,
        )
    )
    db.session.flush()
    return user


def open_invitation_for(school_id: int, email: str) -> Invitation | None:
    """The open invitation to this school for this address, if any."""
    return db.session.scalar(
        select(Invitation).where(
            Invitation.school_id == school_id,
            Invitation.email == normalise_email(email),
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
    )


def invite(school: School, inviter: User, details: StaffDetails) -> Invitation:
    """Invite one person to the school. Refuses an address of a member of this school (the
    principal sees them on the staff page); an address with an account elsewhere is invited
    like any other, so that the answer never tells who has an account (the mail tells its
    owner instead: service_mail.py).

    An open invitation for the same address is replaced, so the newest link is the one
    that works.
    """
    if member_of_school(school.id, details.email):
        raise SchoolError("already_member", "email")
    previous = open_invitation_for(school.id, details.email)
    if previous is not None:
        previous.revoked_at = utcnow()
    invitation = Invitation(
        school_id=school.id,
        email=normalise_email(details.email),
        name=details.name.strip(),
        role=details.role,
        subjects=list(details.subjects),
        grades=list(details.grades),
        years_teaching=details.years_teaching,
        invited_by_id=inviter.id,
    )
    db.session.add(invitation)
    db.session.flush()
    activity.record(school.id, inviter, "member.invited", "invitation", invitation.id)
    return invitation


def revoke_invitation(invitation: Invitation, by: User) -> None:
    """Make an open invitation's link stop working."""
    if invitation.is_open:
        invitation.revoked_at = utcnow()
        activity.record(invitation.school_id, by, "member.invitation_revoked", "invitation",
                        invitation.id)
        db.session.flush()


def _invite_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="invitation")


def invitation_token(invitation: Invitation) -> str:
    """The signed token of an invitation link."""
    return _invite_serializer().dumps({"i": invitation.id, "e": invitation.email})


def invitation_for_token(token: str) -> Invitation:
    """The open invitation behind a token; TokenError if expired, forged, used or revoked."""
    try:
        data = _invite_serializer().loads(
            token, max_age=current_app.config["INVITATION_MAX_AGE"]
        )
    except SignatureExpired as exc:
        raise TokenError("expired") from exc
    except BadSignature as exc:
        raise TokenError("invalid") from exc
    invitation = db.session.get(Invitation, data.get("i")) if isinstance(data, dict) else None
    if invitation is None or invitation.email != data.get("e"):
        raise TokenError("invalid")
    if not invitation.is_open:
        raise TokenError("used")
    return invitation


def accept_invitation(invitation: Invitation, name: str, password: str) -> User:
    """Create the invitee's account in the school and close the invitation."""
    if not invitation.is_open:
        raise TokenError("used")
    if _email_taken(invitation.email):
        raise SchoolError("email_taken", "email")
    details = StaffDetails(
        name=name,
        email=invitation.email,
        subjects=invitation.subjects or [],
        grades=invitation.grades or [],
        years_teaching=invitation.years_teaching,
    )
    user = _create_member(invitation.school, details, hash_password(password),
                          role=invitation.role)
    invitation.accepted_at = utcnow()
    activity.record(invitation.school_id, user, "member.joined", "user", user.id)
    db.session.flush()
    return user


def update_profile(user: User, *, subjects, grades, years_teaching) -> None:
    """Change what a teacher teaches and their years of experience."""
    profile = user.profile or Profile(user_id=user.id)
    profile.subjects = list(subjects)
    profile.grades = list(grades)
    profile.years_teaching = years_teaching
    db.session.add(profile)
    db.session.flush()


def staff(school_id: int) -> list[User]:
    """Everyone in the school, by name, with membership and profile loaded."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.school_id == school_id)
            .options(selectinload(User.profile), selectinload(User.teams))
            .order_by(User.name)
        )
    )


def open_invitations(school_id: int) -> list[Invitation]:
    """Invitations not yet accepted or revoked, newest first."""
    return list(
        db.session.scalars(
            select(Invitation)
            .where(
                Invitation.school_id == school_id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
            .order_by(Invitation.created_at.desc())
        )
    )


def change_role(member: User, role: str, by: User) -> bool:
    """Make a member teacher or principal; their sessions end so the new role applies now.

    Returns False if the member already had that role (nothing changes, nobody is told)."""
    if role not in ("teacher", "principal"):
        raise SchoolError("role", "role")
    if member.id == by.id:
        raise SchoolError("own_role", "role")
    if member.membership.role == role:
        return False
    member.membership.role = role
    end_sessions(member)
    activity.record(member.school_id, by, "member.role_changed", "user", member.id)
    return True


def create_team(school: School, name: str, by: User) -> Team:
    """Create a team in the school; names are unique per school."""
    name = name.strip()
    exists = db.session.scalar(
        select(Team.id).where(Team.school_id == school.id, func.lower(Team.name) == name.lower())
    )
    if exists:
        raise SchoolError("team_exists", "name")
    team = Team(school_id=school.id, name=name)
    db.session.add(team)
    db.session.flush()
    activity.record(school.id, by, "team.created", "team", team.id)
    return team


def set_team_members(team: Team, member_ids: set[int], by: User) -> None:
    """Replace a team's members; ids outside the team's school are ignored."""
    allowed = set(
        db.session.scalars(
            select(Membership.user_id).where(
                Membership.school_id == team.school_id, Membership.user_id.in_(member_ids)
            )
        )
    )
    current = set(
        db.session.scalars(select(TeamMember.user_id).where(TeamMember.team_id == team.id))
    )
    for user_id in current - allowed:
        db.session.delete(db.session.get(TeamMember, (team.id, user_id)))
    for user_id in allowed - current:
        db.session.add(TeamMember(team_id=team.id, user_id=user_id))
    db.session.flush()
    db.session.expire(team, ["members"])
    activity.record(team.school_id, by, "team.members_changed", "team", team.id)


def teams(school_id: int) -> list[Team]:
    """The school's teams with their members, by name."""
    return list(
        db.session.scalars(
            select(Team)
            .where(Team.school_id == school_id)
            .options(selectinload(Team.members))
            .order_by(Team.name)
        )
    )
