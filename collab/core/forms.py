"""Form pieces shared by several areas: password rules, list-of-words, whole-number and
long-text fields, the CSV upload with its check-then-confirm step."""

from dataclasses import dataclass

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import IntegerField, PasswordField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    EqualTo,
    Length,
    Optional,
    StopValidation,
    ValidationError,
)

from collab.core.csv_files import ImportFileError, decode_csv_bytes, split_list


def new_password_fields(min_length: int):
    """A new password and its confirmation, at least `min_length` characters long (the
    accounts service's rule)."""
    password = PasswordField(
        _l("New password"),
        description=_l("At least %(min)d characters, with no rule about digits or symbols: a "
                       "phrase of a few words of your own is strong and easy to remember. "
                       "Common passwords and ones made of your name, e-mail address or "
                       "school are refused.", min=min_length),
        validators=[
            DataRequired(message=_l("Choose a password.")),
            Length(min=min_length, max=200,
                   message=_l("Use at least %(min)d characters.", min=min_length)),
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
    the user's language (`not_a_number`, by default an example of a number), and no range
    message on top of it."""

    def __init__(self, *args, not_a_number=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.not_a_number = not_a_number or _l("Type a whole number, such as 45.")

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0].strip():
            try:
                self.data = int(valuelist[0].strip())
            except ValueError:
                self.data = None
                raise ValueError(self.not_a_number) from None
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


def show_refusal(form, error) -> None:
    """Put a service's refusal (a RuleError) next to its field, or the form's first field."""
    field = getattr(form, error.field or "", None) or next(iter(form))
    field.errors = [*field.errors, error.message]


class EmptyForm(FlaskForm):
    """A form with only its CSRF token, for buttons that change something."""


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"))
    # The file's text travels back with the confirmation, so nothing is stored before it.
    csv_text = StringField(validators=[Optional(), Length(max=500_000)])

    def uploaded_text(self) -> str | None:
        """The CSV text: the uploaded file, else the text sent back with the confirmation;
        None if the file is not text."""
        upload = self.file.data
        if upload and getattr(upload, "filename", ""):
            return decode_csv_bytes(upload.read())
        return self.csv_text.data or ""

    def read_rows(self, parse) -> "CsvUpload":
        """On a valid POST, the file checked row by row by `parse` (a service function of
        the CSV text), or why the file cannot be read; `confirmed` once the principal has
        pressed the import button under the report."""
        upload = CsvUpload()
        if not self.validate_on_submit():
            return upload
        text = self.uploaded_text()
        if text is None:
            upload.file_error = "encoding"
            return upload
        upload.text = text
        try:
            upload.rows = parse(text)
        except ImportFileError as exc:
            upload.file_error = exc.code
            return upload
        upload.confirmed = request.form.get("confirm") == "1"
        return upload


@dataclass
class CsvUpload:
    """What an import page shows: the checked rows, or the file's problem."""

    rows: list | None = None
    file_error: str | None = None
    text: str = ""
    confirmed: bool = False
