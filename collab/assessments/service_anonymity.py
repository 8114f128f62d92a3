"""Anonymous peer feedback (the school's setting `anonymous_peer_feedback`): nothing the
assessed teacher can see names a colleague who assessed them, or lets them work it out
(docs/anonymity.md). With the setting on:

- Labels. Colleagues are "#1", "#2"… in an order drawn for each request from a keyed hash of
  the request and the assessment (HMAC with the app's secret): stable for the request, so a
  label never moves to another colleague when more answers come in, and unrelated to names,
  to the order in which colleagues were asked (rows are created sorted by name) and to the
  order of submission. Without the secret key the order cannot be recomputed.
- Too few answers. While fewer than two colleagues have answered (one, if only one was
  asked), no answer is shown: a single answer, its median and its glows and grows would be
  that colleague's. (Asking a single colleague cannot be anonymous; the page says so.)
- Time. No submission time is shown to the assessed teacher, and no notification per
  submission (its time would be that colleague's submission time): one when the answers first
  become readable, and one when every colleague asked has answered.
- Pages. The assessed teacher cannot open a colleague's own assessment page (404): they read
  the results page, where every answer carries its label only.

Self-assessments are the teacher's own; calibration rounds are not feedback on a teacher.
"""

import hashlib
import hmac

from flask import current_app

from collab.assessments.models import Assessment
from collab.core import notify
from collab.core.links import Target
from collab.extensions import db
from collab.people.models import School

PEER_KINDS = ("peer", "mentor")
MIN_ANSWERS = 2


def is_anonymous(school_id: int) -> bool:
    """Whether the school keeps peer feedback anonymous."""
    school = db.session.get(School, school_id)
    return bool(school and school.anonymous_peer_feedback)


def hidden_from_assessed(assessment: Assessment) -> bool:
    """Whether the assessed teacher may not open this assessment's own page: a colleague's
    answer to a request (read on the results page). An observer's own assessment of a lesson
    has no results page: it stays readable, without the time it was submitted."""
    return (assessment.kind in PEER_KINDS and assessment.request_id is not None
            and is_anonymous(assessment.school_id))


def _draw(assessment: Assessment) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    message = f"peer-label:{assessment.request_id or 0}:{assessment.id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def labelled(peers: list[Assessment]) -> dict[int, str]:
    """Labels "#1", "#2"… for every peer assessment of one request (drafts included, so that a
    label stays with its colleague), in the drawn order."""
    ordered = sorted(peers, key=_draw)
    return {a.id: f"#{n}" for n, a in enumerate(ordered, start=1)}


def answers_needed(asked: int) -> int:
    """How many answers must be in before any is shown."""
    return min(MIN_ANSWERS, max(asked, 1))


def tell_assessed(assessment: Assessment, submitter, target: Target) -> None:
    """After a colleague submits: the assessed teacher's notification, named or not."""
    if not is_anonymous(assessment.school_id) or assessment.kind not in PEER_KINDS:
        notify.notify(assessment.assessed, "assessment.submitted", target,
                      name=submitter.name, title=assessment.rubric_version.title)
        return
    if assessment.request_id is None:
        # An observer's own assessment of a lesson: told once it is in, without a name.
        notify.notify(assessment.assessed, "assessment.submitted_anonymously", target,
                      title=assessment.rubric_version.title)
        return
    peers = [a for a in assessment.request.assessments if a.kind in PEER_KINDS]
    answered = sum(1 for a in peers if a.is_submitted)
    if answered == len(peers):
        kind = "assessment.all_answered"
    elif answered == answers_needed(len(peers)):
        kind = "assessment.answers_readable"
    else:
        return
    notify.notify(assessment.assessed, kind, target, title=assessment.rubric_version.title)
