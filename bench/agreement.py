"""Inter-rater agreement of 50 raters on 30 units (budget: under 50 ms)."""

import random
import time
from dataclasses import dataclass

from collab.assessments import scoring

RATERS = 50
UNITS = 30
LEVELS = [1, 2, 3, 4]
MISSING = 0.15
RUNS = 50
P95_BUDGET_MS = 50.0


@dataclass
class AgreementTiming:
    raters: int
    units: int
    p95_ms: float
    max_ms: float


def _ratings(rng: random.Random) -> list[list[int | None]]:
    return [[None if rng.random() < MISSING else rng.choice(LEVELS) for _ in range(UNITS)]
            for _ in range(RATERS)]


def run(seed: int = 7) -> AgreementTiming:
    """Time `services.scoring.agreement` on 50 seeded random 50 × 30 rating sets (15 % not
    rated), one call each after one warm-up."""
    rng = random.Random(seed)
    data = [_ratings(rng) for _ in range(RUNS)]
    scoring.agreement(data[0], LEVELS)  # warm-up
    samples = []
    for ratings in data:
        start = time.perf_counter()
        scoring.agreement(ratings, LEVELS)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(0.95 * len(samples)))]
    return AgreementTiming(RATERS, UNITS, round(p95, 3), round(samples[-1], 3))


if __name__ == "__main__":
    print(run())
