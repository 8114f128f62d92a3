"""Inter-rater agreement for assessments: Krippendorff's alpha (nominal, ordinal, interval),
pairwise exact and adjacent agreement, and the spread of ratings per unit for calibration.

Pure functions over plain lists (no Flask, no database). `ratings` holds one list per rater
with one value per unit — a unit is one thing rated, such as one criterion of one target —
and None where that rater did not rate the unit.

Alpha follows Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011): a coincidence
matrix over the pairable values (units with fewer than two ratings are left out), observed
against expected disagreement under each difference function. The figures match the
`krippendorff` package (tests/unit/test_scoring.py compares them).
"""

import math
import numbers
import statistics
from collections import Counter
from collections.abc import Callable, Sequence

Rating = float | int | None
Matrix = list[list[float]]


# ---------------------------------------------------------------- input


def _check_value(value, rater: int, unit: int) -> None:
    # bool is an int to Python, but True is no level of a rubric.
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"rater {rater}, unit {unit}: rating {value!r} is not a finite number")


def _units(ratings: Sequence[Sequence[Rating]]) -> list[list[float]]:
    """The ratings present in each unit, once the shape and every value are checked."""
    lengths = sorted({len(rater) for rater in ratings})
    if len(lengths) > 1:
        raise ValueError(f"every rater needs one entry per unit (None where not rated); "
                         f"the rater lists have lengths {lengths}")
    for rater_index, rater in enumerate(ratings):
        for unit_index, value in enumerate(rater):
            if value is not None:
                _check_value(value, rater_index, unit_index)
    return [[value for value in column if value is not None]
            for column in zip(*ratings, strict=True)]


def _level_order(levels: Sequence[float] | None, present: set) -> list[float]:
    """The levels in order: the given scale (checked) or the values present, sorted."""
    if levels is None:
        return sorted(present)
    for value in levels:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(f"level {value!r} is not a number")
    if len(set(levels)) != len(levels):
        raise ValueError(f"levels repeat a value: {list(levels)}")
    outside = present - set(levels)
    if outside:
        raise ValueError(f"ratings {sorted(outside)} are not among the levels {list(levels)}")
    return list(levels)


# ---------------------------------------------------------------- pairwise agreement


def _pair_counts(units: list[Counter]) -> tuple[int, int, int]:
    """Rater pairs within units: all of them, those that agree, those at most one apart."""
    pairs = exact = adjacent = 0
    for counts in units:
        total = sum(counts.values())
        pairs += total * (total - 1) // 2
        same = sum(n * (n - 1) // 2 for n in counts.values())
        exact += same
        adjacent += same + sum(counts[a] * counts[b] for a in counts for b in counts
                               if a < b and b - a <= 1)
    return pairs, exact, adjacent


# ---------------------------------------------------------------- Krippendorff's alpha


def _coincidences(units: list[Counter], index: dict) -> Matrix:
    """o[c][k]: the pairs of values c, k within units, each unit weighted 1 / (ratings − 1)."""
    size = len(index)
    matrix = [[0.0] * size for _ in range(size)]
    for counts in units:
        weight = sum(counts.values()) - 1
        for c, n_c in counts.items():
            row = matrix[index[c]]
            for k, n_k in counts.items():
                row[index[k]] += n_c * (n_k - (c == k)) / weight
    return matrix


def _nominal(order: list[float], totals: list[float]) -> Matrix:
    return [[float(c != k) for k in order] for c in order]


def _interval(order: list[float], totals: list[float]) -> Matrix:
    return [[float(c - k) ** 2 for k in order] for c in order]


def _ordinal(order: list[float], totals: list[float]) -> Matrix:
    # delta(c, k) = (n_c + … + n_k − (n_c + n_k) / 2)², with n_g the marginal frequencies;
    # a level nobody used has n_g = 0 and so adds nothing, as in the krippendorff package.
    cumulative = [0.0]
    for n in totals:
        cumulative.append(cumulative[-1] + n)
    size = len(order)
    distances = [[0.0] * size for _ in range(size)]
    for c in range(size):
        for k in range(c + 1, size):
            between = cumulative[k + 1] - cumulative[c] - (totals[c] + totals[k]) / 2
            distances[c][k] = distances[k][c] = between**2
    return distances


def _alpha(matrix: Matrix, order: list[float],
           difference: Callable[[list[float], list[float]], Matrix]) -> float:
    """1 − observed / expected disagreement; the caller makes sure expected is not 0."""
    totals = [sum(row) for row in matrix]
    n = sum(totals)
    distances = difference(order, totals)
    size = len(order)
    observed = sum(matrix[c][k] * distances[c][k] for c in range(size) for k in range(size))
    expected = sum(totals[c] * totals[k] * distances[c][k]
                   for c in range(size) for k in range(size))
    return 1 - (n - 1) * observed / expected


# ---------------------------------------------------------------- public


def agreement(ratings: Sequence[Sequence[Rating]],
              levels: Sequence[float] | None = None) -> dict:
    """How far raters agree: Krippendorff's alpha and pairwise percent agreement.

    `ratings` has one list per rater, one value per unit, None where not rated. `levels` is
    the ordered scale (e.g. [1, 2, 3, 4]); by default the values present, sorted. Ratings
    outside it are refused. A level nobody used changes no figure (as with the krippendorff
    package's `value_domain`), so `levels` mostly guards the scale.

    Returns `units` and `pairs` (the units rated at least twice, the rater pairs within
    them), `exact_agreement` and `adjacent_agreement` (the share of those pairs with the
    same value, with values at most 1 apart) and `alpha_nominal`, `alpha_ordinal`,
    `alpha_interval`. Every figure but the counts is None when no unit was rated twice.
    The alphas are None, too, when every pairable rating has the same value: expected
    disagreement is then 0 and alpha undefined (0 / 0), though the raters agree fully.

    ValueError when the rater lists differ in length, a rating is not a finite number, or
    `levels` is not a scale of distinct numbers holding every rating.
    """
    units = _units(ratings)
    order = _level_order(levels, {value for unit in units for value in unit})
    pairable = [Counter(unit) for unit in units if len(unit) >= 2]
    result = {"units": len(pairable), "pairs": 0, "exact_agreement": None,
              "adjacent_agreement": None, "alpha_nominal": None, "alpha_ordinal": None,
              "alpha_interval": None}
    if not pairable:
        return result
    pairs, exact, adjacent = _pair_counts(pairable)
    result.update(pairs=pairs, exact_agreement=exact / pairs, adjacent_agreement=adjacent / pairs)
    if len({value for counts in pairable for value in counts}) < 2:
        return result
    matrix = _coincidences(pairable, {level: i for i, level in enumerate(order)})
    result.update(alpha_nominal=_alpha(matrix, order, _nominal),
                  alpha_ordinal=_alpha(matrix, order, _ordinal),
                  alpha_interval=_alpha(matrix, order, _interval))
    return result


def per_unit_spread(ratings: Sequence[Sequence[Rating]]) -> list[dict]:
    """For each unit, the ratings present: `count`, `min`, `max` and `median` (the mean of
    the middle two for an even count); min, max and median are None for an unrated unit.

    ValueError on the same input `agreement` refuses."""
    spreads = []
    for unit in _units(ratings):
        if unit:
            spreads.append({"count": len(unit), "min": min(unit), "max": max(unit),
                            "median": statistics.median(unit)})
        else:
            spreads.append({"count": 0, "min": None, "max": None, "median": None})
    return spreads
