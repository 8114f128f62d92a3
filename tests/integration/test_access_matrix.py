"""Every URL rule of the app, for every role: allowed, redirected to login, 403 or 404.

A new route without an entry here fails `test_every_route_is_in_the_matrix`, so nobody adds a
page without deciding who may open it. Items always belong to school A; `other` is school B's
principal, for whom every item of school A must be a 404.
"""

import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask import current_app

from collab.assessments import service_rubrics as rubrics
from collab.extensions import db
from collab.observations.models import ActionStep, Observation, ObservationObserver
from collab.people.service import invitation_token
from collab.people.service_accounts import make_reset_token
from collab.plans import service as plans
from collab.plans import service_attachments as attachments
from collab.plans import service_comments as plan_comments
from collab.plans.service import PlanFields
from collab.rooms import service as rooms
from collab.timetables import service as timetables
from tests.conftest import csrf_token

pytestmark = pytest.mark.dialect  # each route's access checks run their queries on each dialect

ROLES = ("anon", "outsider", "teacher", "principal", "other")

# Shorthands for the common shapes of a row.
MEMBERS = {"anon": 302, "outsider": 403, "teacher": 200, "principal": 200, "other": 200}
SIGNED_IN = {"anon": 302, "outsider": 200, "teacher": 200, "principal": 200, "other": 200}
PRINCIPALS = {"anon": 302, "outsider": 403, "teacher": 403, "principal": 200, "other": 200}
PRINCIPAL_OF_ITEM_GET = {"anon": 302, "outsider": 403, "teacher": 403, "principal": 200,
                         "other": 404}
PRINCIPAL_OF_ITEM_POST = {"anon": 302, "outsider": 403, "teacher": 403, "principal": 302,
                          "other": 404}
EVERYONE = dict.fromkeys(ROLES, 200)
REDIRECTS = dict.fromkeys(ROLES, 302)
# A plan of school A is a team plan of its teacher: school A's principal is not in the team,
# so for them (as for school B's) it does not exist.
PLAN_READER_GET = {"anon": 302, "outsider": 403, "teacher": 200, "principal": 404, "other": 404}
PLAN_EDITOR_POST = {"anon": 302, "outsider": 403, "teacher": 302, "principal": 404, "other": 404}
PLAN_FORM_REFUSED = {**PLAN_EDITOR_POST, "teacher": 400}


def _id(w, item: str) -> int:
    """The id of school A's plan, comment or attachment (made by this module's `world`).
    Other modules build these URLs with the shared world, which has no plan: there they get
    id 0, which no plan has (their checks, like CSRF, come before the plan is looked up)."""
    found = w["a"].get(item)
    return found.id if found is not None else 0


def schedule_item_url(kind: str):
    return lambda w: f"/settings/school/schedule/{kind}s/{_id(w, kind)}/delete"


def plan_url(suffix: str = ""):
    return lambda w: f"/plans/{_id(w, 'plan')}{suffix}"


def comment_url(action: str):
    return lambda w: f"/plans/{_id(w, 'plan')}/comments/{_id(w, 'comment')}/{action}"


def attachment_url(suffix: str = ""):
    return lambda w: f"/plans/{_id(w, 'plan')}/attachments/{_id(w, 'attachment')}{suffix}"


def observation_url(suffix: str = ""):
    return lambda w: f"/observations/{_id(w, 'observation')}{suffix}"


# An observation of school A: its teacher is observed, the mentor is invited (not a role
# here); the principal of A sees that it happened; school B's principal finds nothing.
OBSERVATION_GET = {"anon": 302, "outsider": 403, "teacher": 200, "principal": 200,
                   "other": 404}
NOT_INVITED_POST = {"anon": 302, "outsider": 403, "teacher": 403, "principal": 403,
                    "other": 404}


def assessment_url(item: str):
    return lambda w: f"/assessments/{_id(w, item)}"


def request_url(suffix: str = ""):
    return lambda w: f"/assessments/requests/{_id(w, 'feedback_request')}{suffix}"


def round_url(suffix: str = ""):
    return lambda w: f"/assessments/calibration/{_id(w, 'calibration_round')}{suffix}"


# The teacher's own assessment, request or round: nobody else's, in any school.
OWN_GET = {"anon": 302, "outsider": 403, "teacher": 200, "principal": 404, "other": 404}
OWN_POST = {**OWN_GET, "teacher": 302}
def room_url(suffix: str = ""):
    return lambda w: f"/rooms/{_id(w, 'room')}{suffix}"


def message_url(action: str):
    return lambda w: f"/rooms/{_id(w, 'room')}/messages/{_id(w, 'message')}/{action}"


# School A's team room (the teacher and the mentor are the team): a room exists only for its
# members, so A's principal (not in the team) finds nothing, like school B's.
ROOM_MEMBER_GET = {"anon": 302, "outsider": 403, "teacher": 200, "principal": 404,
                   "other": 404}
ROOM_MEMBER_POST = {**ROOM_MEMBER_GET, "teacher": 302}
ROOM_FORM_REFUSED = {**ROOM_MEMBER_GET, "teacher": 400}
def rubric_url(suffix: str = ""):
    return lambda w: f"/rubrics/{_id(w, 'rubric')}{suffix}"


# A published rubric of school A, made by its principal: everyone in the school reads it, the
# principal (or its creator) edits it, the teacher may not (403), school B finds nothing.
RUBRIC_GET = {"anon": 302, "outsider": 403, "teacher": 200, "principal": 200, "other": 404}
RUBRIC_EDITOR = {"anon": 302, "outsider": 403, "teacher": 403, "principal": 302, "other": 404}
MEMBERS_POST = {**MEMBERS, "teacher": 302, "principal": 302, "other": 302}


def mentor_pair_url(suffix: str = ""):
    return lambda w: f"/mentoring/pairs/{_id(w, 'mentor_pair')}{suffix}"


PAIR_GET = {"anon": 302, "outsider": 403, "teacher": 404, "principal": 200, "other": 404}
PAIR_POST = {**PAIR_GET, "principal": 403}


# rule -> method -> (url builder, expected status per role)
MATRIX = {
    "/": {"GET": (lambda w: "/", SIGNED_IN)},
    "/healthz": {"GET": (lambda w: "/healthz", EVERYONE)},
    "/setup": {"GET": (lambda w: "/setup", dict.fromkeys(ROLES, 404)),
               "POST": (lambda w: "/setup", dict.fromkeys(ROLES, 404))},
    "/language": {"POST": (lambda w: "/language", REDIRECTS)},
    "/notifications/": {"GET": (lambda w: "/notifications/", SIGNED_IN)},
    "/notifications/read": {"POST": (lambda w: "/notifications/read", REDIRECTS)},
    "/auth/login": {
        "GET": (lambda w: "/auth/login", {**REDIRECTS, "anon": 200}),
        "POST": (lambda w: "/auth/login", dict.fromkeys(ROLES, 400)),
    },
    "/auth/logout": {"POST": (lambda w: "/auth/logout", REDIRECTS)},
    "/auth/invite/<token>": {
        "GET": (lambda w: f"/auth/invite/{invitation_token(w['a']['invitation'])}", EVERYONE),
        "POST": (lambda w: f"/auth/invite/{invitation_token(w['a']['invitation'])}",
                 dict.fromkeys(ROLES, 400)),
    },
    "/auth/reset": {"GET": (lambda w: "/auth/reset", EVERYONE),
                    "POST": (lambda w: "/auth/reset", dict.fromkeys(ROLES, 400))},
    "/auth/reset/<token>": {
        "GET": (lambda w: f"/auth/reset/{make_reset_token(w['a']['teacher2'])}", EVERYONE),
        "POST": (lambda w: f"/auth/reset/{make_reset_token(w['a']['teacher2'])}",
                 dict.fromkeys(ROLES, 400)),
    },
    "/settings/": {"GET": (lambda w: "/settings/", REDIRECTS)},
    "/settings/profile": {"GET": (lambda w: "/settings/profile", MEMBERS),
                          "POST": (lambda w: "/settings/profile",
                                   {**MEMBERS, "teacher": 400, "principal": 400,
                                    "other": 400})},
    "/settings/password": {"GET": (lambda w: "/settings/password", SIGNED_IN),
                           "POST": (lambda w: "/settings/password",
                                    {**dict.fromkeys(ROLES, 400), "anon": 302})},
    "/settings/school/": {"GET": (lambda w: "/settings/school/", PRINCIPALS)},
    "/settings/school/invite": {
        "GET": (lambda w: "/settings/school/invite", PRINCIPALS),
        "POST": (lambda w: "/settings/school/invite",
                 {**PRINCIPALS, "principal": 400, "other": 400}),
    },
    "/settings/school/import": {
        "GET": (lambda w: "/settings/school/import", PRINCIPALS),
        "POST": (lambda w: "/settings/school/import",
                 {**PRINCIPALS, "principal": 400, "other": 400}),
    },
    "/settings/school/invitations/<int:invitation_id>/revoke": {
        "POST": (lambda w: f"/settings/school/invitations/{w['a']['invitation'].id}/revoke",
                 PRINCIPAL_OF_ITEM_POST)},
    "/settings/school/invitations/<int:invitation_id>/resend": {
        "POST": (lambda w: f"/settings/school/invitations/{w['a']['invitation'].id}/resend",
                 PRINCIPAL_OF_ITEM_POST)},
    "/settings/school/members/<int:user_id>/role": {
        "POST": (lambda w: f"/settings/school/members/{w['a']['teacher2'].id}/role",
                 PRINCIPAL_OF_ITEM_POST)},
    "/settings/school/teams": {
        "GET": (lambda w: "/settings/school/teams", PRINCIPALS),
        "POST": (lambda w: "/settings/school/teams",
                 {**PRINCIPALS, "principal": 400, "other": 400}),
    },
    "/settings/school/teams/<int:team_id>": {
        "GET": (lambda w: f"/settings/school/teams/{w['a']['team'].id}", PRINCIPAL_OF_ITEM_GET),
        "POST": (lambda w: f"/settings/school/teams/{w['a']['team'].id}",
                 PRINCIPAL_OF_ITEM_POST),
    },
    "/settings/school/schedule": {"GET": (lambda w: "/settings/school/schedule", PRINCIPALS)},
    # An empty form for a day leaves it without periods: allowed, and a redirect.
    "/settings/school/schedule/days/<int:weekday>": {
        "POST": (lambda w: "/settings/school/schedule/days/0",
                 {**PRINCIPALS, "principal": 302, "other": 302})},
    "/settings/school/schedule/copy": {
        "POST": (lambda w: "/settings/school/schedule/copy",
                 {**PRINCIPALS, "principal": 400, "other": 400})},
    "/settings/school/schedule/terms": {
        "POST": (lambda w: "/settings/school/schedule/terms",
                 {**PRINCIPALS, "principal": 400, "other": 400})},
    "/settings/school/schedule/holidays": {
        "POST": (lambda w: "/settings/school/schedule/holidays",
                 {**PRINCIPALS, "principal": 400, "other": 400})},
    "/settings/school/schedule/terms/<int:term_id>/delete": {
        "POST": (schedule_item_url("term"), PRINCIPAL_OF_ITEM_POST)},
    "/settings/school/schedule/holidays/<int:holiday_id>/delete": {
        "POST": (schedule_item_url("holiday"), PRINCIPAL_OF_ITEM_POST)},
    "/settings/school/timetables/import": {
        "GET": (lambda w: "/settings/school/timetables/import", PRINCIPALS),
        "POST": (lambda w: "/settings/school/timetables/import",
                 {**PRINCIPALS, "principal": 400, "other": 400}),
    },
    # An empty timetable form clears my week: allowed, and a redirect.
    # An empty classes form changes nothing: allowed, and a redirect.
    "/settings/school/classes": {
        "GET": (lambda w: "/settings/school/classes", PRINCIPALS),
        "POST": (lambda w: "/settings/school/classes",
                 {**PRINCIPALS, "principal": 302, "other": 302})},
    "/settings/timetable": {
        "GET": (lambda w: "/settings/timetable", MEMBERS),
        "POST": (lambda w: "/settings/timetable",
                 {**MEMBERS, "teacher": 302, "principal": 302, "other": 302}),
    },
    "/static/<path:filename>": {"GET": (lambda w: "/static/css/rembuk.css", EVERYONE)},
    "/observations/": {"GET": (lambda w: "/observations/", MEMBERS)},
    # Without a lesson chosen, the form is the list of my lessons.
    "/observations/new": {"GET": (lambda w: "/observations/new", MEMBERS),
                          "POST": (lambda w: "/observations/new", MEMBERS)},
    "/observations/<int:observation_id>": {"GET": (observation_url(), OBSERVATION_GET)},
    "/observations/<int:observation_id>/answer": {
        "POST": (observation_url("/answer"), NOT_INVITED_POST)},
    # Without confirm=1 the teacher gets the question (200), not the cancellation.
    "/observations/<int:observation_id>/cancel": {
        "GET": (observation_url("/cancel"), {**NOT_INVITED_POST, "teacher": 200}),
        "POST": (observation_url("/cancel"), {**NOT_INVITED_POST, "teacher": 200})},
    # The teacher may take a proposal, but nobody proposed: the state refuses (409).
    "/observations/<int:observation_id>/proposals/<int:user_id>": {
        "POST": (observation_url("/proposals/1"), {**NOT_INVITED_POST, "teacher": 409})},
    # Notes and reflection: the teacher's, but not before the lesson is observed (409).
    "/observations/<int:observation_id>/debrief": {
        "GET": (observation_url("/debrief"), {**NOT_INVITED_POST, "teacher": 409}),
        "POST": (observation_url("/debrief"), {**NOT_INVITED_POST, "teacher": 409})},
    # Notes are the accepted observers' (the mentor is only invited): 403 for the teacher
    # and the principal of A, 404 for school B.
    "/observations/<int:observation_id>/notes": {
        "GET": (observation_url("/notes"), NOT_INVITED_POST),
        "POST": (observation_url("/notes"), NOT_INVITED_POST)},
    "/observations/<int:observation_id>/notes/add": {
        "POST": (observation_url("/notes/add"), NOT_INVITED_POST)},
    "/observations/<int:observation_id>/notes/<int:note_id>/edit": {
        "POST": (observation_url("/notes/1/edit"), NOT_INVITED_POST)},
    "/observations/<int:observation_id>/notes/<int:note_id>/delete": {
        "POST": (observation_url("/notes/1/delete"), NOT_INVITED_POST)},
    "/observations/<int:observation_id>/submit": {
        "POST": (observation_url("/submit"), NOT_INVITED_POST)},
    # The notes pages' service worker: a script without personal data, for everyone.
    "/observations/sw.js": {"GET": (lambda w: "/observations/sw.js", EVERYONE)},
    # The feed is public (calendar services carry no session): without a valid token it
    # is a 404 for everyone, signed in or not (test_calendar.py fetches it with tokens).
    "/observations/calendar.ics": {
        "GET": (lambda w: "/observations/calendar.ics?token=not-a-token",
                dict.fromkeys(ROLES, 404))},
    "/observations/calendar/token": {
        "POST": (lambda w: "/observations/calendar/token",
                 {**MEMBERS, "teacher": 302, "principal": 302, "other": 302})},
    "/observations/calendar/token/delete": {
        "POST": (lambda w: "/observations/calendar/token/delete",
                 {**MEMBERS, "teacher": 302, "principal": 302, "other": 302})},
    "/observations/<int:observation_id>.ics": {"GET": (observation_url(".ics"), OBSERVATION_GET)},
    "/observations/actions/<int:step_id>/done": {
        "POST": (lambda w: f"/observations/actions/{_id(w, 'action_step')}/done",
                 {**NOT_INVITED_POST, "teacher": 302, "principal": 404})},
    # Assessments: the teacher of school A asked the mentor for feedback on their plan (with a
    # self-assessment) and runs a calibration round; the principal sees counts only.
    "/assessments/": {"GET": (lambda w: "/assessments/", MEMBERS)},
    "/assessments/new": {"GET": (lambda w: "/assessments/new", MEMBERS),
                         "POST": (lambda w: "/assessments/new", MEMBERS)},
    "/assessments/<int:assessment_id>": {
        "GET": (assessment_url("self_assessment"), OWN_GET),
        "POST": (assessment_url("self_assessment"), OWN_POST)},
    "/assessments/requests/<int:request_id>": {
        "GET": (request_url(), {**OWN_GET, "principal": 403})},
    "/assessments/requests/<int:request_id>/print": {
        "GET": (request_url("/print"), {**OWN_GET, "principal": 403})},
    "/assessments/requests/<int:request_id>/share": {"POST": (request_url("/share"), OWN_POST)},
    # Only an observer who accepted may assess a lesson on their own (the mentor is invited).
    "/assessments/observations/<int:observation_id>/start": {
        "GET": (lambda w: f"/assessments/observations/{_id(w, 'observation')}/start",
                NOT_INVITED_POST),
        "POST": (lambda w: f"/assessments/observations/{_id(w, 'observation')}/start",
                 NOT_INVITED_POST)},
    "/assessments/calibration/new": {"GET": (lambda w: "/assessments/calibration/new", MEMBERS),
                                     "POST": (lambda w: "/assessments/calibration/new",
                                              MEMBERS)},
    "/assessments/calibration/<int:round_id>": {"GET": (round_url(), OWN_GET)},
    "/assessments/calibration/<int:round_id>/close": {"POST": (round_url("/close"), OWN_POST)},
    "/rooms/": {"GET": (lambda w: "/rooms/", MEMBERS),
                "POST": (lambda w: "/rooms/", {**MEMBERS, "teacher": 400, "principal": 400,
                                               "other": 400})},
    # Opening the room of a plan (its readers), an observation (its teacher and accepted
    # observers; A's principal sees the observation, not its content: 403) or a team (its
    # members; a colleague outside the team: 403).
    "/rooms/plan/<int:plan_id>": {
        "POST": (lambda w: f"/rooms/plan/{_id(w, 'plan')}", PLAN_EDITOR_POST)},
    "/rooms/observation/<int:observation_id>": {
        "POST": (lambda w: f"/rooms/observation/{_id(w, 'observation')}",
                 {**NOT_INVITED_POST, "teacher": 302})},
    "/rooms/team/<int:team_id>": {
        "POST": (lambda w: f"/rooms/team/{w['a']['team'].id}",
                 {**NOT_INVITED_POST, "teacher": 302})},
    "/rooms/<int:room_id>": {"GET": (room_url(), ROOM_MEMBER_GET)},
    # Evidence cards and outcomes belong to debrief and plan rooms: a team room has none.
    "/rooms/<int:room_id>/evidence": {
        "GET": (room_url("/evidence"), {**ROOM_MEMBER_GET, "teacher": 404}),
        "POST": (room_url("/evidence"), {**ROOM_MEMBER_GET, "teacher": 404})},
    "/rooms/<int:room_id>/outcomes": {
        "GET": (room_url("/outcomes"), {**ROOM_MEMBER_GET, "teacher": 404}),
        "POST": (room_url("/outcomes"), {**ROOM_MEMBER_GET, "teacher": 404})},
    # The teacher opened the team room: they facilitate it.
    "/rooms/<int:room_id>/settings": {"GET": (room_url("/settings"), ROOM_MEMBER_GET),
                                      "POST": (room_url("/settings"), ROOM_MEMBER_POST)},
    "/rooms/<int:room_id>/floor": {"POST": (room_url("/floor"), ROOM_MEMBER_POST)},
    # An empty form: no client id (400); an empty edit (400).
    "/rooms/<int:room_id>/messages": {"POST": (room_url("/messages"), ROOM_FORM_REFUSED)},
    "/rooms/<int:room_id>/messages/<int:message_id>/edit": {
        "POST": (message_url("edit"), ROOM_FORM_REFUSED)},
    "/rooms/<int:room_id>/messages/<int:message_id>/delete": {
        "POST": (message_url("delete"), ROOM_MEMBER_POST)},
    "/rooms/<int:room_id>/read": {"POST": (room_url("/read"), ROOM_MEMBER_POST)},
    "/rooms/<int:room_id>/notes": {"POST": (room_url("/notes"), ROOM_FORM_REFUSED)},
    "/rubrics/": {"GET": (lambda w: "/rubrics/", MEMBERS)},
    "/rubrics/new": {"POST": (lambda w: "/rubrics/new", MEMBERS_POST)},
    "/rubrics/library/<key>": {"POST": (lambda w: "/rubrics/library/pkg", MEMBERS_POST)},
    # An import without a file is refused next to the field.
    "/rubrics/import": {"GET": (lambda w: "/rubrics/import", MEMBERS),
                        "POST": (lambda w: "/rubrics/import",
                                 {**MEMBERS, "teacher": 400, "principal": 400, "other": 400})},
    # An empty settings form turns both settings off: allowed, and a redirect.
    "/rubrics/settings": {"GET": (lambda w: "/rubrics/settings", PRINCIPALS),
                          "POST": (lambda w: "/rubrics/settings",
                                   {**PRINCIPALS, "principal": 302, "other": 302})},
    "/rubrics/<int:rubric_id>": {"GET": (rubric_url(), RUBRIC_GET)},
    "/rubrics/<int:rubric_id>/versions/<int:number>": {
        "GET": (rubric_url("/versions/1"), RUBRIC_GET)},
    "/rubrics/<int:rubric_id>/export.json": {"GET": (rubric_url("/export.json"), RUBRIC_GET)},
    "/rubrics/<int:rubric_id>/export.csv": {"GET": (rubric_url("/export.csv"), RUBRIC_GET)},
    # The rubric is published: the builder sends its editor to the rubric's page (302); a
    # grid posted on a page older than the newest version is a conflict (409), never saved.
    "/rubrics/<int:rubric_id>/edit": {
        "GET": (rubric_url("/edit"), RUBRIC_EDITOR),
        "POST": (rubric_url("/edit"), {**RUBRIC_EDITOR, "principal": 409})},
    "/rubrics/<int:rubric_id>/versions/new": {
        "POST": (rubric_url("/versions/new"), RUBRIC_EDITOR)},
    "/rubrics/<int:rubric_id>/archive": {"POST": (rubric_url("/archive"), RUBRIC_EDITOR)},
    "/rubrics/<int:rubric_id>/restore": {"POST": (rubric_url("/restore"), RUBRIC_EDITOR)},
    "/rubrics/<int:rubric_id>/duplicate": {
        "POST": (rubric_url("/duplicate"), {**RUBRIC_EDITOR, "teacher": 302})},
    # Mentoring: in school A the mentor mentors the second teacher (an active pair with a
    # goal). The teacher (5 years) may offer to mentor; an empty offer or request is refused
    # next to its field (400); a principal is no mentor (back to /mentoring/). A pair is its
    # two teachers' (the teacher here is not in it: 404); A's principal sees that it exists
    # (200), not its content (403 on its forms).
    "/mentoring/": {"GET": (lambda w: "/mentoring/", MEMBERS)},
    "/mentoring/offer": {"POST": (lambda w: "/mentoring/offer",
                                  {**MEMBERS, "teacher": 400, "principal": 302, "other": 302})},
    "/mentoring/offer/stop": {"POST": (lambda w: "/mentoring/offer/stop", MEMBERS_POST)},
    "/mentoring/wishes": {"POST": (lambda w: "/mentoring/wishes", MEMBERS_POST)},
    "/mentoring/ask": {"POST": (lambda w: "/mentoring/ask",
                                {**MEMBERS, "teacher": 400, "principal": 400, "other": 400})},
    "/mentoring/teachers/<int:user_id>/offer": {
        "POST": (lambda w: f"/mentoring/teachers/{w['a']['mentor'].id}/offer",
                 PRINCIPAL_OF_ITEM_POST)},
    "/mentoring/novices/<int:user_id>": {
        "GET": (lambda w: f"/mentoring/novices/{w['a']['teacher2'].id}", PRINCIPAL_OF_ITEM_GET),
        "POST": (lambda w: f"/mentoring/novices/{w['a']['teacher2'].id}",
                 {**PRINCIPAL_OF_ITEM_POST, "principal": 400})},
    "/mentoring/propose": {
        "GET": (lambda w: "/mentoring/propose", PRINCIPALS),
        "POST": (lambda w: "/mentoring/propose",
                 {**PRINCIPALS, "principal": 302, "other": 302})},
    "/mentoring/pairs.csv": {"GET": (lambda w: "/mentoring/pairs.csv", PRINCIPALS)},
    "/mentoring/pairs/<int:pair_id>": {"GET": (mentor_pair_url(), PAIR_GET)},
    "/mentoring/pairs/<int:pair_id>/answer": {"POST": (mentor_pair_url("/answer"), PAIR_POST)},
    "/mentoring/pairs/<int:pair_id>/goals": {"POST": (mentor_pair_url("/goals"), PAIR_POST)},
    "/mentoring/pairs/<int:pair_id>/goals/<int:goal_id>/done": {
        "POST": (lambda w: f"/mentoring/pairs/{_id(w, 'mentor_pair')}/goals/"
                           f"{_id(w, 'mentoring_goal')}/done", PAIR_POST)},
    "/mentoring/pairs/<int:pair_id>/checkins": {
        "POST": (mentor_pair_url("/checkins"), PAIR_POST)},
    # What the pair does together, thanks and ending: the pair's two teachers only.
    **{f"/mentoring/pairs/<int:pair_id>/{action}": {
        "POST": (mentor_pair_url(f"/{action}"), PAIR_POST)}
       for action in ("plan", "room", "watch", "share", "withdraw", "thanks", "end",
                      "reflection")},
    # The end date: A's principal (an empty date is refused next to the field).
    "/mentoring/pairs/<int:pair_id>/ends-on": {
        "POST": (mentor_pair_url("/ends-on"), {**PRINCIPAL_OF_ITEM_POST, "principal": 400})},
    # A colleague's mentoring profile: their school reads it.
    "/mentoring/mentors/<int:user_id>": {
        "GET": (lambda w: f"/mentoring/mentors/{w['a']['mentor'].id}",
                {**MEMBERS, "other": 404})},
    "/mentoring/thanks/visibility": {
        "POST": (lambda w: "/mentoring/thanks/visibility", MEMBERS_POST)},
    # The school's dashboard is its principal's; a principal has no row of their own, so
    # /dashboard/me sends them to the school's; one teacher's page is their principal's.
    "/dashboard/": {"GET": (lambda w: "/dashboard/", PRINCIPALS)},
    "/dashboard/print": {"GET": (lambda w: "/dashboard/print", PRINCIPALS)},
    "/dashboard/teachers.csv": {"GET": (lambda w: "/dashboard/teachers.csv", PRINCIPALS)},
    "/dashboard/weekly.csv": {"GET": (lambda w: "/dashboard/weekly.csv", PRINCIPALS)},
    "/dashboard/me": {"GET": (lambda w: "/dashboard/me",
                              {**MEMBERS, "principal": 302, "other": 302})},
    "/dashboard/teachers/<int:user_id>": {
        "GET": (lambda w: f"/dashboard/teachers/{w['a']['teacher'].id}",
                PRINCIPAL_OF_ITEM_GET)},
    "/plans/": {"GET": (lambda w: "/plans/", MEMBERS)},
    "/plans/new": {
        "GET": (lambda w: "/plans/new", MEMBERS),
        "POST": (lambda w: "/plans/new", {**MEMBERS, "teacher": 400, "principal": 400,
                                          "other": 400}),
    },
    "/plans/preview": {"POST": (lambda w: "/plans/preview", MEMBERS)},
    "/plans/templates": {
        "GET": (lambda w: "/plans/templates", PRINCIPALS),
        "POST": (lambda w: "/plans/templates", {**PRINCIPALS, "principal": 400, "other": 400}),
    },
    "/plans/<int:plan_id>": {"GET": (plan_url(), PLAN_READER_GET)},
    "/plans/<int:plan_id>/edit": {"GET": (plan_url("/edit"), PLAN_READER_GET),
                                  "POST": (plan_url("/edit"), PLAN_FORM_REFUSED)},
    "/plans/<int:plan_id>/history": {"GET": (plan_url("/history"), PLAN_READER_GET)},
    "/plans/<int:plan_id>/revisions/<int:number>": {
        "GET": (plan_url("/revisions/1"), PLAN_READER_GET)},
    "/plans/<int:plan_id>/diff": {"GET": (plan_url("/diff?a=1&b=1"), PLAN_READER_GET)},
    "/plans/<int:plan_id>/revisions/<int:number>/restore": {
        "POST": (plan_url("/revisions/1/restore"), PLAN_EDITOR_POST)},
    "/plans/<int:plan_id>/fork": {"POST": (plan_url("/fork"), PLAN_EDITOR_POST)},
    "/plans/<int:plan_id>/delete": {"GET": (plan_url("/delete"), PLAN_READER_GET),
                                     "POST": (plan_url("/delete"), PLAN_EDITOR_POST)},
    "/plans/<int:plan_id>/coauthors": {"GET": (plan_url("/coauthors"), PLAN_READER_GET),
                                       "POST": (plan_url("/coauthors"), PLAN_EDITOR_POST)},
    "/plans/<int:plan_id>/export.md": {"GET": (plan_url("/export.md"), PLAN_READER_GET)},
    "/plans/<int:plan_id>/export.docx": {"GET": (plan_url("/export.docx"), PLAN_READER_GET)},
    "/plans/<int:plan_id>/print": {"GET": (plan_url("/print"), PLAN_READER_GET)},
    "/plans/<int:plan_id>/attachments": {"POST": (plan_url("/attachments"), PLAN_FORM_REFUSED)},
    "/plans/<int:plan_id>/attachments/<int:attachment_id>": {
        "GET": (attachment_url(), PLAN_READER_GET)},
    "/plans/<int:plan_id>/attachments/<int:attachment_id>/delete": {
        "POST": (attachment_url("/delete"), PLAN_EDITOR_POST)},
    "/plans/<int:plan_id>/comments": {"POST": (plan_url("/comments"), PLAN_FORM_REFUSED)},
    "/plans/<int:plan_id>/comments/<int:comment_id>/resolve": {
        "POST": (comment_url("resolve"), PLAN_EDITOR_POST)},
    "/plans/<int:plan_id>/comments/<int:comment_id>/reopen": {
        "POST": (comment_url("reopen"), PLAN_EDITOR_POST)},
    # The comment is the mentor's: the plan's owner may hide it, not delete it.
    "/plans/<int:plan_id>/comments/<int:comment_id>/delete": {
        "GET": (comment_url("delete"), {**PLAN_READER_GET, "teacher": 403}),
        "POST": (comment_url("delete"), {**PLAN_READER_GET, "teacher": 403})},
    "/plans/<int:plan_id>/comments/<int:comment_id>/hide": {
        "POST": (comment_url("hide"), PLAN_EDITOR_POST)},
    "/plans/<int:plan_id>/comments/<int:comment_id>/show": {
        "POST": (comment_url("show"), PLAN_EDITOR_POST)},
}

CASES = [
    (rule, method, role)
    for rule, methods in MATRIX.items()
    for method in methods
    for role in ROLES
]


PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


@pytest.fixture
def world(world, snapshots):
    """The shared world plus, in each school, a team plan of the teacher (the mentor is in
    the team; the second teacher and the principal are not), commented on by the mentor and
    with one attachment. Built once per worker, restored for each case (conftest.py)."""
    return snapshots.reuse("access_matrix.world", lambda: _with_items(world))


def _with_items(world):
    for key in ("a", "b"):
        school = world[key]
        plan = plans.create(school["teacher"], PlanFields(
            title=f"Pecahan rahasia {key.upper()}", body="## Tujuan\n\nMembandingkan pecahan.",
            visibility="team", team_id=school["team"].id))
        comment = plan_comments.add(plan, school["mentor"], "Waktunya cukup?")
        attachment = attachments.add(plan, school["teacher"], io.BytesIO(PDF), "lembar.pdf",
                                     Path(current_app.config["ATTACHMENT_DIR"]))
        term = timetables.add_term(school["school"], f"Semester rahasia {key.upper()}",
                                   date(2026, 7, 13), date(2026, 12, 18))
        holiday = timetables.add_holiday(school["school"], f"Libur rahasia {key.upper()}",
                                         date(2026, 12, 9))
        observation, step = _observation(school)
        room = rooms.room_for_team(school["team"], school["teacher"])
        message, _created = rooms.post_message(room, school["teacher"], "matrix",
                                               f"Pesan rahasia {key.upper()}")
        rubric = rubrics.create(school["school"].id, school["principal"], {
            "title": f"Rubrik rahasia {key.upper()}", "target": "plan",
            "levels": [{"score": 1, "label": "Belum"}, {"score": 2, "label": "Sudah"}],
            "criteria": [{"title": "Tujuan", "descriptors": ["a", "b"]}]}, publish_now=True)
        db.session.commit()
        school.update(plan=plan, comment=comment, attachment=attachment, term=term,
                      holiday=holiday, observation=observation, action_step=step, room=room,
                      message=message, rubric=rubric, **_assessments(school, plan),
                      **_mentoring(school))
    return world


def _assessments(school, plan) -> dict:
    """A published rubric; the teacher asks the mentor for feedback on the plan, with a
    self-assessment; the teacher runs a calibration round on the plan with the mentor."""
    from collab.assessments import service as assessments
    from collab.assessments import service_calibration as calibration
    from collab.assessments import service_rubrics as rubrics
    from collab.core.models import utcnow
    from tests.integration.test_assessment_service import small_rubric

    version = rubrics.published(rubrics.create(school["school"].id, school["principal"],
                                               small_rubric(), publish_now=True))
    today = utcnow().date()
    request = assessments.request_feedback(school["teacher"], assessments.RequestFields(
        rubric_version_id=version.id, assessor_ids=[school["mentor"].id],
        due_on=today + timedelta(days=7), plan_id=plan.id), today)
    round_ = calibration.create_round(school["teacher"], version, "Kalibrasi rahasia",
                                      [school["mentor"].id], plan=plan)
    own = next(a for a in request.assessments if a.kind == "self")
    db.session.commit()
    return {"feedback_request": request, "self_assessment": own, "calibration_round": round_}


def _mentoring(school) -> dict:
    """The mentor mentors the second teacher (a novice): an active pair with one goal."""
    from collab.core.models import utcnow
    from collab.mentoring import service as mentoring
    from collab.mentoring import service_space as space

    mentoring.set_offer(school["mentor"], 2, [], [], [])
    pair = mentoring.request_mentor(school["teacher2"], school["mentor"], "Rahasia minta")
    mentoring.answer(pair, school["mentor"], True)
    goal = space.add_goal(pair, school["mentor"], "Tujuan rahasia", "", None, utcnow().date())
    db.session.commit()
    return {"mentor_pair": pair, "mentoring_goal": goal}


def _observation(school):
    """A requested observation of the teacher with the mentor invited, and an action step of
    the teacher (rows written directly: the matrix is about access, not scheduling)."""
    starts = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    observation = Observation(
        school_id=school["school"].id, teacher_id=school["teacher"].id,
        lesson_date=date(2026, 12, 1), period=1, class_name="7A", subject="Matematika",
        starts_at=starts, ends_at=starts + timedelta(minutes=45), focus="Fokus rahasia")
    db.session.add(observation)
    db.session.flush()
    db.session.add(ObservationObserver(observation_id=observation.id,
                                       user_id=school["mentor"].id))
    step = ActionStep(observation_id=observation.id, owner_id=school["teacher"].id,
                      text="Langkah rahasia", due_on=date(2026, 12, 15))
    db.session.add(step)
    db.session.flush()
    return observation, step


def test_every_route_is_in_the_matrix(app):
    found = {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    listed = {(rule, method) for rule, methods in MATRIX.items() for method in methods}
    assert found == listed, f"missing: {found - listed}, stale: {listed - found}"


def _client(role, world, client, client_for):
    users = {
        "outsider": world.outsider,
        "teacher": world["a"]["teacher"],
        "principal": world["a"]["principal"],
        "other": world["b"]["principal"],
    }
    return client if role == "anon" else client_for(users[role])


@pytest.mark.parametrize(("rule", "method", "role"), CASES)
def test_access(rule, method, role, world, client, client_for):
    build, expected = MATRIX[rule][method]
    url = build(world)
    c = _client(role, world, client, client_for)
    if method == "GET":
        response = c.get(url)
    else:
        # A valid CSRF token and an empty form: access is decided before validation.
        token = csrf_token(c.get("/auth/login").text if role == "anon" else c.get("/").text)
        response = c.post(url, data={"csrf_token": token})
    body = response.get_data().decode(errors="replace")  # exports are binary
    response.close()
    assert response.status_code == expected[role], (rule, method, role, body[:300])


def test_another_schools_principal_sees_no_id_or_name_of_the_first(world, client_for):
    other = client_for(world["b"]["principal"])
    a = world["a"]
    secrets_of_a = [a["teacher"].email, a["teacher"].name, a["team"].name,
                    a["invitation"].email, a["school"].name, a["mentor"].name]
    secrets_of_a += [a[item].name for item in ("term", "holiday")]
    secrets_of_a += ["Fokus rahasia", "Langkah rahasia", "Pesan rahasia A",
                     "Rubrik rahasia A", "Tujuan rahasia", "Rahasia minta",
                     a["teacher2"].name]
    for url in ("/", "/notifications/", "/settings/school/", "/settings/school/teams",
                "/rooms/",
                "/settings/school/invite", "/settings/school/import", "/settings/profile",
                "/settings/school/schedule", "/settings/school/timetables/import",
                "/settings/timetable", "/observations/", "/observations/new",
                "/rubrics/", "/rubrics/import", "/rubrics/settings",
                "/mentoring/", "/mentoring/propose", "/mentoring/pairs.csv",
                f"/observations/{a['observation'].id}.ics",
                "/observations/calendar.ics?token=not-a-token"):
        page = other.get(url).text
        for secret in secrets_of_a:
            assert secret not in page, (url, secret)


def test_probing_sequential_ids_finds_only_own_items(world, client_for):
    other = client_for(world["b"]["principal"])
    own_team = world["b"]["team"].id
    for team_id in range(1, own_team + 5):
        status = other.get(f"/settings/school/teams/{team_id}").status_code
        assert status == (200 if team_id == own_team else 404), team_id
