"""Calendars: the personal feed that Google Calendar or a phone subscribes to (no session:
a secret token in the address), creating and revoking that address, and one observation's
`.ics` file."""

from flask import Response, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from collab.core.forms import EmptyForm
from collab.core.links import Target, absolute_url, base_url
from collab.extensions import db, limiter
from collab.observations import access as access
from collab.observations import bp
from collab.observations import service_ical as ical
from collab.people.access import school_member_required

# The new address is shown once, on the page the creation redirects to, then forgotten.
NEW_FEED_KEY = "new_calendar_feed"
ICS_TYPE = "text/calendar; charset=utf-8"


def _calendar_response(body: bytes, filename: str, disposition: str) -> Response:
    response = Response(body, content_type=ICS_TYPE)
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.route("/calendar.ics")
@limiter.limit(lambda: current_app.config["CALENDAR_FEED_LIMIT"], scope="calendar-feed")
@limiter.limit(lambda: current_app.config["CALENDAR_FEED_MISS_LIMIT"],
               scope="calendar-feed-miss", deduct_when=lambda r: r.status_code == 404)
def calendar_feed():
    """The feed of the person whose token is given; 404 for an unknown or revoked one.
    Public (see collab.core.web.PUBLIC_ENDPOINTS): calendar services carry no session."""
    user = ical.user_for_token(request.args.get("token", ""))
    if user is None:
        abort(404)
    return _calendar_response(ical.feed(user, base_url()), "rembuk.ics", "inline")


def feed_section(feed_exists: bool) -> dict:
    """What the feed section of my week shows: whether I have an address (`feed_exists`,
    service_ical.has_feed), the new one right after creating it, and the form for the
    buttons."""
    token = session.pop(NEW_FEED_KEY, None)
    address = absolute_url(Target("observations.calendar_feed", {"token": token})) \
        if token else None
    return {"feed_exists": feed_exists, "feed_address": address, "feed_form": EmptyForm()}


@bp.route("/calendar/token", methods=["POST"])
@school_member_required
def create_calendar_token():
    """A new feed address; an older one stops working."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    session[NEW_FEED_KEY] = ical.create_feed(current_user)
    db.session.commit()
    flash(_("Your calendar address is ready. Copy it now: it is shown only once."), "success")
    return redirect(url_for("observations.index", _anchor="calendar-title"))


@bp.route("/calendar/token/delete", methods=["POST"])
@school_member_required
def delete_calendar_token():
    """Stop the feed address: calendars subscribed to it get nothing more."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    ical.revoke_feed(current_user)
    db.session.commit()
    flash(_("Your calendar address no longer works."), "success")
    return redirect(url_for("observations.index", _anchor="calendar-title"))


@bp.route("/<int:observation_id>.ics")
@school_member_required
def observation_ics(observation_id):
    """One observation to add to my calendar."""
    observation = access.visible_observation(observation_id)
    body = ical.observation_calendar(observation, current_user, base_url())
    return _calendar_response(body, f"observation-{observation.id}.ics", "attachment")
