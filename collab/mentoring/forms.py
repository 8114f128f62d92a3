"""Forms of the mentoring pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectMultipleField, StringField
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

from collab.core.forms import ListField, LongTextField, WholeNumberField
from collab.mentoring.models import MAX_CAPACITY
from collab.mentoring.service import FOCUS_AREAS, MAX_FOCUS, MAX_MESSAGE, MAX_NOTE
from collab.mentoring.service_life import MAX_REFLECTION, MAX_THANKS
from collab.mentoring.service_space import MAX_GOAL, MAX_NEXT, MAX_TALKED

CAPACITY_MESSAGE = _l("Choose how many novices: 1 to %(max)d.", max=MAX_CAPACITY)


def _long(limit: int):
    return Length(max=limit, message=_l("At most %(max)d characters.", max=limit))


class FocusField(SelectMultipleField):
    """Focus areas ticked from the fixed list."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, choices=[SelectChoice(k, v) for k, v in FOCUS_AREAS.items()],
                         validate_choice=False,
                         **kwargs)

    def pre_validate(self, form):
        if any(value not in FOCUS_AREAS for value in self.data or []):
            raise ValidationError(_l("Choose focus areas from the list."))


class OfferForm(FlaskForm):
    capacity = WholeNumberField(
        _l("How many novices at most"), description=CAPACITY_MESSAGE,
        not_a_number=CAPACITY_MESSAGE,
        validators=[InputRequired(message=CAPACITY_MESSAGE),
                    NumberRange(min=1, max=MAX_CAPACITY, message=CAPACITY_MESSAGE)],
        render_kw={"inputmode": "numeric"})
    subjects = ListField(_l("Subjects"), description=_l("Separated by commas."))
    grades = ListField(_l("Grades"), description=_l("Separated by commas."))
    focus = FocusField(_l("Focus areas you are strong in"))
    note = StringField(_l("A short note for novices (optional)"), validators=[_long(MAX_NOTE)])


class WishesForm(FlaskForm):
    focus = FocusField(_l("What would you like help with?"),
                       description=_l("Up to %(max)d focus areas.", max=MAX_FOCUS))

    def validate_focus(self, field):
        if len(field.data or []) > MAX_FOCUS:
            raise ValidationError(_l("Choose at most %(max)d focus areas.", max=MAX_FOCUS))


class AskForm(FlaskForm):
    mentor_id = HiddenField()
    message = LongTextField(_l("A message to the mentor (optional)"),
                            validators=[_long(MAX_MESSAGE)], render_kw={"rows": 2})


class ProposeForm(FlaskForm):
    mentor_id = HiddenField()


class AnswerForm(FlaskForm):
    note = LongTextField(_l("A note with your answer (optional)"),
                         validators=[_long(MAX_MESSAGE)], render_kw={"rows": 2})


class PrincipalOfferForm(FlaskForm):
    capacity = WholeNumberField(
        _l("Novices at most"), not_a_number=CAPACITY_MESSAGE,
        validators=[Optional(), NumberRange(min=1, max=MAX_CAPACITY, message=CAPACITY_MESSAGE)],
        render_kw={"inputmode": "numeric"})


class GoalForm(FlaskForm):
    text = LongTextField(_l("Goal"), validators=[
        DataRequired(message=_l("Write the goal.")), _long(MAX_GOAL)], render_kw={"rows": 2})
    success = LongTextField(_l("What success looks like"), validators=[_long(MAX_GOAL)],
                            render_kw={"rows": 2})
    due_on = DateField(_l("Due date (optional)"), validators=[Optional()])


class CheckInForm(FlaskForm):
    held_on = DateField(_l("Date"), validators=[
        InputRequired(message=_l("Choose the date of the check-in."))])
    talked = LongTextField(_l("What we talked about"), validators=[
        DataRequired(message=_l("Write what you talked about.")), _long(MAX_TALKED)],
        render_kw={"rows": 3})
    next_step = StringField(_l("Next step"), validators=[_long(MAX_NEXT)])


class SendForm(FlaskForm):
    """The proposals the principal keeps ticked: "novice id:mentor id" values."""

    pairs = SelectMultipleField(_l("Proposals"), validate_choice=False)


class ReflectionForm(FlaskForm):
    """A closing reflection: when ending the pair, or afterwards for the other teacher."""

    reflection = LongTextField(
        _l("Your closing reflection"),
        description=_l("What did you learn together? What will you keep doing?"),
        validators=[DataRequired(message=_l("Write a short closing reflection.")),
                    _long(MAX_REFLECTION)], render_kw={"rows": 3})


class ThanksForm(FlaskForm):
    text = LongTextField(_l("A thank-you note to your mentor"), validators=[
        DataRequired(message=_l("Write your thank-you note.")), _long(MAX_THANKS)],
        render_kw={"rows": 2})


class EndsOnForm(FlaskForm):
    ends_on = DateField(_l("The pair ends on"), validators=[
        InputRequired(message=_l("Choose an end date from tomorrow to three years after the "
                                 "start."))])
