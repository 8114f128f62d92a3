"""School-wide mentor pairing: which mentor each novice teacher gets (issue 12).

A pure function: numbers in, indices out; no Flask, no database.

The model
---------
``score[i][j]`` says how good mentor ``j`` is for novice ``i`` (a number ≥ 0), or ``None`` when
the pair is impossible. Mentor ``j`` takes at most ``capacity[j]`` novices; a novice gets at
most one mentor. ``forbidden`` pairs are impossible whatever their score; ``locked`` pairs are
made first and use their mentor's capacity. Among all pairings that respect this, `assign`
returns the one that has, in this order:

1. the **highest total score**;
2. then the **most novices paired** — so a possible pair scored 0 is still made when it costs
   nothing;
3. then, among the pairings still tied, the **lexicographically smallest** answer: novice 0
   gets the lowest-numbered mentor it can have in such a pairing, then novice 1 given that,
   and so on; an unpaired novice (``None``) counts as after every mentor. This makes the
   answer unique, so the same input always gives the same list (and a re-run after a small
   change moves nobody for no reason other than the change).

How it is solved
----------------
Scores are turned into exact integers: ints stay as they are, a float is read as the decimal
it prints as (``0.1`` is one tenth, not the nearest binary fraction), and all are multiplied
by the smallest power of ten that makes every one whole. The weight of a possible pair is
``points × BIG + 1`` with ``BIG = novices + 1``: the ``+ 1`` per pair can never add up to one
point, so criterion 1 comes before criterion 2, exactly. Weights are refused when
``max weight × 4 × (novices + 1)`` reaches 2⁵³, the largest range where float64 (what
scipy computes in) is exact for every sum the solver forms; real school scores (small whole
numbers or one or two decimals) are many orders of magnitude below.

Each mentor is expanded into as many columns ("places") as it has capacity left (never more
than the novices who could take it), and `scipy.optimize.linear_sum_assignment` finds a
maximum-weight assignment of the unlocked novices to places; impossible pairs weigh 0, so
taking one is no better than leaving the novice unpaired, and they are dropped afterwards.

Criterion 3 is exact too. On the mentors plus one node "unpaired" (infinite capacity), an arc
``a → b`` says "a novice at ``a`` moves to ``b``" with gain ``weight(b) − weight(a)``; "a
mentor with room keeps one more" and "a mentor gives one up" are arcs to and from "unpaired"
with gain 0. Every other optimal pairing differs from the one found by cycles of total gain 0.
Bellman–Ford potentials (integers, exact) find the arcs that can lie on such a cycle (tight
arcs inside one strongly connected component); then novices are settled in order, each moved
to the lowest mentor reachable through a zero-gain cycle of novices not yet settled (a breadth
first search). When the optimum is unique — the usual case with varied scores — nothing moves.
"""

from collections import deque
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from numbers import Real
from typing import NamedTuple

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

EXACT_LIMIT = 2**53
NO_POSSIBLE_MENTOR = "no_possible_mentor"
NO_CAPACITY_LEFT = "no_capacity_left"


class Unpaired(NamedTuple):
    """Why a novice has no mentor: `NO_POSSIBLE_MENTOR` (every score None or forbidden) or
    `NO_CAPACITY_LEFT` (`mentors`, the ones possible for them, are all full)."""

    reason: str
    mentors: tuple[int, ...]


class _Problem(NamedTuple):
    points: list[list[int | None]]  # exact integer scores, None = impossible (or forbidden)
    capacity: list[int]
    locks: dict[int, int]


def assign(score: Sequence[Sequence[Real | None]], capacity: Sequence[int],
           forbidden: Iterable[tuple[int, int]] = (),
           locked: Iterable[tuple[int, int]] = ()) -> list[int | None]:
    """For each novice (row of `score`), the index of its mentor or None; see the module
    docstring for what is optimal and how ties are broken. Raises ValueError on bad input or
    an impossible lock."""
    return _solve(_problem(score, capacity, forbidden, locked))


def explain_unpaired(score: Sequence[Sequence[Real | None]], capacity: Sequence[int],
                     forbidden: Iterable[tuple[int, int]] = (),
                     locked: Iterable[tuple[int, int]] = (),
                     answer: Sequence[int | None] | None = None) -> dict[int, Unpaired]:
    """Why each unpaired novice of `answer` (by default `assign(...)` of the same input) has
    no mentor. A novice with a possible mentor that still had room would have been paired
    (a pair always adds at least one), so the only reasons are the two of `Unpaired`."""
    problem = _problem(score, capacity, forbidden, locked)
    if answer is None:
        answer = _solve(problem)
    taken = [0] * len(problem.capacity)
    for mentor in answer:
        if mentor is not None:
            taken[mentor] += 1
    reasons = {}
    for novice, mentor in enumerate(answer):
        if mentor is not None:
            continue
        possible = tuple(j for j, p in enumerate(problem.points[novice]) if p is not None)
        if not possible:
            reasons[novice] = Unpaired(NO_POSSIBLE_MENTOR, ())
        else:
            if any(taken[j] < problem.capacity[j] for j in possible):
                raise ValueError(f"novice {novice} could still be paired: not an optimal answer")
            reasons[novice] = Unpaired(NO_CAPACITY_LEFT, possible)
    return reasons


# --- Input checks ---------------------------------------------------------------------------

def _problem(score, capacity, forbidden, locked) -> _Problem:
    capacity = _capacity(capacity)
    points = _points(score, len(capacity))
    n, m = len(points), len(capacity)
    forbidden_pairs = {_pair(pair, "forbidden", k, n, m) for k, pair in enumerate(forbidden)}
    locks: dict[int, int] = {}
    used = [0] * m
    for k, pair in enumerate(locked):
        i, j = _pair(pair, "locked", k, n, m)
        if i in locks:
            raise ValueError(f"locked pair {k} ({i}, {j}): novice {i} is already locked "
                             f"to mentor {locks[i]}")
        if points[i][j] is None:
            raise ValueError(f"locked pair {k} ({i}, {j}) is impossible: its score is None")
        if (i, j) in forbidden_pairs:
            raise ValueError(f"locked pair {k} ({i}, {j}) is also forbidden")
        used[j] += 1
        if used[j] > capacity[j]:
            raise ValueError(f"locked pair {k} ({i}, {j}): mentor {j} has capacity "
                             f"{capacity[j]} and more novices locked to it")
        locks[i] = j
    for i, j in forbidden_pairs:
        points[i][j] = None
    return _Problem(points, capacity, locks)


def _capacity(capacity) -> list[int]:
    result = []
    for j, c in enumerate(capacity):
        if isinstance(c, bool) or not isinstance(c, int):
            raise ValueError(f"capacity[{j}] must be a whole number, not {c!r}")
        if c < 0:
            raise ValueError(f"capacity[{j}] is {c}: capacities cannot be negative")
        result.append(c)
    return result


def _points(score, m: int) -> list[list[int | None]]:
    """Scores as exact integers (all multiplied by the same power of ten)."""
    exact: list[list[int | Fraction | None]] = []
    places = 0
    for i, row in enumerate(score):
        if isinstance(row, str | bytes) or not isinstance(row, Sequence):
            raise ValueError(f"score[{i}] must be a list of scores, one per mentor")
        if len(row) != m:
            raise ValueError(f"score[{i}] has {len(row)} scores but there are {m} mentors "
                             f"(len(capacity)): the matrix must be novices × mentors")
        out = []
        for j, value in enumerate(row):
            if value is None or (type(value) is int and value >= 0):  # the usual cases, fast
                out.append(value)
                continue
            number = _number(value, i, j)
            if isinstance(number, Fraction):
                places = max(places, _decimal_places(number, i, j))
            out.append(number)
        exact.append(out)
    scale = 10**places
    return [[None if v is None else int(v * scale) for v in row] for row in exact]


def _number(value, i: int, j: int) -> int | Fraction:
    if isinstance(value, bool) or not isinstance(value, Real | Decimal):
        raise ValueError(f"score[{i}][{j}] must be a number or None, not {value!r}")
    if isinstance(value, int):
        number: int | Fraction = value
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"score[{i}][{j}] is {value}: scores must be finite")
        number = int(value) if value.is_integer() else Fraction(repr(value))
    else:
        if isinstance(value, Decimal) and not value.is_finite():
            raise ValueError(f"score[{i}][{j}] is {value}: scores must be finite")
        number = Fraction(value)
        if number.denominator == 1:
            number = number.numerator
    if number < 0:
        raise ValueError(f"score[{i}][{j}] is {value}: scores cannot be negative")
    return number


def _decimal_places(number: Fraction, i: int, j: int) -> int:
    """How many decimals `number` has; refuses a fraction that no decimal writes exactly."""
    denominator, twos, fives = number.denominator, 0, 0
    while denominator % 2 == 0:
        denominator, twos = denominator // 2, twos + 1
    while denominator % 5 == 0:
        denominator, fives = denominator // 5, fives + 1
    if denominator != 1:
        raise ValueError(f"score[{i}][{j}] = {number} is not a finite decimal; round it")
    return max(twos, fives)


def _pair(pair, kind: str, k: int, n: int, m: int) -> tuple[int, int]:
    try:
        i, j = pair
    except (TypeError, ValueError):
        raise ValueError(f"{kind} pair {k} must be (novice, mentor), not {pair!r}") from None
    for name, index, size in (("novice", i, n), ("mentor", j, m)):
        if isinstance(index, bool) or not isinstance(index, int):
            raise ValueError(f"{kind} pair {k}: {name} index {index!r} is not a whole number")
        if not 0 <= index < size:
            raise ValueError(f"{kind} pair {k}: {name} index {index} is out of range "
                             f"(there are {size} {name}s)")
    return i, j


# --- Solver ---------------------------------------------------------------------------------

def _solve(problem: _Problem) -> list[int | None]:
    points, capacity, locks = problem
    n, m = len(points), len(capacity)
    answer: list[int | None] = [None] * n
    spare = list(capacity)
    for i, j in locks.items():
        answer[i] = j
        spare[j] -= 1
    free = [i for i in range(n) if i not in locks]
    if not free or m == 0:
        return answer
    top = max((p for i in free for p in points[i] if p is not None), default=0)
    big = n + 1
    if (top * big + 1) * 4 * (len(free) + 1) >= EXACT_LIMIT:
        raise ValueError("scores too large or with too many decimals to optimise exactly; "
                         "round them (e.g. to two decimals)")
    raw = np.array([[-1 if p is None else p for p in points[i]] for i in free], dtype=np.int64)
    possible = raw >= 0
    # Column m is "unpaired": always possible, weight 0.
    weight = np.zeros((len(free), m + 1), dtype=np.int64)
    weight[:, :m] = np.where(possible, raw * big + 1, 0)
    places = np.minimum(np.array(spare, dtype=np.int64), possible.sum(axis=0))
    current = np.full(len(free), m, dtype=np.int64)
    if places.sum():
        columns = np.repeat(np.arange(m), places)
        rows, cols = linear_sum_assignment(weight[:, columns].astype(np.float64), maximize=True)
        mentors = columns[cols]
        paired = possible[rows, mentors]
        current[rows[paired]] = mentors[paired]
    for j in current.tolist():
        if j < m:
            spare[j] -= 1
    _lexicographic(weight, np.hstack([possible, np.ones((len(free), 1), bool)]), current,
                   spare)
    for r, i in enumerate(free):
        answer[i] = None if current[r] == m else int(current[r])
    return answer


def _potentials(weight, possible, current, spare) -> np.ndarray:
    """Bellman–Ford longest-path potentials on the mentors + "unpaired" graph; exact ints."""
    nf, width = weight.shape
    m = width - 1
    mask = possible.copy()
    mask[np.arange(nf), current] = False
    rr, dst = np.nonzero(mask)
    src = current[rr]
    gain = weight[rr, dst] - weight[rr, current[rr]]
    roomy = np.array([j for j in range(m) if spare[j] > 0], dtype=np.int64)
    src = np.concatenate([src, np.full(m, m), roomy])
    dst = np.concatenate([dst, np.arange(m), np.full(len(roomy), m)])
    gain = np.concatenate([gain, np.zeros(m + len(roomy), dtype=np.int64)])
    p = np.zeros(width, dtype=np.int64)
    for _ in range(width + 1):
        q = p.copy()
        np.maximum.at(q, dst, p[src] + gain)
        if np.array_equal(q, p):
            break
        p = q
    else:
        raise RuntimeError("mentor pairing: the assignment found is not optimal")
    tight = p[src] + gain == p[dst]
    graph = coo_matrix((np.ones(int(tight.sum())), (src[tight], dst[tight])),
                       shape=(width, width)).tocsr()
    _, labels = connected_components(graph, directed=True, connection="strong")
    return p, labels


def _lexicographic(weight, possible, current, spare) -> None:
    """Move novices along zero-gain cycles so that the answer is the lexicographically
    smallest optimal one (see the module docstring). Changes `current` and `spare`."""
    nf, width = weight.shape
    m = width - 1
    p, labels = _potentials(weight, possible, current, spare)
    # h_k + weight(k, t) == p[t] exactly for the places t novice k can be at in an optimum
    # (h_k does not change when k moves along a tight arc).
    h = p[current] - weight[np.arange(nf), current]
    reach = possible & (h[:, None] + weight == p[None, :])
    reach &= labels[None, :] == labels[current][:, None]
    mobile = np.nonzero(reach.sum(axis=1) > 1)[0].tolist()
    if not mobile:
        return
    targets = {k: np.nonzero(reach[k])[0].tolist() for k in mobile}
    rows = {k: weight[k].tolist() for k in mobile}
    members: dict[int, dict[int, None]] = {}
    for k in mobile:
        members.setdefault(int(current[k]), {})[k] = None
    plist, label_list = p.tolist(), labels.tolist()
    zero = [c for c in range(m) if plist[c] == plist[m]]
    state = _State(current, spare, members, targets, rows, plist, label_list, zero, m)
    for r in mobile:
        a = int(current[r])
        del members[a][r]  # settled from now on: its arcs are no longer usable
        for b in targets[r]:
            if b >= a:
                break
            path = state.path(b, a)
            if path is not None:
                state.apply(path)
                state.move(r, a, b, keep=False)
                break


class _State:
    """The current pairing of the novices that can still move, and the search for a
    zero-gain cycle through the tight arcs."""

    def __init__(self, current, spare, members, targets, rows, p, labels, zero, m):
        self.current, self.spare, self.members = current, spare, members
        self.targets, self.rows, self.p, self.labels = targets, rows, p, labels
        self.zero, self.m = zero, m

    def neighbours(self, x: int):
        m, p = self.m, self.p
        if x == m:
            for c in self.zero:
                yield c, None
        elif self.spare[x] > 0 and p[x] == p[m]:
            yield m, None
        for k in self.members.get(x, ()):
            for t in self.targets[k]:
                if t != x:
                    yield t, k

    def path(self, start: int, goal: int) -> list[tuple[int, int, int | None]] | None:
        """Tight arcs from `start` to `goal` (breadth first, lowest indices first)."""
        label = self.labels[goal]
        parent: dict[int, tuple[int, int | None] | None] = {start: None}
        queue = deque([start])
        while queue:
            x = queue.popleft()
            for y, k in self.neighbours(x):
                if y in parent or self.labels[y] != label:
                    continue
                parent[y] = (x, k)
                if y == goal:
                    arcs = []
                    while parent[y] is not None:
                        x, k = parent[y]
                        arcs.append((x, y, k))
                        y = x
                    return arcs
                queue.append(y)
        return None

    def apply(self, arcs) -> None:
        for x, y, k in arcs:
            if k is not None:
                self.move(k, x, y, keep=True)

    def move(self, k: int, x: int, y: int, keep: bool) -> None:
        self.current[k] = y
        if x < self.m:
            self.spare[x] += 1
        if y < self.m:
            self.spare[y] -= 1
        if keep:
            del self.members[x][k]
            self.members.setdefault(y, {})[k] = None
