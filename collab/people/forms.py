"""Forms for the profile, password change, inviting staff, teams and roles."""


from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    Length,
    NumberRange,
    Optional,
)
from wtforms.widgets import CheckboxInput, ListWidget

from collab.core.forms import ListField, new_password_fields
from collab.people.service_accounts import MIN_PASSWORD_LENGTH

LANGUAGE_CHOICES = [
    SelectChoice("", _l("As my browser says")),
    SelectChoice("id", "Bahasa Indonesia"),
    SelectChoice("en", "English"),
]
ROLE_CHOICES = [SelectChoice("teacher", _l("Teacher")), SelectChoice("principal", _l("Principal"))]


def _years_field():
    return IntegerField(
        _l("Years of teaching"),
        validators=[Optional(), NumberRange(min=0, max=60, message=_l("Between 0 and 60."))],
        render_kw={"inputmode": "numeric"},
    )


def _subjects_field():
    return ListField(_l("Subjects"), description=_l("Separate several with commas."))


def _grades_field():
    return ListField(_l("Grade levels"), description=_l("For example: 7, 8"))


class ProfileForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(message=_l("Enter your name.")), Length(max=120)]
    )
    subjects = _subjects_field()
    grades = _grades_field()
    years_teaching = _years_field()
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)


class PasswordForm(FlaskForm):
    current = PasswordField(
        _l("Current password"),
        validators=[DataRequired(message=_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    password, confirm = new_password_fields(MIN_PASSWORD_LENGTH)


class InviteForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(message=_l("Enter a name.")), Length(max=120)]
    )
    email = StringField(
        _l("E-mail"),
        validators=[
            DataRequired(message=_l("Enter an e-mail address.")),
            Email(message=_l("This is not a valid e-mail address.")),
            Length(max=254),
        ],
        render_kw={"inputmode": "email"},
    )
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default="teacher")
    subjects = _subjects_field()
    grades = _grades_field()
    years_teaching = _years_field()


class TeamForm(FlaskForm):
    name = StringField(
        _l("Team name"),
        validators=[DataRequired(message=_l("Enter a team name.")), Length(max=120)],
    )


class TeamMembersForm(FlaskForm):
    members = SelectMultipleField(
        _l("Members"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=True,
    )


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)


# ---------------------------------------------------------------- school calendar, timetables
