"""The school-wide mentor pairing solver (issue 12) on two sizes: 200 novices × 200 mentors
(budget: every run under 100 ms) and 2 000 novices × 2 000 mentor places (budget: every run
under 5 s).

The scores are what a pairing screen would compute: every teacher has one of 12 subjects and
one to three of six grades; a pair is possible (a number) only within a subject, else None
(about 92 % None); its score is 2 per grade in common plus 0–5 free periods in common, a whole
number from 0 to 11, so many pairings tie and the tie-break does real work. 2 % of the
possible pairs are forbidden (asked for by a principal). The large case has 1 000 mentors,
300 of capacity 1, 400 of capacity 2 and 300 of capacity 3 (2 000 places).
"""

import random
import statistics
import time
from dataclasses import dataclass

from collab.mentoring.pairing import assign

SUBJECTS = 12
GRADES = 6
FORBIDDEN_SHARE = 0.02
SMALL_RUNS = 10
LARGE_RUNS = 3
SMALL_BUDGET_MS = 100.0
LARGE_BUDGET_MS = 5000.0


@dataclass
class PairingTiming:
    novices: int
    mentors: int
    places: int
    possible_pairs: int
    paired: int
    runs: int
    p50_ms: float
    max_ms: float


def _teacher(rng: random.Random) -> tuple[int, set[int]]:
    return rng.randrange(SUBJECTS), set(rng.sample(range(GRADES), rng.randint(1, 3)))


def instance(rng: random.Random, novices: int, capacity: list[int]):
    """Scores, capacity and forbidden pairs of one generated school."""
    mentors = [_teacher(rng) for _ in capacity]
    score: list[list[int | None]] = []
    forbidden = []
    for i in range(novices):
        subject, grades = _teacher(rng)
        row: list[int | None] = []
        for j, (mentor_subject, mentor_grades) in enumerate(mentors):
            if mentor_subject != subject:
                row.append(None)
                continue
            row.append(2 * len(grades & mentor_grades) + rng.randint(0, 5))
            if rng.random() < FORBIDDEN_SHARE:
                forbidden.append((i, j))
        score.append(row)
    return score, capacity, forbidden


def time_case(novices: int, capacity: list[int], runs: int, seed: int) -> PairingTiming:
    """`assign(...)` once per seeded school (`runs` of them) after one warm-up call."""
    rng = random.Random(seed)
    schools = [instance(rng, novices, capacity) for _ in range(runs)]
    assign(*schools[0])  # warm-up: imports, scipy's first call
    samples, paired = [], 0
    for score, cap, forbidden in schools:
        start = time.perf_counter()
        answer = assign(score, cap, forbidden)
        samples.append((time.perf_counter() - start) * 1000)
        paired = sum(j is not None for j in answer)
    score = schools[-1][0]
    possible = sum(v is not None for row in score for v in row)
    return PairingTiming(novices, len(capacity), sum(capacity), possible, paired, runs,
                         round(statistics.median(samples), 3), round(max(samples), 3))


def run(seed: int = 12) -> tuple[PairingTiming, PairingTiming]:
    small = time_case(200, [1] * 200, SMALL_RUNS, seed)
    large = time_case(2000, [1] * 300 + [2] * 400 + [3] * 300, LARGE_RUNS, seed)
    return small, large


if __name__ == "__main__":
    for timing in run():
        print(timing)
