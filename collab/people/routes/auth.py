"""Login, logout, joining by invitation, and password reset."""

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from collab.core.links import safe_next
from collab.core.page_cache import cached_page
from collab.extensions import db, limiter
from collab.people import auth_bp as bp
from collab.people import service as schools
from collab.people import service_accounts as accounts
from collab.people import service_devices as devices
from collab.people import service_mail as account_mail
from collab.people import service_passwords as passwords
from collab.people.forms_auth import JoinForm, LoginForm, ResetForm, ResetRequestForm
from collab.people.service_accounts import TokenError


def _account_key() -> str:
    # Failed logins count per account, not per address: a whole school often shares one IP.
    email = request.form.get("email", "")
    return "account:" + accounts.normalise_email(email)


def _login_key() -> str:
    # A browser that signed in to this account before counts on its own (service_devices).
    email = request.form.get("email", "")
    nonce = devices.nonce_for(request.cookies.get(devices.COOKIE_NAME), email)
    if nonce is not None:
        return f"device:{nonce}"
    return _account_key()


def _failed(response) -> bool:
    return response.status_code != 302


def _start_session(user, remember: bool = False) -> None:
    language = session.get("lang")
    session.clear()  # a fresh session at every login, so no earlier cookie can be fixed
    if language:
        session["lang"] = language
    login_user(user, remember=remember)
    if not remember:
        # An earlier "remember me" cookie in this browser (perhaps another person's on a
        # shared computer) must not outlive this sign-in.
        session["_remember"] = "clear"


@bp.route("/login", methods=["GET", "POST"])
@cached_page(public=True)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], key_func=_login_key,
               methods=["POST"], deduct_when=_failed, scope="login-account")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"],
               deduct_when=_failed, scope="login-ip")
def login():
    form = LoginForm(next=request.args.get("next", ""))
    login_failed = False
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            _start_session(user, remember=form.remember.data)
            response = redirect(safe_next(form.next.data, url_for("main.home_page")))
            _remember_device(response, user)
            return response
        login_failed = True
    elif request.method == "GET" and current_user.is_authenticated:
        return redirect(safe_next(form.next.data, url_for("main.home_page")))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form, login_failed=login_failed), status


def _remember_device(response, user) -> None:
    """Mark this browser as one that has signed in to the account (a fresh nonce each time)."""
    config = current_app.config
    response.set_cookie(devices.COOKIE_NAME, devices.issue(user.email),
                        max_age=devices.max_age(), httponly=True, samesite="Lax",
                        secure=config["SESSION_COOKIE_SECURE"],
                        path=url_for("auth.login"))


@bp.route("/logout", methods=["POST"])
def logout():
    # Logging out ends every session of this user, remember cookies included.
    if current_user.is_authenticated:
        accounts.end_sessions(current_user)
        db.session.commit()
    session.clear()
    # After the clear: logout_user() leaves the mark that makes Flask-Login delete the
    # remember cookie, which clearing afterwards would wipe.
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


def _link_problem(reason: str):
    return render_template("auth/link_problem.html", reason=reason), 410


@bp.route("/invite/<token>", methods=["GET", "POST"])
def invitation(token):
    try:
        invite = schools.invitation_for_token(token)
    except TokenError as exc:
        return _link_problem(exc.reason)
    form = JoinForm(name=invite.name)
    if form.validate_on_submit() and passwords.refuse_weak(
            form.password, invite.email, [form.name.data, invite.name, invite.school.name]):
        try:
            user = schools.accept_invitation(invite, form.name.data, form.password.data)
        except schools.SchoolError:
            db.session.rollback()
            return _link_problem("account_exists")
        db.session.commit()
        _start_session(user)
        flash(_("Welcome to %(school)s!", school=invite.school.name), "success")
        return redirect(url_for("main.home_page"))
    status = 400 if form.errors else 200
    return render_template("auth/join.html", form=form, invite=invite), status


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RESET_LIMIT_PER_ACCOUNT"], key_func=_account_key,
               methods=["POST"], scope="reset-account")
@limiter.limit(lambda: current_app.config["RESET_LIMIT_PER_CLIENT"], methods=["POST"],
               scope="reset-client")
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        # The same work and the same answer whether or not the address has an account: one
        # row in the outbox; its sender decides later (people/service_mail.py).
        account_mail.request_reset(form.email.data)
        db.session.commit()
        return render_template("auth/reset_sent.html")
    status = 400 if form.errors else 200
    return render_template("auth/reset_request.html", form=form), status


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token):
    try:
        user = accounts.user_for_reset_token(token)
    except TokenError as exc:
        return _link_problem(exc.reason)
    form = ResetForm()
    if form.validate_on_submit() and passwords.refuse_weak(form.password,
                                                           *passwords.own_words_of(user)):
        accounts.set_password(user, form.password.data)
        db.session.commit()
        logout_user()
        flash(_("Your password has been changed. Sign in with the new one."), "success")
        return redirect(url_for("auth.login"))
    status = 400 if form.errors else 200
    return render_template("auth/reset.html", form=form), status
