"""What the plan page shows beside the plan itself, cheaply: the plan it was adapted from and
its adaptations in one query, and stored HTML made safe once per process rather than on
every view.

Stored HTML (a revision's, a comment's) is render_markdown's output kept when it was written;
the page shows it through stored_html, which sanitises it again so that only the sanitiser's
output is ever marked safe. That costs a pass of the sanitiser and, for the plan's text, a
pass of the HTML parser for its headings on every view of an unchanged text. Both are kept
here by the digest of what they were made from, so a text that changed is never served from
the cache; the cache is small and bounded in entries and in the length of what it keeps.
"""

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, cached_property

from markupsafe import Markup
from sqlalchemy import bindparam, literal, select, union_all

from collab.core.rendering import headings_in, stored_html
from collab.extensions import db
from collab.people.models import User
from collab.plans.access import readable_by
from collab.plans.models import Plan

CACHED_ENTRIES = 256
CACHED_UP_TO = 60_000  # characters of stored HTML; longer texts are made safe every time


@dataclass(frozen=True)
class Relative:
    """A plan related to the one shown: its id, title, owner's name and creation time."""

    id: int
    title: str
    owner_name: str
    created_at: datetime


@dataclass
class Relatives:
    """How many adaptations the plan has, those the reader may read (oldest first), and the
    plan it was adapted from if the reader may read it."""

    fork_count: int = 0
    forks: list = field(default_factory=list)
    original: Relative | None = None


def relatives(plan: Plan, user) -> Relatives:
    """The plan's original and adaptations for `user` (a member of the plan's school), with
    the reading rule of plans.access applied to each. One query."""
    found = Relatives()
    rows = db.session.execute(_relatives_statement(), {
        "plan_id": plan.id, "original_id": plan.forked_from_id, "user_id": user.id,
        "school_id": user.school_id})
    for kind, readable, *values in rows:
        relative = Relative(*values)
        if kind == "fork":
            found.fork_count += 1
            if readable:
                found.forks.append(relative)
        elif readable:
            found.original = relative
    found.forks.sort(key=lambda r: (r.created_at, r.id))
    return found


@cache
def _relatives_statement():
    readable = readable_by(bindparam("user_id"), bindparam("school_id"))

    def arm(kind: str, condition):
        return (select(literal(kind), readable, Plan.id, Plan.title, User.name,
                       Plan.created_at)
                .join(User, User.id == Plan.owner_id).where(condition))

    # Two arms, each served by an index (the primary key, ix_plans_forked_from_id).
    return union_all(arm("original", Plan.id == bindparam("original_id")),
                     arm("fork", Plan.forked_from_id == bindparam("plan_id")))


class _Safe:
    """Stored HTML made safe, and its headings once asked for."""

    def __init__(self, stored: str | None, text: str):
        self.html: Markup = stored_html(stored, text)

    @cached_property
    def headings(self) -> list[tuple[str, str]]:
        return headings_in(self.html)


_made: OrderedDict[bytes, _Safe] = OrderedDict()
_lock = threading.Lock()


def _safe(stored: str | None, text: str) -> _Safe:
    source = stored if stored is not None else text
    if len(source) > CACHED_UP_TO:
        return _Safe(stored, text)
    # Whether the HTML was stored or is rendered now from the text is part of the key.
    key = hashlib.blake2b(source.encode("utf-8"), digest_size=20,
                          person=b"stored" if stored is not None else b"text").digest()
    with _lock:
        made = _made.get(key)
        if made is not None:
            _made.move_to_end(key)
            return made
    made = _Safe(stored, text)
    with _lock:
        _made[key] = made
        while len(_made) > CACHED_ENTRIES:
            _made.popitem(last=False)
    return made


def page_html(stored: str | None, text: str) -> tuple[Markup, list[tuple[str, str]]]:
    """The plan's text as the page shows it (stored HTML, else `text` rendered now) and the
    (anchor, title) of its headings."""
    made = _safe(stored, text)
    return made.html, made.headings


def comment_html(stored: str | None, text: str) -> Markup:
    """A comment's stored HTML (else its text rendered now) as safe markup."""
    return _safe(stored, text).html
