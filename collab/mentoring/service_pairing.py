"""The school-wide pairing the principal proposes: every novice without an open pair against
every willing mentor's free places, solved as one optimal assignment by `pairing.assign` on
the scores of `service_suggestions`; novices left without a mentor are listed with why."""

from dataclasses import dataclass, field

from sqlalchemy import select

from collab.core.csv_files import write_csv
from collab.extensions import db
from collab.mentoring import pairing
from collab.mentoring import service as mentoring
from collab.mentoring.models import OPEN_STATES, MentorPair
from collab.mentoring.service_space import checkin_dates
from collab.mentoring.service_suggestions import Match, Person, load_pool, match
from collab.people.models import User

# Why a novice has no proposal.
NO_MENTOR = "no_mentor"  # no willing mentor has a free place
NO_COMMON_PERIOD = "no_common_period"  # every mentor with room teaches whenever they do
NO_CAPACITY_LEFT = "no_capacity_left"  # the mentors possible for them are all taken


@dataclass
class Proposal:
    novice: Person
    match: Match
    locked: bool = False


@dataclass
class Left:
    novice: Person
    reason: str
    mentors: list = field(default_factory=list)  # the possible ones, all full


@dataclass
class Solution:
    proposals: list
    unpaired: list
    mentors: list  # willing mentors with free places
    forbidden: list = field(default_factory=list)  # (novice id, mentor id) kept apart
    dropped_locks: list = field(default_factory=list)  # locks that could not be kept


def solve(school_id: int, locked=(), forbidden=()) -> Solution:
    """The best pairing of the school's unpaired novices (see pairing.assign). `locked` and
    `forbidden` are (novice id, mentor id) pairs the principal chose; a lock that cannot be
    kept (an impossible pair, a second lock of a novice, more locks than a mentor's places)
    is left out and reported in `Solution.dropped_locks`."""
    pool = load_pool(school_id)
    taken = set(db.session.scalars(select(MentorPair.novice_id).where(
        MentorPair.school_id == school_id, MentorPair.status.in_(OPEN_STATES))))
    novices = [n for n in pool.novices if n.user.id not in taken]
    mentors = pool.mentors_with_room
    if not mentors:
        return Solution([], [Left(n, NO_MENTOR) for n in novices], [])
    matches = [[match(pool, n, m) for m in mentors] for n in novices]
    score = [[m.score if m.possible else None for m in row] for row in matches]
    capacity = [m.free_places for m in mentors]
    row = {n.user.id: i for i, n in enumerate(novices)}
    column = {m.user.id: j for j, m in enumerate(mentors)}
    bans = {(row[n], column[m]) for n, m in forbidden if n in row and m in column}
    locks, dropped, used = [], [], [0] * len(mentors)
    for n, m in locked:
        i, j = row.get(n), column.get(m)
        if i is None or j is None or score[i][j] is None or (i, j) in bans or any(
                a == i for a, _b in locks) or used[j] >= capacity[j]:
            dropped.append((n, m))
            continue
        locks.append((i, j))
        used[j] += 1
    answer = pairing.assign(score, capacity, bans, locks) if novices else []
    reasons = pairing.explain_unpaired(score, capacity, bans, locks,
                                       answer=answer) if novices else {}
    proposals, unpaired = [], []
    for i, novice in enumerate(novices):
        if answer[i] is not None:
            proposals.append(Proposal(novice, matches[i][answer[i]], (i, answer[i]) in locks))
            continue
        why = reasons[i]
        if why.reason == pairing.NO_POSSIBLE_MENTOR:
            unpaired.append(Left(novice, NO_COMMON_PERIOD))
        else:
            unpaired.append(Left(novice, NO_CAPACITY_LEFT, [mentors[j] for j in why.mentors]))
    return Solution(proposals, unpaired, mentors,
                    sorted((novices[i].user.id, mentors[j].user.id) for i, j in bans), dropped)


def send(principal: User, pairs: list[tuple[int, int]]) -> tuple[list, list]:
    """Propose each (novice id, mentor id) of the principal's school; each pair is asked to
    accept. Returns the pairs made and the refusals [(novice, mentor, MentoringError)]: one
    refused pair (taken meanwhile by another tab) leaves the others standing."""
    made, refused = [], []
    for novice_id, mentor_id in pairs:
        try:
            novice = mentoring.school_teacher(principal.school_id, novice_id)
            mentor = mentoring.school_teacher(principal.school_id, mentor_id)
            made.append(mentoring.propose(principal, novice, mentor))
        except mentoring.MentoringError as error:
            refused.append((novice_id, mentor_id, error))
    return made, refused


CSV_HEADER = ("novice_email", "mentor_email", "since", "check_ins", "last_check_in")


def pairs_csv(school_id: int) -> str:
    """The school's active pairs for the principal: who with whom, since when, how many
    check-ins and the last one's date (never their content)."""
    pairs = [p for p in mentoring.school_pairs(school_id) if p.status == "active"]
    dates = checkin_dates([p.id for p in pairs])
    rows = [CSV_HEADER]
    for pair in pairs:
        held = dates[pair.id]
        rows.append([pair.novice.email, pair.mentor.email,
                     pair.started_at.date().isoformat() if pair.started_at else "",
                     len(held), held[0].isoformat() if held else ""])
    return write_csv(rows)
