"""Forms for login, joining by invitation and password reset."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length

from collab.core.forms import new_password_fields
from collab.people.service_accounts import MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    email = StringField(
        _l("E-mail"),
        validators=[DataRequired(message=_l("Enter your e-mail address.")), Length(max=254)],
        render_kw={"autocomplete": "username", "inputmode": "email"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Enter your password.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me signed in on this device"))
    next = HiddenField()


class JoinForm(FlaskForm):
    name = StringField(
        _l("Your name"),
        validators=[DataRequired(message=_l("Enter your name.")), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    password, confirm = new_password_fields(MIN_PASSWORD_LENGTH)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ResetRequestForm(FlaskForm):
    email = StringField(
        _l("E-mail"),
        filters=[_strip],  # a pasted address often ends in a space; login accepts it too
        validators=[
            DataRequired(message=_l("Enter your e-mail address.")),
            Email(message=_l("This is not a valid e-mail address.")),
            Length(max=254),
        ],
        render_kw={"autocomplete": "username", "inputmode": "email"},
    )


class ResetForm(FlaskForm):
    password, confirm = new_password_fields(MIN_PASSWORD_LENGTH)
