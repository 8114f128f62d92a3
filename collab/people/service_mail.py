"""The mails of accounts: a password reset link and an invitation, both written at send time
by the outbox's sender (core/mail.py), so that the request that asks for one does the same
work whether or not the address has an account: it queues one row and answers.

- A reset request queues the address as typed. The sender finds the account; with none, no
  mail leaves (the row is "dropped"); with one, it makes the token (valid one hour from then)
  and writes the link from BASE_URL in the account's language.
- An invitation queues its id. The sender writes the join link; if the address has an account
  by then (in another school: the principal was not told), the mail tells its owner that
  instead of carrying a link that could not work. A withdrawn invitation sends nothing.
- A school set up (`/setup`, `flask create-school`) with an address that has an account: the
  page or the command answered as for any address; this mail tells the owner what happened.
"""

from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from collab.core import mail
from collab.core.links import Target, absolute_url
from collab.extensions import db
from collab.people.models import Invitation, School, User
from collab.people.service import SCHOOL_SETUP_MAIL, invitation_token
from collab.people.service_accounts import find_user_by_email, make_reset_token, normalise_email

RESET = "password_reset"
INVITATION = "invitation"


def _language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else "id"


def request_reset(address: str) -> None:
    """Queue a reset link for the account of `address`, if there is one (decided later)."""
    mail.queue_composed(RESET, normalise_email(address), {"language": _language()})


def queue_invitation(invitation: Invitation, inviter: User) -> None:
    """Queue the invitation's mail (written when it is sent)."""
    mail.queue_composed(INVITATION, invitation.email,
                        {"invitation": invitation.id, "inviter": inviter.name,
                         "language": _language()})


def _reset_mail(address: str, params: dict) -> mail.Message | None:
    user = find_user_by_email(address)
    if user is None:
        return None
    link = absolute_url(Target("auth.reset", {"token": make_reset_token(user)}))
    with force_locale(user.language or params.get("language") or "id"):
        return mail.Message(user.email, _("Reset your Rembuk password"), _(
            "Hello %(name)s,\n\nOpen this link within one hour to choose a new "
            "password:\n%(link)s\n\nIf you did not ask for this, ignore this message.",
            name=user.name, link=link))


def _invitation_mail(address: str, params: dict) -> mail.Message | None:
    invitation = db.session.get(Invitation, params.get("invitation"))
    if invitation is None or not invitation.is_open or invitation.email != address:
        return None
    school, inviter = invitation.school.name, params.get("inviter", "")
    account = find_user_by_email(address)
    with force_locale((account.language if account else None) or params.get("language")
                      or "id"):
        subject = _("Invitation to join %(school)s on Rembuk", school=school)
        if account is not None:
            return mail.Message(address, subject, _(
                "Hello %(name)s,\n\n%(inviter)s invited you to join %(school)s on Rembuk, "
                "but this address already has an account. If you are moving to %(school)s, "
                "ask its principal how to continue; you can sign in here:\n%(link)s\n",
                name=account.name, inviter=inviter, school=school,
                link=absolute_url(Target("auth.login"))))
        link = absolute_url(Target("auth.invitation", {"token": invitation_token(invitation)}))
        return mail.Message(address, subject, _(
            "Hello %(name)s,\n\n%(inviter)s invites you to join %(school)s on Rembuk, where "
            "teachers plan lessons, observe each other and give feedback together.\n\n"
            "Open this link within 7 days to set your password:\n%(link)s\n",
            name=invitation.name, inviter=inviter, school=school, link=link))


def _school_setup_mail(address: str, params: dict) -> mail.Message | None:
    school, account = db.session.get(School, params.get("school")), find_user_by_email(address)
    if school is None or account is None:
        return None
    link = absolute_url(Target("auth.login"))
    with force_locale(account.language or "id"):
        subject = _("%(school)s was set up on Rembuk with your address", school=school.name)
        if account.school_id == school.id:
            what = _("You are its principal now: sign in with your usual password to "
                     "invite its teachers:\n%(link)s", link=link)
        else:
            what = _("Your account stays in %(own)s, so %(school)s was made without a "
                     "principal.",
                     own=account.membership.school.name if account.membership else "",
                     school=school.name)
        return mail.Message(account.email, subject, _(
            "Hello %(name)s,\n\nSomeone set up the school %(school)s on Rembuk with this "
            "e-mail address, which already has an account. No second account was made and "
            "your password did not change.\n\n%(what)s\n\nIf this was not you, tell "
            "the person who runs Rembuk for your school.",
            name=account.name, school=school.name, what=what))


def register() -> None:
    """Tell the outbox how to write these mails (create_app)."""
    mail.register_composer(SCHOOL_SETUP_MAIL, _school_setup_mail)
    mail.register_composer(RESET, _reset_mail)
    mail.register_composer(INVITATION, _invitation_mail)
