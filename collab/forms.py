"""Form pieces shared by several areas: password rules, list-of-words, whole-number and
long-text fields."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length, StopValidation, ValidationError

from collab.services.accounts import MIN_PASSWORD_LENGTH
from collab.services.staff_import import split_list


def new_password_fields():
    """A new password and its confirmation, with the project's password rules."""
    password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(message=_l("Choose a password.")),
            Length(min=MIN_PASSWORD_LENGTH, max=200,
                   message=_l("Use at least %(min)d characters.", min=MIN_PASSWORD_LENGTH)),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[EqualTo("password", message=_l("The two passwords are not the same."))],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


class WholeNumberField(IntegerField):
    """A whole number typed in a text box. Text that is not a number gets one message, in
    the user's language, and no range message on top of it."""

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0].strip():
            try:
                self.data = int(valuelist[0].strip())
            except ValueError:
                self.data = None
                raise ValueError(_l("Type a whole number, such as 45.")) from None
        else:
            self.data = None

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


class LongTextField(TextAreaField):
    """A long text. Browsers send line breaks as CRLF; they are kept as LF, so that a line
    break counts once against the length limit and the stored text is the same from every
    browser."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data:
            self.data = self.data.replace("\r\n", "\n").replace("\r", "\n")


class ListField(StringField):
    """Several words in one text box, separated by commas or semicolons."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.items = split_list(self.data)

    def process_data(self, value):
        if isinstance(value, list | tuple):
            self.items = list(value)
            value = ", ".join(value)
        else:
            self.items = split_list(value)
        super().process_data(value)

    def pre_validate(self, form):
        if len(self.items) > 20 or any(len(item) > 60 for item in self.items):
            raise ValidationError(_l("Too many entries, or an entry that is too long."))


# Messages for the codes of services.schools.SchoolError, shown next to the field at fault.
SCHOOL_ERRORS = {
    "email_taken": _l("This e-mail address already has an account."),
    "timezone": _l("Unknown time zone. Example: Asia/Jakarta."),
    "team_exists": _l("The school already has a team with this name."),
    "role": _l("Choose teacher or principal."),
    "own_role": _l("You cannot change your own role."),
}


def show_school_error(form, error) -> None:
    """Put a SchoolError's message next to its field (or the form's first field)."""
    field = getattr(form, error.field or "", None) or next(iter(form))
    field.errors = [*field.errors, SCHOOL_ERRORS.get(error.code, error.code)]


class EmptyForm(FlaskForm):
    """A form with only its CSRF token, for buttons that change something."""
