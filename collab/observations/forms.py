"""Forms of the observation pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FieldList,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from collab.core.forms import LongTextField
from collab.observations.service import (
    MAX_ACTION,
    MAX_ACTIONS,
    MAX_FOCUS,
    MAX_NOTE,
    MAX_OBSERVERS,
    MAX_REFLECTION,
)


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class ObserversField(SelectMultipleField):
    """Colleagues ticked from the suggestions; anyone else (busy then, not of the school) is
    refused with one message in the user's language."""

    def pre_validate(self, form):
        allowed = {choice.value for choice in self.choices}
        if any(value not in allowed for value in self.data or []):
            raise ValidationError(_l("Choose colleagues from the list: they are free then."))
        # Checked here too (not only by the service), so an empty focus and no observer
        # are both marked at once.
        if not 1 <= len(set(self.data or [])) <= MAX_OBSERVERS:
            raise ValidationError(_l("Choose one to %(max)d observers.", max=MAX_OBSERVERS))


class RequestForm(FlaskForm):
    lesson = HiddenField()
    focus = LongTextField(
        _l("What should the observers look for?"),
        description=_l("Your focus question, e.g. “Which students explain their reasoning "
                       "to their group?”"),
        validators=[DataRequired(message=_l("Write the focus of the observation.")),
                    Length(max=MAX_FOCUS, message=_l("At most %(max)d characters.",
                                                     max=MAX_FOCUS))],
        render_kw={"rows": 3},
    )
    plan_id = SelectField(_l("Lesson plan (optional)"), coerce=_optional_int,
                          validate_choice=True)
    observers = ObserversField(
        _l("Observers"), coerce=int, widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(), validate_choice=True,
        description=_l("Choose one to %(max)d colleagues who are free then.",
                       max=MAX_OBSERVERS),
    )


class AnswerForm(FlaskForm):
    answer = RadioField(
        _l("Your answer"),
        choices=[SelectChoice("accept", _l("I will come")),
                 SelectChoice("decline", _l("I cannot come")),
                 SelectChoice("propose", _l("I propose another of the teacher's lessons"))],
        validators=[DataRequired(message=_l("Choose an answer."))],
    )
    lesson = SelectField(_l("Another lesson"), validate_choice=False)
    note = StringField(_l("A note for the teacher (optional)"),
                       validators=[Length(max=MAX_NOTE)])


class ActionForm(FlaskForm):
    class Meta:
        csrf = False  # part of DebriefForm, which carries the token

    text = StringField(_l("Action step"), validators=[Length(max=MAX_ACTION)])
    due_on = DateField(_l("Due date"), validators=[Optional()])


class DebriefForm(FlaskForm):
    reflection = LongTextField(
        _l("Your reflection"),
        description=_l("What did you learn from the notes? What will you keep, what will "
                       "you change?"),
        validators=[DataRequired(message=_l("Write your reflection.")),
                    Length(max=MAX_REFLECTION)],
        render_kw={"rows": 8},
    )
    actions = FieldList(FormField(ActionForm), min_entries=MAX_ACTIONS,
                        max_entries=MAX_ACTIONS)


class NoteForm(FlaskForm):
    """One note (or a class-mode marker) written without JavaScript. The values are checked by
    observations.service_notes, the same rules as a batch from the phone."""

    text = LongTextField(_l("Note"), render_kw={"rows": 3})
    tag = RadioField(_l("Tag"), validate_choice=False)
    seat = StringField(_l("Seat"))
    step = SelectField(_l("Lesson plan step"), validate_choice=False)
    mode = StringField(_l("How the class works"))

