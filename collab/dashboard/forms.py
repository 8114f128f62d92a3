"""The dashboard's period form: a GET form (it changes nothing, so it carries no CSRF
token) whose values travel in the address, so that a view can be bookmarked and the CSV
files take the same period."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional

from collab.core.forms import WholeNumberField
from collab.dashboard.service import MAX_QUIET_DAYS, QUIET_DAYS


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False

    # Not "Period": that msgid is a lesson period ("Jam ke-") in the timetable.
    period = RadioField(_l("Time period"), choices=[
        SelectChoice("term", _l("This term")), SelectChoice("last", _l("Last 30 days")),
        SelectChoice("dates", _l("Between two dates")),
    ], default="term", validators=[Optional()])
    start = DateField(_l("First day"), validators=[Optional()])
    end = DateField(_l("Last day"), validators=[Optional()])
    quiet = WholeNumberField(
        _l("Days without collaboration before a teacher is flagged"), default=QUIET_DAYS,
        validators=[Optional(), NumberRange(min=1, max=MAX_QUIET_DAYS, message=_l(
            "Choose 1 to %(max)d days.", max=MAX_QUIET_DAYS))])

    def __init__(self, formdata, **kwargs):
        super().__init__(formdata=formdata, **kwargs)
        if self.period.data not in ("term", "last", "dates"):
            self.period.data = "term"

    def parameters(self) -> dict:
        """The form's values as address parameters (for the links to the CSV files)."""
        values = {"period": self.period.data}
        if self.period.data == "dates" and self.start.data and self.end.data:
            values.update(start=self.start.data.isoformat(), end=self.end.data.isoformat())
        if self.quiet.data and self.quiet.data != QUIET_DAYS and not self.quiet.errors:
            values["quiet"] = self.quiet.data
        return values
