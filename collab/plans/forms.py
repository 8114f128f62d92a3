"""Forms for writing and editing lesson plans."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from collab.core.forms import ListField, LongTextField, WholeNumberField
from collab.plans.service import MAX_BODY
from collab.plans.service_comments import MAX_COMMENT

VISIBILITY_CHOICES = [
    SelectChoice("private", _l("Private: only me and my co-authors")),
    SelectChoice("team", _l("Team: the members of one team")),
    SelectChoice("school", _l("School: everyone in my school")),
]


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class PlanForm(FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[DataRequired(message=_l("Give the plan a title.")), Length(max=200)],
    )
    body = LongTextField(
        _l("Plan"),
        description=_l("Markdown: # heading, - list, **bold**, | table |."),
        validators=[Length(max=MAX_BODY, message=_l("The plan is longer than %(max)d characters.",
                                                    max=MAX_BODY))],
        render_kw={"rows": 24},
    )
    subject = StringField(_l("Subject"), validators=[Length(max=80)])
    grade = StringField(_l("Grade"), validators=[Length(max=20)])
    topic = StringField(_l("Topic"), validators=[Length(max=200)])
    duration_minutes = WholeNumberField(
        _l("Duration (minutes)"),
        validators=[Optional(), NumberRange(min=1, max=1000, message=_l("Between 1 and 1000."))],
        render_kw={"inputmode": "numeric"},
    )
    tags = ListField(_l("Tags"), description=_l("Separate several with commas."))
    visibility = SelectField(_l("Who can see it"), choices=VISIBILITY_CHOICES, default="private")
    team_id = SelectField(_l("Team"), coerce=_optional_int, validate_choice=True)
    is_research_lesson = BooleanField(_l("This is a research lesson (lesson study)"))
    message = StringField(_l("What did you change? (optional)"), validators=[Length(max=300)])
    base_revision = HiddenField()


class NewPlanForm(PlanForm):
    template = SelectField(_l("Start from"), validate_choice=True)


class CoauthorsForm(FlaskForm):
    coauthors = SelectMultipleField(
        _l("Co-authors"), coerce=int, widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(), validate_choice=True,
    )


class CommentForm(FlaskForm):
    """A new comment or a reply; the section and the parent are checked by the service
    against the plan."""

    body = LongTextField(
        _l("Comment"),
        description=_l("Markdown. Mention a colleague with @ and their name."),
        validators=[
            DataRequired(message=_l("Write a comment.")),
            Length(max=MAX_COMMENT, message=_l("A comment can have at most %(max)d characters.",
                                               max=MAX_COMMENT)),
        ],
    )
    section = StringField(_l("On the section"))
    parent_id = HiddenField()


class SchoolTemplateForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(message=_l("Give the template a name.")), Length(max=120)],
    )
    body = LongTextField(
        _l("Template"),
        description=_l("Markdown: # heading, - list, **bold**, | table |."),
        validators=[
            DataRequired(message=_l("Write the template's text.")),
            Length(max=MAX_BODY, message=_l("The template is longer than %(max)d characters.",
                                            max=MAX_BODY)),
        ],
        render_kw={"rows": 20},
    )
