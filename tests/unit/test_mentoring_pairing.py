"""collab.mentoring.pairing: the optimal pairing against brute force, locks, forbids, ties,
explanations and refused input."""

import itertools
import random
from decimal import Decimal
from fractions import Fraction

import pytest

from collab.mentoring.pairing import (
    NO_CAPACITY_LEFT,
    NO_POSSIBLE_MENTOR,
    Unpaired,
    assign,
    explain_unpaired,
)

INSTANCES = 500


def exact(value) -> Fraction:
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


def brute_force(score, capacity, forbidden=(), locked=()):
    """Every pairing, best by (total score, number paired), then the smallest answer with
    None counted after every mentor."""
    n, m = len(score), len(capacity)
    banned, locks = set(forbidden), dict(locked)
    options = []
    for i in range(n):
        if i in locks:
            options.append([locks[i]])
        else:
            options.append([j for j in range(m) if score[i][j] is not None
                            and (i, j) not in banned] + [None])
    best_key, best = None, None
    for answer in itertools.product(*options):
        used = [0] * m
        for j in answer:
            if j is not None:
                used[j] += 1
        if any(u > c for u, c in zip(used, capacity, strict=True)):
            continue
        value = sum((exact(score[i][j]) for i, j in enumerate(answer) if j is not None),
                    Fraction(0))
        paired = sum(j is not None for j in answer)
        key = (-value, -paired, [m if j is None else j for j in answer])
        if best_key is None or key < best_key:
            best_key, best = key, list(answer)
    return best


def value_of(score, answer):
    return (sum((exact(score[i][j]) for i, j in enumerate(answer) if j is not None),
                Fraction(0)),
            sum(j is not None for j in answer))


def random_instance(rng: random.Random):
    n, m = rng.randint(0, 5), rng.randint(0, 4)
    values = [0, 1, 2, 3] if rng.random() < 0.7 else [0, 0.5, 1.25, 2, 0.1, 0.2, 0.3]
    none_rate = rng.choice([0.0, 0.3, 0.6])
    score = [[None if rng.random() < none_rate else rng.choice(values) for _ in range(m)]
             for _ in range(n)]
    capacity = [rng.randint(0, 2) for _ in range(m)]
    pairs = [(i, j) for i in range(n) for j in range(m)]
    forbidden = rng.sample(pairs, min(len(pairs), rng.randint(0, 3)))
    locked, used = [], [0] * m
    for i, j in rng.sample(pairs, min(len(pairs), rng.randint(0, 2))):
        if (score[i][j] is not None and (i, j) not in forbidden and used[j] < capacity[j]
                and all(i != k for k, _ in locked)):
            locked.append((i, j))
            used[j] += 1
    return score, capacity, forbidden, locked


def test_equals_brute_force_on_random_small_instances():
    rng = random.Random(20240612)
    for _ in range(INSTANCES):
        score, capacity, forbidden, locked = random_instance(rng)
        answer = assign(score, capacity, forbidden, locked)
        expected = brute_force(score, capacity, forbidden, locked)
        context = (score, capacity, forbidden, locked)
        assert value_of(score, answer) == value_of(score, expected), context
        assert answer == expected, context  # the stated tie-break, exactly
        assert assign(score, capacity, forbidden, locked) == answer  # deterministic
        for i, j in locked:
            assert answer[i] == j
        for i, j in forbidden:
            assert answer[i] != j
        for i, j in enumerate(answer):
            assert j is None or score[i][j] is not None
        for j, c in enumerate(capacity):
            assert answer.count(j) <= c


def test_a_zero_score_pair_is_still_made():
    # Novice 0 scores 5 with either mentor; novice 1 can only have mentor 0, scored 0.
    assert assign([[5, 5], [0, None]], [1, 1]) == [1, 0]
    assert assign([[0]], [1]) == [0]


def test_ties_go_to_the_lowest_mentors_for_the_first_novices():
    assert assign([[1, 1], [1, 1], [1, 1]], [1, 1]) == [0, 1, None]
    assert assign([[2, 2, 2]] * 4, [2, 0, 3]) == [0, 0, 2, 2]
    big = [[1] * 30 for _ in range(40)]
    assert assign(big, [1] * 30) == list(range(30)) + [None] * 10


def test_decimals_are_exact():
    # 0.3 + 0 == 0.1 + 0.2 as decimals (not as floats): a tie, so novice 0 gets mentor 0.
    score = [[0.3, 0.1], [0.2, 0]]
    assert assign(score, [1, 1]) == [0, 1]
    assert assign([[Decimal("0.25"), Fraction(1, 4)]], [1, 1]) == [0]


def test_locks_use_capacity_and_forbids_are_respected():
    score = [[9, 1], [8, 1], [7, 7]]
    assert assign(score, [1, 2]) == [0, 1, 1]
    assert assign(score, [1, 2], locked=[(2, 0)]) == [1, 1, 0]
    assert assign(score, [1, 2], forbidden=[(0, 0), (1, 0)]) == [1, 1, 0]
    assert assign(score, [1, 1], locked=[(1, 1)], forbidden=[(0, 0)]) == [None, 1, 0]


def test_explain_unpaired():
    score = [[3, None], [2, None], [None, None], [1, 4]]
    forbidden = [(3, 1)]
    answer = assign(score, [1, 1], forbidden)
    assert answer == [0, None, None, None]
    assert explain_unpaired(score, [1, 1], forbidden) == {
        1: Unpaired(NO_CAPACITY_LEFT, (0,)),
        2: Unpaired(NO_POSSIBLE_MENTOR, ()),
        3: Unpaired(NO_CAPACITY_LEFT, (0,)),
    }
    assert explain_unpaired([[1]], [0]) == {0: Unpaired(NO_CAPACITY_LEFT, (0,))}
    assert explain_unpaired([[None]], [1], answer=[None]) == {
        0: Unpaired(NO_POSSIBLE_MENTOR, ())}
    with pytest.raises(ValueError, match="could still be paired"):
        explain_unpaired([[1]], [1], answer=[None])


def test_empty_inputs():
    assert assign([], []) == []
    assert assign([], [2]) == []
    assert assign([[], []], []) == [None, None]
    assert assign([[1, 2]], [0, 0]) == [None]


@pytest.mark.parametrize(("score", "capacity", "forbidden", "locked", "message"), [
    ([[1, 2], [3]], [1, 1], (), (), r"score\[1\] has 1 scores but there are 2 mentors"),
    ([[1, -1]], [1, 1], (), (), r"score\[0\]\[1\] is -1: scores cannot be negative"),
    ([[1, "2"]], [1, 1], (), (), r"score\[0\]\[1\] must be a number or None"),
    ([[True]], [1], (), (), r"must be a number or None"),
    ([[float("nan")]], [1], (), (), "must be finite"),
    ([[float("inf")]], [1], (), (), "must be finite"),
    ([[Fraction(1, 3)]], [1], (), (), "not a finite decimal"),
    ([[1e300]], [1], (), (), "too large"),
    ([1, 2], [1, 1], (), (), r"score\[0\] must be a list"),
    ([[1]], [-1], (), (), r"capacity\[0\] is -1: capacities cannot be negative"),
    ([[1]], [1.5], (), (), r"capacity\[0\] must be a whole number"),
    ([[1]], [1], [(0, 1)], (), r"forbidden pair 0: mentor index 1 is out of range"),
    ([[1]], [1], [(-1, 0)], (), r"forbidden pair 0: novice index -1 is out of range"),
    ([[1]], [1], [(0,)], (), r"forbidden pair 0 must be \(novice, mentor\)"),
    ([[1]], [1], (), [(0, "0")], r"locked pair 0: mentor index '0' is not a whole number"),
    ([[1]], [1], (), [(3, 0)], r"locked pair 0: novice index 3 is out of range"),
    ([[None]], [1], (), [(0, 0)], r"locked pair 0 \(0, 0\) is impossible: its score is None"),
    ([[1]], [1], [(0, 0)], [(0, 0)], r"locked pair 0 \(0, 0\) is also forbidden"),
    ([[1, 1]], [1, 1], (), [(0, 0), (0, 1)], "novice 0 is already locked to mentor 0"),
    ([[1], [1]], [1], (), [(0, 0), (1, 0)], "mentor 0 has capacity 1"),
])
def test_invalid_input_is_refused(score, capacity, forbidden, locked, message):
    with pytest.raises(ValueError, match=message):
        assign(score, capacity, forbidden, locked)
