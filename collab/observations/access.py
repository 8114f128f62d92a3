"""Who may see an observation and its content. Every observation route, feed and note sync
goes through here.

An observation exists for its observed teacher, the colleagues invited to it and the
principals of its school; for anyone else it is a 404. Its content (notes, reflection, action
steps) is for the observed teacher and the observers who accepted: a principal sees that it
happened (dates, people, state), not what was written. A novice may share their debriefs with
their mentor (collab.mentoring.access.shares_debriefs): while they do, the mentor sees the
observation and reads its debrief (never writes it), as they join its room.
"""

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from collab.extensions import db
from collab.mentoring.access import shares_debriefs
from collab.observations.models import ActionStep, Observation, ObservationObserver
from collab.people.access import current_school, is_principal


def _participant(user, observation: Observation) -> bool:
    return observation.teacher_id == user.id or any(
        invite.user_id == user.id for invite in observation.observers) or shares_debriefs(
        user, observation.teacher_id)


def took_part(user, observation: Observation) -> bool:
    """The observed teacher and the observers who accepted (no query)."""
    if observation.school_id != getattr(user, "school_id", None):
        return False
    return observation.teacher_id == user.id or any(
        invite.user_id == user.id and invite.status == "accepted"
        for invite in observation.observers)


def can_see_content(user, observation: Observation) -> bool:
    """Those who took part, and the observed teacher's mentor while the teacher shares their
    debriefs with them."""
    if took_part(user, observation):
        return True
    return observation.school_id == getattr(user, "school_id", None) and shares_debriefs(
        user, observation.teacher_id)


def visible_observation(observation_id: int) -> Observation:
    """The observation if the current user takes part in it or is a principal of its
    school; else 404."""
    school = current_school()
    observation = db.session.get(Observation, observation_id)
    if observation is None or observation.school_id != school.id:
        abort(404)
    if not (_participant(current_user, observation) or is_principal()):
        abort(404)
    return observation


def observation_with_content(observation_id: int) -> Observation:
    """The observation if the current user may read its notes; 404 if they may not see it
    at all, else 403 (a principal, an invited colleague who did not accept)."""
    observation = visible_observation(observation_id)
    if not can_see_content(current_user, observation):
        abort(403)
    return observation


def observed_teachers_observation(observation_id: int) -> Observation:
    """The observation if the current user is its observed teacher; 404 or 403 otherwise."""
    observation = visible_observation(observation_id)
    if observation.teacher_id != current_user.id:
        abort(403)
    return observation


def invited_to(observation_id: int) -> tuple[Observation, ObservationObserver]:
    """The observation and the current user's invitation to it; 404 or 403 otherwise."""
    observation = visible_observation(observation_id)
    invite = next((i for i in observation.observers if i.user_id == current_user.id), None)
    if invite is None:
        abort(403)
    return observation, invite


def observer_of(observation_id: int) -> tuple[Observation, ObservationObserver]:
    """The observation and the current user's accepted invitation (the notes pages are the
    observers'); 404 if they may not see it at all, else 403 for anyone who did not accept
    to observe it (the observed teacher, a principal, an invited colleague)."""
    observation = visible_observation(observation_id)
    invite = next((i for i in observation.observers
                   if i.user_id == current_user.id and i.status == "accepted"), None)
    if invite is None:
        abort(403)
    return observation, invite


def own_action_step(step_id: int) -> ActionStep:
    """One of the current user's action steps, else 404."""
    step = db.session.scalar(select(ActionStep).where(
        ActionStep.id == step_id, ActionStep.owner_id == current_user.id))
    if step is None:
        abort(404)
    return step


def observers_of(observation: Observation) -> list[ObservationObserver]:
    return list(observation.observers)
