"""The rooms' forms: a new ad-hoc room, a chat message sent without JavaScript, a message
edited or deleted without JavaScript, a note added to the board."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from collab.core.forms import LongTextField
from collab.rooms.service import MAX_TITLE


class AdhocRoomForm(FlaskForm):
    title = StringField(
        _l("What do you want to think about?"),
        validators=[DataRequired(message=_l("Give the room a title.")),
                    Length(max=MAX_TITLE, message=_l("At most %(max)d characters.",
                                                     max=MAX_TITLE))],
        description=_l("For example: Group work in grade 8, or Preparing the open lesson."),
    )
    members = SelectMultipleField(
        _l("Invite colleagues"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=True,
    )


class MessageForm(FlaskForm):
    """A message without JavaScript. `client_id` is made when the form is shown, so that a
    second press of the button (or a resent form) stores the message once."""

    client_id = HiddenField()
    body = LongTextField(_l("Your message"))


class EditMessageForm(FlaskForm):
    body = LongTextField(_l("Your message"))


class NoteForm(FlaskForm):
    client_id = HiddenField()
    column = SelectField(_l("Column"))
    text = LongTextField(_l("Note"))
