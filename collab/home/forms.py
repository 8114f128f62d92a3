"""Forms of the main area: first-run school setup and the language switch."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import AnyOf, DataRequired, Email, Length, ValidationError

from collab.core.forms import new_password_fields
from collab.people.service import valid_timezone
from collab.people.service_accounts import MIN_PASSWORD_LENGTH


class SetupForm(FlaskForm):
    school_name = StringField(
        _l("School name"),
        validators=[DataRequired(message=_l("Enter the school's name.")), Length(max=200)],
    )
    timezone = StringField(
        _l("Time zone"),
        default="Asia/Jakarta",
        description=_l("Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT)."),
        validators=[DataRequired(message=_l("Enter a time zone."))],
    )
    name = StringField(
        _l("Your name"),
        validators=[DataRequired(message=_l("Enter your name.")), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    email = StringField(
        _l("Your e-mail"),
        validators=[
            DataRequired(message=_l("Enter your e-mail address.")),
            Email(message=_l("This is not a valid e-mail address.")),
            Length(max=254),
        ],
        render_kw={"autocomplete": "username", "inputmode": "email"},
    )
    password, confirm = new_password_fields(MIN_PASSWORD_LENGTH)

    def validate_timezone(self, field):
        if not valid_timezone(field.data.strip()):
            raise ValidationError(_l("Unknown time zone. Example: Asia/Jakarta."))


class LanguageForm(FlaskForm):
    lang = HiddenField(validators=[AnyOf(("id", "en"))])
    next = HiddenField()
