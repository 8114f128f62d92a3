"""Forms for the school calendar (periods, terms, holidays), classes and seating, and a
teacher's weekly timetable."""

from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from collab.core.forms import WholeNumberField
from collab.timetables import service as timetables
from collab.timetables.service import MAX_PERIODS

WEEKDAY_NAMES = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"),
                 _l("Saturday"), _l("Sunday"))
WEEKDAY_CHOICES = [SelectChoice(number, name) for number, name in enumerate(WEEKDAY_NAMES)]


class ClockField(StringField):
    """A time of day typed as 07:30 (or 07.30); `.value` holds the time, None when empty."""

    value: time | None = None

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.data = (self.data or "").strip()[:20]
        self.value = None
        if self.data:
            for pattern in ("%H:%M", "%H.%M", "%H:%M:%S"):
                try:
                    self.value = datetime.strptime(self.data, pattern).time()
                    return
                except ValueError:
                    continue
            raise ValueError(_l("Enter a time such as 07:30."))

    def process_data(self, value):
        self.value = value
        super().process_data(value.strftime("%H:%M") if value else "")


class DayField(StringField):
    """A date typed as 2026-07-13 (a date picker sends this form); `.value` holds the date."""

    value: date | None = None

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.data = (self.data or "").strip()[:20]
        self.value = None
        if self.data:
            try:
                self.value = date.fromisoformat(self.data)
            except ValueError:
                raise ValueError(_l("Enter a date such as 2026-07-13.")) from None


class PeriodRowForm(Form):
    starts_at = ClockField(_l("Start"), render_kw={"type": "time"})
    ends_at = ClockField(_l("End"), render_kw={"type": "time"})


class PeriodsForm(FlaskForm):
    """The periods of one weekday; rows left empty are dropped."""

    rows = FieldList(FormField(PeriodRowForm), max_entries=MAX_PERIODS + 3)

    def times(self) -> list:
        return [(row.starts_at.value, row.ends_at.value) for row in self.rows
                if row.starts_at.value or row.ends_at.value]

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        filled = [row for row in self.rows if row.starts_at.data or row.ends_at.data]
        for row in filled:
            for cell in (row.starts_at, row.ends_at):
                if not cell.data and not cell.errors:
                    cell.errors.append(_l("Enter both the start and the end."))
                    valid = False
        if not valid:
            self.rows.errors = [row.errors for row in self.rows]
            return False
        times = [(row.starts_at.value, row.ends_at.value) for row in filled]
        messages = {"ends_before_start": _l("The period must end after it starts."),
                    "overlap": _l("The period starts before the previous one ends."),
                    "too_many": _l("At most %(num)d periods a day.", num=MAX_PERIODS)}
        for index, code in timetables.check_period_times(times).items():
            row = filled[min(index, len(filled) - 1)]
            row.ends_at.errors.append(messages[code])
            valid = False
        # FieldList gathered its entries' errors before the checks above added theirs.
        self.rows.errors = [row.errors for row in self.rows] if not valid else []
        return valid


class ClassRowForm(Form):
    """One class's grade and seating grid (rows × seats per row) for observation notes."""

    class_id = HiddenField()
    grade = WholeNumberField(_l("Grade"), validators=[Optional(), NumberRange(
        min=1, max=12, message=_l("Between 1 and 12."))], render_kw={"inputmode": "numeric"})
    seat_rows = WholeNumberField(_l("Rows"), validators=[InputRequired(_l("Between 1 and 12.")),
        NumberRange(min=1, max=12, message=_l("Between 1 and 12."))],
        render_kw={"inputmode": "numeric"})
    seat_cols = WholeNumberField(_l("Seats in a row"), validators=[
        InputRequired(_l("Between 1 and 12.")),
        NumberRange(min=1, max=12, message=_l("Between 1 and 12."))],
        render_kw={"inputmode": "numeric"})


class ClassesForm(FlaskForm):
    classes = FieldList(FormField(ClassRowForm), max_entries=400)


class CopyPeriodsForm(FlaskForm):
    source = SelectField(_l("Copy the periods of"), choices=WEEKDAY_CHOICES, coerce=int)
    targets = SelectMultipleField(
        _l("Copy them to"), choices=WEEKDAY_CHOICES, coerce=int,
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
        validators=[DataRequired(message=_l("Choose at least one day."))],
    )


class _DateRangeForm(FlaskForm):
    starts_on = DayField(_l("First day"), render_kw={"type": "date"},
                         validators=[DataRequired(message=_l("Enter the first day."))])

    def validate_ends_on(self, field):
        if self.starts_on.value and field.value and field.value < self.starts_on.value:
            raise ValidationError(_l("The last day cannot be before the first day."))


class TermForm(_DateRangeForm):
    name = StringField(_l("Name"), description=_l("For example: Semester Ganjil 2026/2027"),
                       validators=[DataRequired(message=_l("Enter a name.")),
                                   Length(max=80, message=_l("At most 80 characters."))])
    ends_on = DayField(_l("Last day"), render_kw={"type": "date"},
                       validators=[DataRequired(message=_l("Enter the last day."))])


class HolidayForm(_DateRangeForm):
    name = StringField(_l("Name"), description=_l("For example: Libur Maulid Nabi"),
                       validators=[DataRequired(message=_l("Enter a name.")),
                                   Length(max=120, message=_l("At most 120 characters."))])
    ends_on = DayField(_l("Last day"), render_kw={"type": "date"},
                       description=_l("Leave empty for a one-day holiday."))


class LessonCellForm(Form):
    """One period of my timetable: empty, or a class and subject (and a room)."""

    class_name = StringField(_l("Class"), validators=[
        Length(max=timetables.MAX_CLASS, message=_l("At most 20 characters."))])
    subject = StringField(_l("Subject"), validators=[
        Length(max=timetables.MAX_SUBJECT, message=_l("At most 60 characters."))])
    room = StringField(_l("Room"), validators=[
        Length(max=timetables.MAX_ROOM, message=_l("At most 30 characters."))])

    @property
    def is_empty(self) -> bool:
        return not any(timetables.clean_text(f.data)
                       for f in (self.class_name, self.subject, self.room))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.is_empty:
            return valid
        if not timetables.clean_text(self.class_name.data):
            self.class_name.errors.append(_l("Enter the class, such as 7A."))
            valid = False
        if not timetables.clean_text(self.subject.data):
            self.subject.errors.append(_l("Enter the subject."))
            valid = False
        return valid


def cell_name(weekday: int, period: int) -> str:
    """The form field of one weekday and period in the timetable form."""
    return f"d{weekday}p{period}"


def timetable_form(periods: dict, lessons: list):
    """A form with one LessonCellForm per period of the school's week, filled with `lessons`
    (a new class per call: the periods are the school's own)."""

    class TimetableForm(FlaskForm):
        def slots(self) -> list[timetables.LessonSlot]:
            found = []
            for weekday, day in periods.items():
                for period in day:
                    cell = self[cell_name(weekday, period.number)]
                    if not cell.form.is_empty:
                        found.append(timetables.LessonSlot(
                            weekday, period.number, cell.class_name.data or "",
                            cell.subject.data or "", cell.room.data or ""))
            return found

    for weekday, day in periods.items():
        for period in day:
            setattr(TimetableForm, cell_name(weekday, period.number), FormField(LessonCellForm))
    data = {cell_name(lesson.weekday, lesson.period): {
        "class_name": lesson.class_name, "subject": lesson.subject, "room": lesson.room,
    } for lesson in lessons}
    return TimetableForm(**{k: v for k, v in data.items() if hasattr(TimetableForm, k)})


def with_id_prefix(form, prefix: str):
    """Give every field of `form` (nested ones too) an id starting with `prefix`, so that
    several forms with the same field names fit on one page; the names sent stay the same."""
    for field in form:
        _prefix_field(field, prefix)
    return form


def _prefix_field(field, prefix: str) -> None:
    field.id = f"{prefix}-{field.id}"
    field.label.field_id = field.id
    if isinstance(field, FieldList):
        for entry in field:
            _prefix_field(entry, prefix)
    elif isinstance(field, FormField):
        for sub in field.form:
            _prefix_field(sub, prefix)
