"""The assessments' refusal, with its sentences, and the limits those sentences name; the
service modules raise it and re-export it (`service.AssessmentError`)."""

from flask_babel import lazy_gettext as _l

from collab.core.refusals import RuleError

MAX_ASSESSORS = 10
MAX_TEXT = 2000
MAX_MESSAGE = 1000


class AssessmentError(RuleError):
    """A refused assessment change; `status` is the HTTP status it stands for, `missing`
    the criteria left unrated at a submission."""

    MESSAGES = {
        "assessor_count": _l("Choose one to %(max)d colleagues.", max=MAX_ASSESSORS),
        "not_a_colleague": _l("Choose colleagues of your school from the list."),
        "bad_deadline": _l("Choose a date from today to 90 days ahead."),
        "message_too_long": _l("At most %(max)d characters.", max=MAX_MESSAGE),
        "choose_target": _l("Choose a plan or a lesson."),
        "bad_target": _l("Choose one of your own plans or observed lessons."),
        "bad_rubric": _l("This rubric is not meant for that kind of work. Choose one "
                         "for plans or for observed lessons."),
        "bad_level": _l("Choose one of the rubric's levels."),
        "text_too_long": _l("At most %(max)d characters.", max=MAX_TEXT),
        "unrated": _l("Choose a level for every criterion before you submit. Your "
                      "draft is saved."),
        "submitted": _l("This assessment is already submitted; it can no longer change."),
        "not_an_observer": _l("Only the observers of this lesson can assess it."),
        "bad_criterion": _l("The rubric has changed; reload the page."),
    }

    def __init__(self, code: str, field: str | None = None, status: int = 400,
                 missing: list[int] | None = None):
        super().__init__(code, field)
        self.status = status
        self.missing = missing or []
