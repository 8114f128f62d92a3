"""Inter-rater agreement: Krippendorff's published examples, the same alphas as the reference
`krippendorff` package on random ratings, pairwise agreement by hand, the undefined cases
without an exception, refused input, and each unit's spread. (Speed belongs to bench/.)"""

import math
import random

import krippendorff
import numpy as np
import pytest

from collab.assessments.scoring import agreement, per_unit_spread

ALPHAS = {"alpha_nominal": "nominal", "alpha_ordinal": "ordinal", "alpha_interval": "interval"}

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C (4 observers,
# 12 units, missing values); also in the krippendorff package's doctests. Unit 12 is rated
# by one observer only.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]

# Wikipedia, "Krippendorff's alpha", A computational example (3 coders, 15 units); the
# krippendorff package's README quotes its nominal and interval alphas.
WIKIPEDIA = [
    [None, None, None, None, None, 3, 4, 1, 2, 1, 1, 3, 3, None, 3],
    [1, None, 2, 1, 3, 3, 4, 3, None, None, None, None, None, None, None],
    [None, None, 2, 1, 3, 4, 4, None, 2, 1, 1, 3, 3, None, 4],
]


def reference_alpha(ratings, level: str, levels) -> float:
    data = np.array([[np.nan if value is None else value for value in rater]
                     for rater in ratings], dtype=float)
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement=level,
                                    value_domain=levels))


def random_ratings(seed: int) -> list[list[int | None]]:
    rng = random.Random(seed)
    raters, units = rng.randint(2, 12), rng.randint(3, 40)
    missing = rng.choice([0.0, 0.2, 0.5])
    # Raters lean to a level per unit, so that the alphas are not all near 0.
    leaning = [rng.randint(1, 4) for _ in range(units)]
    return [[None if rng.random() < missing
             else min(4, max(1, leaning[unit] + rng.choice([-1, 0, 0, 0, 1, 2])))
             for unit in range(units)] for _ in range(raters)]


# ---------------------------------------------------------------- published examples


def test_krippendorffs_worked_example_gives_the_published_alphas():
    result = agreement(KRIPPENDORFF_2011)
    assert round(result["alpha_nominal"], 3) == 0.743
    assert round(result["alpha_ordinal"], 3) == 0.815
    assert round(result["alpha_interval"], 3) == 0.849
    assert result["units"] == 11


def test_wikipedias_worked_example_gives_the_published_alphas():
    result = agreement(WIKIPEDIA)
    assert round(result["alpha_nominal"], 3) == 0.691
    assert round(result["alpha_interval"], 3) == 0.811
    assert result["units"] == 12


# ---------------------------------------------------------------- against the reference


@pytest.mark.parametrize("seed", range(12))
def test_alphas_match_the_krippendorff_package_on_random_ratings(seed):
    ratings = random_ratings(seed)
    result = agreement(ratings, levels=[1, 2, 3, 4])
    for key, level in ALPHAS.items():
        assert result[key] == pytest.approx(reference_alpha(ratings, level, [1, 2, 3, 4]),
                                            abs=1e-9), key


@pytest.mark.parametrize("ratings", [KRIPPENDORFF_2011, WIKIPEDIA])
def test_alphas_match_the_krippendorff_package_on_the_worked_examples(ratings):
    result = agreement(ratings)
    for key, level in ALPHAS.items():
        assert result[key] == pytest.approx(reference_alpha(ratings, level, None), abs=1e-9)


def test_an_unused_level_counts_as_the_package_counts_it():
    ratings = [[1, 2, 4, 4, 1, None], [1, 4, 4, 2, 2, 1], [2, 2, None, 4, 1, 1]]
    with_scale = agreement(ratings, levels=[1, 2, 3, 4, 5])
    for key, level in ALPHAS.items():
        assert with_scale[key] == pytest.approx(
            reference_alpha(ratings, level, [1, 2, 3, 4, 5]), abs=1e-9)
    assert with_scale == pytest.approx(agreement(ratings))


# ---------------------------------------------------------------- pairwise agreement


def test_exact_and_adjacent_agreement_count_rater_pairs_within_units():
    # Unit 1: 1, 1, 2 → 3 pairs, 1 the same, all 3 within one level.
    # Unit 2: 1, 3    → 1 pair, neither.   Unit 3: rated once, no pair.
    ratings = [[1, 1, 4], [1, 3, None], [2, None, None]]
    result = agreement(ratings)
    assert (result["units"], result["pairs"]) == (2, 4)
    assert result["exact_agreement"] == pytest.approx(1 / 4)
    assert result["adjacent_agreement"] == pytest.approx(3 / 4)


@pytest.mark.parametrize("seed", range(4))
def test_pairwise_agreement_is_the_share_of_every_rater_pair_within_a_unit(seed):
    ratings = random_ratings(seed)
    pairs = [(a[unit], b[unit]) for i, a in enumerate(ratings) for b in ratings[i + 1:]
             for unit in range(len(a)) if a[unit] is not None and b[unit] is not None]
    result = agreement(ratings)
    assert result["pairs"] == len(pairs)
    assert result["exact_agreement"] == pytest.approx(
        sum(x == y for x, y in pairs) / len(pairs))
    assert result["adjacent_agreement"] == pytest.approx(
        sum(abs(x - y) <= 1 for x, y in pairs) / len(pairs))


def test_full_agreement_on_different_levels_gives_alpha_one():
    result = agreement([[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, None, 4]])
    assert result["exact_agreement"] == result["adjacent_agreement"] == 1.0
    assert all(result[key] == pytest.approx(1.0) for key in ALPHAS)


# ---------------------------------------------------------------- undefined cases


def test_identical_ratings_agree_fully_and_leave_alpha_undefined():
    result = agreement([[3, 3, 3], [3, 3, None], [3, 3, 3]], levels=[1, 2, 3, 4])
    assert result["exact_agreement"] == result["adjacent_agreement"] == 1.0
    assert all(result[key] is None for key in ALPHAS)
    assert (result["units"], result["pairs"]) == (3, 7)


def test_a_unit_rated_once_is_ignored():
    ratings = [[1, 2, 3, 4, 1], [1, 3, 3, 4, None], [2, 2, 3, 3, None]]
    without_it = [rater[:4] for rater in ratings]
    assert agreement(ratings) == agreement(without_it)


@pytest.mark.parametrize("ratings", [
    [],
    [[1, 2, 3, 4]],
    [[1, None, 3], [None, 2, None]],
    [[], []],
])
def test_without_a_unit_rated_twice_every_figure_is_none(ratings):
    result = agreement(ratings)
    assert (result["units"], result["pairs"]) == (0, 0)
    assert all(value is None for key, value in result.items() if key not in ("units", "pairs"))


# ---------------------------------------------------------------- refused input


def test_rater_lists_of_different_lengths_are_refused():
    with pytest.raises(ValueError, match="lengths"):
        agreement([[1, 2, 3], [1, 2]])
    with pytest.raises(ValueError, match="lengths"):
        per_unit_spread([[1, 2, 3], [1, 2]])


@pytest.mark.parametrize("value", ["3", True, math.nan, math.inf, [1]])
def test_a_rating_that_is_not_a_finite_number_is_refused(value):
    with pytest.raises(ValueError, match="rater 1, unit 2"):
        agreement([[1, 2, 3], [1, 2, value]])


def test_a_rating_outside_the_levels_is_refused():
    with pytest.raises(ValueError, match=r"\[5\]"):
        agreement([[1, 2, 5], [1, 2, 3]], levels=[1, 2, 3, 4])


def test_levels_must_be_distinct_numbers():
    with pytest.raises(ValueError, match="repeat"):
        agreement([[1, 2], [1, 2]], levels=[1, 2, 2])
    with pytest.raises(ValueError, match="not a number"):
        agreement([[1, 2], [1, 2]], levels=["rendah", "tinggi"])


# ---------------------------------------------------------------- spread per unit


def test_each_units_spread_covers_the_ratings_present():
    spreads = per_unit_spread([[1, 4, None, 2], [3, 4, None, None], [2, 1, None, None]])
    assert spreads == [
        {"count": 3, "min": 1, "max": 3, "median": 2},
        {"count": 3, "min": 1, "max": 4, "median": 4},
        {"count": 0, "min": None, "max": None, "median": None},
        {"count": 1, "min": 2, "max": 2, "median": 2},
    ]


def test_an_even_count_has_the_middle_two_averaged_as_median():
    [spread] = per_unit_spread([[1], [2], [4], [4]])
    assert spread == {"count": 4, "min": 1, "max": 4, "median": 3.0}
