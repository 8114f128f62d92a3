"""Forms of the assessment pages. A rating form's fields depend on the rubric, so the page
reads them itself (level-<criterion>, glow-<criterion>, grow-<criterion>) under EmptyForm's
CSRF token."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from collab.assessments.service import MAX_ASSESSORS, MAX_MESSAGE
from collab.assessments.service_calibration import MAX_RATERS, MAX_TITLE
from collab.core.forms import LongTextField


class ColleaguesField(SelectMultipleField):
    """Colleagues ticked from a list; a value not in the list gets one message."""

    def __init__(self, label, **kwargs):
        super().__init__(label, coerce=int, widget=ListWidget(prefix_label=False),
                         option_widget=CheckboxInput(), **kwargs)

    def pre_validate(self, form):
        allowed = {choice[0] for choice in self.choices}
        if not self.data:
            raise ValidationError(_l("Choose at least one colleague."))
        if any(value not in allowed for value in self.data):
            raise ValidationError(_l("Choose colleagues of your school from the list."))


def _target_choice(value: str) -> str:
    return value or ""


class RequestForm(FlaskForm):
    target = SelectField(_l("Feedback on"), coerce=_target_choice,
                         validators=[DataRequired(message=_l("Choose a plan or a lesson."))])
    rubric = SelectField(_l("Rubric"), coerce=int,
                         validators=[DataRequired(message=_l("Choose a rubric."))])
    assessors = ColleaguesField(
        _l("Colleagues"),
        description=_l("One to %(max)d colleagues, your mentor among them if you have one.",
                       max=MAX_ASSESSORS))
    due_on = DateField(_l("Feedback wanted by"),
                       validators=[DataRequired(message=_l("Enter a date such as "
                                                           "2026-07-13."))])
    message = LongTextField(_l("A message for them (optional)"),
                            validators=[Length(max=MAX_MESSAGE)], render_kw={"rows": 3})
    with_self = BooleanField(_l("I will assess myself on the same rubric"), default=True)


class StartForm(FlaskForm):
    rubric = SelectField(_l("Rubric"), coerce=int,
                         validators=[DataRequired(message=_l("Choose a rubric."))])


class RoundForm(FlaskForm):
    title = StringField(_l("Title"), validators=[
        DataRequired(message=_l("Give the round a title.")),
        Length(max=MAX_TITLE)])
    target = SelectField(_l("Sample to rate"), coerce=_target_choice,
                         validators=[DataRequired(message=_l("Choose a plan or a lesson."))])
    rubric = SelectField(_l("Rubric"), coerce=int,
                         validators=[DataRequired(message=_l("Choose a rubric."))])
    raters = ColleaguesField(_l("Raters"),
                             description=_l("Up to %(max)d colleagues.", max=MAX_RATERS))
