"""Krippendorff's alpha against the published worked example and the ``krippendorff`` package,
and each figure on small hand-computed cases."""

from __future__ import annotations

import krippendorff
import numpy as np
import pytest

from tagging.services.agreement.core import (
    alpha,
    coincidence_matrix,
    delta_for,
    per_tag_binary_alpha,
    set_distance_matrix,
)

NAN = np.nan
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 coders x 12
# units with missing values.
PUBLISHED = np.array(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
        [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
    ]
)
PUBLISHED_ALPHA = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797}


def long_form(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    coder, unit = np.nonzero(~np.isnan(matrix))
    values = matrix[coder, unit]
    domain = np.unique(values)
    return unit, np.searchsorted(domain, values), domain


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_alpha_matches_the_published_worked_example(level: str) -> None:
    unit, code, domain = long_form(PUBLISHED)
    result = alpha(unit, code, n_values=domain.size, delta=delta_for(level, domain))
    assert result.alpha == pytest.approx(PUBLISHED_ALPHA[level], abs=5e-4)
    assert result.alpha == pytest.approx(
        krippendorff.alpha(PUBLISHED, level_of_measurement=level), abs=1e-12
    )


def test_published_example_drops_the_unit_with_a_single_value() -> None:
    unit, code, domain = long_form(PUBLISHED)
    result = alpha(unit, code, n_values=domain.size, delta=delta_for("nominal", domain))
    assert result.units == 11  # unit 12 has one value: not pairable
    assert result.pairable_values == 40


def test_coincidence_matrix_of_the_published_example() -> None:
    unit, code, domain = long_form(PUBLISHED)
    o = coincidence_matrix(unit, code, domain.size)
    # Krippendorff (2011) table: row sums n_c = 9, 13, 10, 5, 3 (values 1..5), n = 40.
    assert o.sum(axis=1) == pytest.approx([9, 13, 10, 5, 3])
    assert o[0, 0] == pytest.approx(7)
    assert o[0, 1] == pytest.approx(4 / 3)
    assert np.allclose(o, o.T)


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_alpha_agrees_with_the_krippendorff_package_on_random_data_with_gaps(
    level: str, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    data = rng.integers(0, 6, size=(4, 60)).astype(float)
    data[1] = np.where(rng.random(60) < 0.7, data[0], data[1])  # some agreement
    data[rng.random(data.shape) < 0.3] = np.nan  # missing answers
    unit, code, domain = long_form(data)
    ours = alpha(unit, code, n_values=domain.size, delta=delta_for(level, domain)).alpha
    assert ours == pytest.approx(krippendorff.alpha(data, level_of_measurement=level), abs=1e-10)


def test_hand_computed_two_coders_nominal() -> None:
    # Units: (a,a) (a,b) (b,b). o = [[2,1],[1,2]], n = 6, n_a = n_b = 3.
    # D_o = 2/6, D_e = 2*3*3/(6*5) = 0.6 -> alpha = 1 - (1/3)/0.6 = 4/9.
    result = alpha(
        [0, 0, 1, 1, 2, 2], [0, 0, 0, 1, 1, 1], n_values=2, delta=delta_for("nominal", [0, 1])
    )
    assert result.alpha == pytest.approx(4 / 9)


def test_perfect_agreement_is_one_and_no_variation_is_undefined() -> None:
    assert (
        alpha([0, 0, 1, 1], [0, 0, 1, 1], n_values=2, delta=delta_for("nominal", [0, 1])).alpha
        == 1.0
    )
    assert np.isnan(
        alpha([0, 0, 1, 1], [1, 1, 1, 1], n_values=2, delta=delta_for("nominal", [0, 1])).alpha
    )


def test_bootstrap_interval_brackets_alpha_and_is_reproducible() -> None:
    unit, code, domain = long_form(PUBLISHED)
    a = alpha(
        unit, code, n_values=domain.size, delta=delta_for("ordinal", domain), bootstrap=500, seed=7
    )
    b = alpha(
        unit, code, n_values=domain.size, delta=delta_for("ordinal", domain), bootstrap=500, seed=7
    )
    assert a.ci == b.ci
    lo, hi = a.ci
    assert lo < a.alpha <= hi <= 1.0


def test_per_tag_binary_alpha_matches_the_package_tag_by_tag() -> None:
    rng = np.random.default_rng(4)
    units, coders, tags = 40, 3, 5
    chosen = rng.random((coders, units, tags)) < 0.4
    chosen[1] = np.where(rng.random((units, tags)) < 0.6, chosen[0], chosen[1])
    present = rng.random((coders, units)) < 0.85
    coder_idx, unit_idx = np.nonzero(present)
    ours = per_tag_binary_alpha(unit_idx, chosen[coder_idx, unit_idx])
    for t in range(tags):
        matrix = np.where(present, chosen[:, :, t].astype(float), np.nan)
        assert ours[t] == pytest.approx(
            krippendorff.alpha(matrix, level_of_measurement="nominal"), abs=1e-10
        )


def test_set_distances_jaccard_and_masi_by_hand() -> None:
    # sets: {a}, {a,b}, {b}, {}, {a}
    ind = np.array([[1, 0], [1, 1], [0, 1], [0, 0], [1, 0]], dtype=bool)
    jac = set_distance_matrix(ind, "jaccard")
    masi = set_distance_matrix(ind, "masi")
    assert jac[0, 1] == pytest.approx(0.5)
    assert masi[0, 1] == pytest.approx(1 - 0.5 * 2 / 3)  # nested
    assert jac[0, 2] == masi[0, 2] == 1.0  # disjoint
    assert jac[0, 4] == masi[0, 4] == 0.0  # identical
    assert jac[3, 3] == 0.0
    assert jac[0, 3] == 1.0


def test_set_alpha_agrees_with_the_package_given_the_same_distance() -> None:
    rng = np.random.default_rng(5)
    universe = [frozenset(s) for s in ({"a"}, {"a", "b"}, {"b"}, {"c"}, {"a", "c"}, set())]
    ind = np.array([[t in s for t in "abc"] for s in universe])
    delta = set_distance_matrix(ind, "masi")
    data = rng.integers(0, len(universe), size=(3, 50)).astype(float)
    data[1] = np.where(rng.random(50) < 0.5, data[0], data[1])
    data[rng.random(data.shape) < 0.2] = np.nan
    unit, code, _domain = long_form(data)
    present = np.unique(data[~np.isnan(data)]).astype(int)
    ours = alpha(unit, present[code], n_values=len(universe), delta=lambda _n: delta).alpha

    def metric(v1, v2, i1, i2, n_v, dtype=np.float64):
        return delta[v1.astype(int), v2.astype(int)]

    assert ours == pytest.approx(krippendorff.alpha(data, level_of_measurement=metric), abs=1e-10)
