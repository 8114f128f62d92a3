"""The growth chart of one's results on a rubric, laid out on the server for inline SVG (no
script; drawn with SVG attributes, so no stylesheet is needed either).

Across, positions are per cent of the card's width, so the chart fills the card on a phone
and on a wide screen alike; down, they are pixels, so its words keep their size. The y axis
is the rubric's levels (each level's score as a share of the top score, where a result of
that level everywhere would lie); the dates under the points are written as every date is
(`core.i18n.show_date`), at most MAX_DATES of them so they never run into each other; the
numbers are also shown as a table (templates/assessments/_results.html).
"""

from dataclasses import dataclass, field
from itertools import pairwise

from collab.core.i18n import show_date

HEIGHT = 232          # px, the whole chart
TOP, BASE = 14, 190   # px: where 100 % and 0 % lie
DATES_AT = 214        # px: the baseline of the dates
LEFT, RIGHT = 2.0, 98.0  # per cent: the first and the last point
MAX_DATES = 4


@dataclass
class Mark:
    """One result: its place, and its date when the date is written under it."""

    x: float
    y: float | None
    self_y: float | None
    date: str = ""
    anchor: str = "middle"


@dataclass
class Chart:
    marks: list[Mark]
    levels: list[tuple[float, str]]  # (y, label) of each level's line
    peers: list[tuple] = field(default_factory=list)  # line segments (x1, y1, x2, y2)
    own: list[tuple] = field(default_factory=list)
    height: int = HEIGHT
    base: int = BASE
    dates_at: int = DATES_AT


def _y(share: float | None) -> float | None:
    if share is None:
        return None
    share = max(0.0, min(100.0, share))
    return round(BASE - share * (BASE - TOP) / 100, 1)


def _dated(count: int) -> set[int]:
    """Which points get their date written: the first, the last and evenly between."""
    if count <= MAX_DATES:
        return set(range(count))
    step = (count - 1) / (MAX_DATES - 1)
    return {round(n * step) for n in range(MAX_DATES)}


def _segments(marks: list[Mark], attr: str) -> list[tuple]:
    placed = [(m.x, getattr(m, attr)) for m in marks if getattr(m, attr) is not None]
    return [(a[0], a[1], b[0], b[1]) for a, b in pairwise(placed)]


def layout(points, levels) -> Chart:
    """The chart of `points` (service_growth.GrowthPoint, oldest first: on, total, self_total, in %
    of the maximum) with the lines of `levels` (the rubric version's levels: score, label)."""
    count = len(points)
    dated = _dated(count)
    marks = []
    for n, point in enumerate(points):
        x = LEFT + (RIGHT - LEFT) * n / (count - 1) if count > 1 else 50.0
        anchor = "start" if n == 0 and count > 1 else "end" if n == count - 1 and count > 1 \
            else "middle"
        marks.append(Mark(round(x, 2), _y(point.total), _y(point.self_total),
                          show_date(point.on) if n in dated else "", anchor))
    top = max((level.score for level in levels), default=0) or 1
    lines = [(_y(100 * level.score / top), level.label) for level in levels]
    return Chart(marks, lines, _segments(marks, "y"), _segments(marks, "self_y"))
