"""The sentence for each refusal in a room, in the user's language: one table for the pages
and the Socket.IO events alike (codes from collab.rooms.service, room_board, protocols and
the event adapter)."""

from flask_babel import lazy_gettext as _l

from collab.rooms import service as rooms
from collab.rooms import service_board as room_board

REFUSALS = {
    # the event adapter
    "signed_out": _l("You are signed out. Sign in again to continue."),
    "bad_request": _l("The request was not understood."),
    "rate_limited": _l("Too many actions in a short time. Wait a moment and try again."),
    "error": _l("Something went wrong. Try again."),
    # chat
    "body_required": _l("Write a message."),
    "body_too_long": _l("A message can have at most %(max)d bytes (about %(max)d letters). "
                        "Split it in two.", max=rooms.MAX_BODY_BYTES),
    "bad_client_id": _l("This form was out of date. Press Send again."),
    "not_found": _l("This room or item does not exist, or you are not in it."),
    "not_yours": _l("You can change only your own messages."),
    "too_late": _l("A message can be changed only within 15 minutes of sending it."),
    # rooms
    "title_required": _l("Give the room a title."),
    "title_too_long": _l("At most %(max)d characters.", max=rooms.MAX_TITLE),
    "not_a_colleague": _l("Choose colleagues of your school."),
    "too_many_invited": _l("Invite at most %(max)d colleagues.", max=rooms.MAX_INVITED),
    "not_facilitator": _l("Only the facilitator can do this."),
    "not_a_member": _l("That person is not in this room."),
    # the board
    "text_required": _l("Write something on the note."),
    "text_too_long": _l("A note can have at most %(max)d characters.",
                        max=room_board.MAX_TEXT),
    "bad_column": _l("Choose one of the board's columns."),
    "board_full": _l("The board is full. Remove some notes first."),
    "stale": _l("Someone changed this note in the meantime. Here is the newest version."),
    "not_a_debrief": _l("Evidence cards belong in an observation's debrief room."),
    "no_outcomes": _l("Choose at least one note to send."),
    "cannot_edit_plan": _l("Only the plan's authors can add to it. Ask one of them to "
                           "facilitate, or to make you a co-author."),
    "nowhere_to_send": _l("This room has no plan or debrief to send outcomes to."),
    # protocols
    "bad_protocol": _l("Choose one of the protocols."),
    "protocol_running": _l("A protocol is already running. Finish it first."),
    "no_protocol": _l("No protocol is running."),
    "bad_phase": _l("The protocol has no such phase."),
}


def refusal(code: str) -> str:
    return str(REFUSALS.get(code, REFUSALS["error"]))
