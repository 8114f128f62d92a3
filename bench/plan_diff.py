"""The diff of two revisions of 2 000 lines each (budget: under 200 ms)."""

import random
import time
from dataclasses import dataclass

from collab.plans.service import diff

LINES = 2000
CHANGED = 200
RUNS = 20
P95_BUDGET_MS = 200.0
WORDS = [
    "siswa",
    "guru",
    "belajar",
    "matematika",
    "soal",
    "kelompok",
    "diskusi",
    "jawaban",
    "pecahan",
    "bilangan",
    "lembar",
    "kerja",
    "pengamatan",
    "refleksi",
    "tujuan",
    "kegiatan",
]


@dataclass
class DiffTiming:
    lines: int
    changed: int
    p95_ms: float
    max_ms: float


def _texts(seed: int = 7) -> tuple[str, str]:
    rng = random.Random(seed)
    old = [" ".join(rng.choice(WORDS) for _ in range(10)) for _ in range(LINES)]
    new = list(old)
    for index in rng.sample(range(LINES), CHANGED):
        new[index] = " ".join(rng.choice(WORDS) for _ in range(10))
    return "\n".join(old), "\n".join(new)


def run() -> DiffTiming:
    """Time `services.plans.diff` on two 2 000-line revisions with 200 changed lines."""
    old, new = _texts()
    diff(old, new)  # warm-up
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        diff(old, new)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(0.95 * len(samples)))]
    return DiffTiming(LINES, CHANGED, round(p95, 3), round(samples[-1], 3))
